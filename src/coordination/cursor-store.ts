/**
 * Durable source cursors in ZooKeeper, at <root>/sources/<source id>/cursor, as JSON
 * `{cursor, updatedAt, pageDigest?}`. A save is one ZooKeeper transaction: check that the
 * saver's lease node still exists (the fence, see source-lease.ts), then compare-and-set the
 * cursor on its znode version. A save whose fence fails is a LeaseLostError; one whose cursor
 * another instance moved since it was read is a CursorConflictError, never a silent step back.
 * A poller saves only after Kafka acknowledged every record fetched before the cursor.
 *
 * `pageDigest` is the digest of the last page produced at this cursor when the upstream gave
 * no further cursor: kept here, not only in memory, so that neither a restart nor another
 * instance taking over produces that page again (pipeline/intake.ts `pageDigest`).
 *
 * Versions start at 1: node-zookeeper-client 1.1.3's transaction turns version 0 into "any
 * version", so a cursor is created and set in one transaction (version 1), and a cursor found at
 * version 0 (written before this rule) is first rewritten unchanged by a plain, versioned setData.
 */
import zookeeper from 'node-zookeeper-client';
import { createAcl, isZkError, mkdirp, zkCall, zkError, ZookeeperRefusedError, type ZookeeperClient } from './zookeeper';
import { LeaseLostError, type LeaseFence } from './source-lease';
import { WharfError } from '../errors';

export interface StoredCursor {
  cursor: string | null;
  /** znode version to pass to the next save; -1 when no cursor was ever saved. */
  version: number;
  updatedAt?: string;
  /** Digest of the page last produced at this cursor without a next cursor. */
  pageDigest?: string;
}

export class CursorConflictError extends WharfError {
  constructor(source: string) {
    super(`cursor of source ${source} was moved by another instance; reload it before saving`, { retriable: false });
  }
}

/** The cursor znode holds something wharf did not write; only an operator can repair it. */
export class CorruptCursorError extends WharfError {
  readonly source: string;
  readonly path: string;
  /** The corrupt znode's version, for a compare-and-set that replaces it. */
  readonly version: number;

  constructor(source: string, path: string, reason: string, version: number) {
    super(
      `source ${source}: the cursor znode ${path} is corrupt (${reason}); repair it with \`wharf cursor reset ${source}\` (read from the start) or \`wharf cursor set ${source} <cursor>\``,
      { retriable: false },
    );
    this.source = source;
    this.path = path;
    this.version = version;
  }
}

export class CursorStore {
  constructor(
    private readonly client: ZookeeperClient,
    private readonly root: string,
  ) {}

  pathOf(source: string): string {
    return `${this.root}/sources/${source}/cursor`;
  }

  async load(source: string): Promise<StoredCursor> {
    const path = this.pathOf(source);
    let data: Buffer;
    let stat: zookeeper.Stat;
    try {
      [data, stat] = await new Promise<[Buffer, zookeeper.Stat]>((resolve, reject) =>
        this.client.getData(path, (err, buffer, st) => (err ? reject(zkError(err, path)) : resolve([buffer ?? Buffer.alloc(0), st]))),
      );
    } catch (err) {
      if (isZkError(err, zookeeper.Exception.NO_NODE)) return { cursor: null, version: -1 };
      throw err;
    }
    if (stat.version === 0) {
      // Bumped before parsing, so that even a corrupt cursor can be replaced under a fence.
      try {
        await zkCall<zookeeper.Stat>((cb) => this.client.setData(path, data, 0, cb), path);
      } catch (err) {
        if (!isZkError(err, zookeeper.Exception.BAD_VERSION)) throw err; // else moved meanwhile
      }
      return this.load(source);
    }
    return { ...parseStored(source, path, data, stat.version), version: stat.version };
  }

  /**
   * Saves `cursor` if the fence's lease node still exists and the stored version is still
   * `expectedVersion` (never 0: see the module comment); returns the new version.
   */
  async save(source: string, cursor: string | null, expectedVersion: number, fence: LeaseFence, pageDigest?: string): Promise<number> {
    if (expectedVersion === 0) throw new Error('cursor version 0 cannot be fenced; load the cursor first');
    const path = this.pathOf(source);
    const data = Buffer.from(JSON.stringify({ cursor, updatedAt: new Date().toISOString(), ...(pageDigest ? { pageDigest } : {}) }));
    const transaction = this.client.transaction().check(fence.path, -1);
    if (expectedVersion === -1) {
      await mkdirp(this.client, path.slice(0, path.lastIndexOf('/')));
      transaction.create(path, data, createAcl(this.client), zookeeper.CreateMode.PERSISTENT).setData(path, data, -1);
    } else {
      transaction.setData(path, data, expectedVersion);
    }
    const results = await new Promise<Array<{ err?: number; stat?: zookeeper.Stat }>>((resolve, reject) =>
      transaction.commit((err, res) => {
        const failures = res as Array<{ err?: number }> | undefined;
        const failed = failures?.findIndex((r) => r.err !== undefined && r.err !== 0) ?? -1;
        if (failed >= 0 && failures![failed].err === zookeeper.Exception.NO_AUTH) reject(new ZookeeperRefusedError(zookeeper.Exception.NO_AUTH, 'NO_AUTH', path));
        else if (failed === 0) reject(new LeaseLostError(fence, `saving the cursor of ${source}`));
        else if (failed > 0) reject(new CursorConflictError(source));
        else if (err) reject(zkError(err, path));
        else resolve(res as Array<{ stat?: zookeeper.Stat }>);
      }),
    );
    return results[results.length - 1].stat?.version ?? expectedVersion + 1;
  }
}

/** The stored JSON, checked: an object whose `cursor` is a string or null. */
function parseStored(source: string, path: string, data: Buffer, version: number): Omit<StoredCursor, 'version'> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(data.toString());
  } catch {
    throw new CorruptCursorError(source, path, `not JSON: ${JSON.stringify(data.toString().slice(0, 80))}`, version);
  }
  const value = parsed as { cursor?: unknown; updatedAt?: unknown; pageDigest?: unknown } | null;
  if (typeof value !== 'object' || value === null || Array.isArray(value) || !('cursor' in value)) {
    throw new CorruptCursorError(source, path, 'expected a JSON object with a "cursor" key', version);
  }
  if (typeof value.cursor !== 'string' && value.cursor !== null) throw new CorruptCursorError(source, path, `"cursor" is ${typeof value.cursor}, expected a string or null`, version);
  return {
    cursor: value.cursor,
    updatedAt: typeof value.updatedAt === 'string' ? value.updatedAt : undefined,
    pageDigest: typeof value.pageDigest === 'string' ? value.pageDigest : undefined,
  };
}
