/**
 * Durable source cursors in ZooKeeper, at <root>/sources/<source id>/cursor, as JSON
 * `{cursor, updatedAt}`. A save is a compare-and-set on the znode version: if another instance
 * moved the cursor since this one read it, the save fails with CursorConflictError instead of
 * silently going back in time. A poller saves only after Kafka acknowledged every record
 * fetched before the cursor.
 */
import zookeeper from 'node-zookeeper-client';
import { isZkError, zkCall, type ZookeeperClient } from './zookeeper';
import { WharfError } from '../errors';

export interface StoredCursor {
  cursor: string | null;
  /** znode version to pass to the next save; -1 when no cursor was ever saved. */
  version: number;
  updatedAt?: string;
}

export class CursorConflictError extends WharfError {
  constructor(source: string) {
    super(`cursor of source ${source} was moved by another instance; reload it before saving`, { retriable: false });
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
    try {
      const [data, stat] = await new Promise<[Buffer, zookeeper.Stat]>((resolve, reject) =>
        this.client.getData(this.pathOf(source), (err, buffer, st) => (err ? reject(asError(err)) : resolve([buffer, st]))),
      );
      const parsed = JSON.parse(data.toString()) as { cursor: string | null; updatedAt?: string };
      return { cursor: parsed.cursor, updatedAt: parsed.updatedAt, version: stat.version };
    } catch (err) {
      if (isZkError(err, zookeeper.Exception.NO_NODE)) return { cursor: null, version: -1 };
      throw err;
    }
  }

  /** Saves `cursor` if the stored version is still `expectedVersion`; returns the new version. */
  async save(source: string, cursor: string, expectedVersion: number): Promise<number> {
    const path = this.pathOf(source);
    const data = Buffer.from(JSON.stringify({ cursor, updatedAt: new Date().toISOString() }));
    if (expectedVersion === -1) {
      await zkCall<string>((cb) => this.client.mkdirp(path.slice(0, path.lastIndexOf('/')), cb));
      try {
        await zkCall<string>((cb) => this.client.create(path, data, zookeeper.CreateMode.PERSISTENT, cb));
        return 0;
      } catch (err) {
        if (isZkError(err, zookeeper.Exception.NODE_EXISTS)) throw new CursorConflictError(source);
        throw err;
      }
    }
    try {
      const stat = await zkCall<zookeeper.Stat>((cb) => this.client.setData(path, data, expectedVersion, cb));
      return stat.version;
    } catch (err) {
      if (isZkError(err, zookeeper.Exception.BAD_VERSION) || isZkError(err, zookeeper.Exception.NO_NODE)) throw new CursorConflictError(source);
      throw err;
    }
  }
}

function asError(err: Error | zookeeper.Exception): Error {
  return err instanceof Error ? err : new Error(err.toString());
}
