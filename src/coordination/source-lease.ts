/**
 * Which wharf instance polls a source: a ZooKeeper election under <root>/sources/<source id>/lease.
 * Each contender creates an EPHEMERAL_SEQUENTIAL node `owner-<n>` there; the lowest holds the
 * lease, each other one watches the node just before its own and looks again when it goes.
 * ZooKeeper deletes a contender's node when its session ends (the instance stopped, crashed or
 * lost ZooKeeper for longer than the session timeout), so a standing-by instance takes over and
 * resumes from the stored cursor.
 *
 * Fencing: the holder's node path is unique (a sequence number is never reused), and while that
 * node exists nobody else can hold the lease, since every later contender's number is higher. So
 * the cursor store saves only in a ZooKeeper transaction that first checks that this path still
 * exists (cursor-store.ts); a deleted or expired node fails the save with LeaseLostError. This
 * fences on existence, not on a version: node-zookeeper-client 1.1.3 turns a check against
 * version 0 into "any version", and an ephemeral node re-created by another session is back at
 * version 0 (ABA), so a version fence on a fixed path would be silently off.
 */
import { hostname } from 'node:os';
import zookeeper from 'node-zookeeper-client';
import { createAcl, isZkError, mkdirp, zkCall, type ZookeeperClient } from './zookeeper';
import { ServiceUnavailableError, WharfError } from '../errors';
import { withTimeout } from '../retry/timeout';

export interface LeaseHolder {
  instance: string;
  since: string;
}

/** The proof a cursor save must carry: the holder's own lease node, checked in the save's transaction. */
export interface LeaseFence {
  source: string;
  path: string;
}

/** This instance no longer holds the source's lease (its node is gone); it must stop producing and stand by. */
export class LeaseLostError extends WharfError {
  readonly source: string;
  readonly path: string;

  constructor(fence: LeaseFence, what: string) {
    super(`source ${fence.source}: lease lost (${fence.path} is gone or not this session's) while ${what}; standing by`, { retriable: false });
    this.source = fence.source;
    this.path = fence.path;
  }
}

const PREFIX = 'owner-';

export class SourceLease {
  /** The folder of contender nodes. */
  readonly dir: string;
  private readonly holder: LeaseHolder;
  private node?: string;
  private held = false;

  constructor(
    private readonly client: ZookeeperClient,
    root: string,
    private readonly source: string,
    instance = `${hostname()}:${process.pid}`,
  ) {
    this.dir = `${root}/sources/${source}/lease`;
    this.holder = { instance, since: new Date().toISOString() };
  }

  /**
   * Resolves true once this session holds the lease; while another holds it, waits (calling
   * `onStandby` with the holder once). Resolves false, withdrawing, if `signal` aborts first.
   */
  async acquire(signal: AbortSignal, onStandby: (holder: LeaseHolder | undefined) => void): Promise<boolean> {
    await mkdirp(this.client, this.dir);
    let reported = false;
    while (!signal.aborted) {
      this.node ??= await zkCall<string>((cb) => this.client.create(`${this.dir}/${PREFIX}`, Buffer.from(JSON.stringify(this.holder)), createAcl(this.client), zookeeper.CreateMode.EPHEMERAL_SEQUENTIAL, cb), this.dir);
      const contenders = await this.contenders();
      const index = contenders.indexOf(this.node.slice(this.dir.length + 1));
      if (index === -1) {
        this.node = undefined; // deleted from outside: enter again, at the back
        continue;
      }
      if (index === 0) {
        this.held = true;
        return true;
      }
      if (!reported) onStandby(await this.holderOf(contenders[0]));
      reported = true;
      await this.deletion(`${this.dir}/${contenders[index - 1]}`, signal);
    }
    await this.release();
    return false;
  }

  /** The fence for cursor saves; throws LeaseLostError if this instance never held or gave up the lease. */
  fence(): LeaseFence {
    if (!this.held || !this.node) throw new LeaseLostError({ source: this.source, path: this.node ?? this.dir }, 'asking for the fence');
    return { source: this.source, path: this.node };
  }

  /**
   * Throws LeaseLostError unless this session's lease node still exists, asked of the server now
   * and answered within a third of the session timeout (else a retriable ServiceUnavailableError).
   * An answer means the session was alive after the question was sent, so the server cannot
   * expire it, nor hand the lease to another instance, for a session timeout from then.
   */
  async confirm(): Promise<void> {
    const fence = this.fence();
    const limit = Math.floor(this.client.getSessionTimeout() / 3);
    const stat = await withTimeout(zkCall<zookeeper.Stat | null>((cb) => this.client.exists(fence.path, cb)), limit, () =>
      new ServiceUnavailableError('zookeeper', `no answer confirming the lease of ${fence.source} within ${limit} ms`),
    );
    if (!stat || !stat.ephemeralOwner.equals(this.client.getSessionId())) throw new LeaseLostError(fence, 'confirming the lease');
  }

  /** Gives the lease (or the place in the queue) up at once, instead of after the session timeout. */
  async release(): Promise<void> {
    const node = this.node;
    this.node = undefined;
    this.held = false;
    if (node) await zkCall<void>((cb) => this.client.remove(node, -1, cb)).catch(() => undefined);
  }

  /** Who holds the lease now (the lowest contender), with its node as a fence; undefined when nobody does. */
  async currentHolder(): Promise<{ holder?: LeaseHolder; fence: LeaseFence } | undefined> {
    let contenders: string[];
    try {
      contenders = await this.contenders();
    } catch (err) {
      if (isZkError(err, zookeeper.Exception.NO_NODE)) return undefined; // never contended
      throw err;
    }
    if (contenders.length === 0) return undefined;
    return { holder: await this.holderOf(contenders[0]), fence: { source: this.source, path: `${this.dir}/${contenders[0]}` } };
  }

  /** Contender node names, lowest sequence first. */
  private async contenders(): Promise<string[]> {
    const children = await zkCall<string[]>((cb) => this.client.getChildren(this.dir, cb), this.dir);
    return children.filter((c) => c.startsWith(PREFIX)).sort((a, b) => a.slice(PREFIX.length).localeCompare(b.slice(PREFIX.length)));
  }

  private async holderOf(name: string): Promise<LeaseHolder | undefined> {
    try {
      const data = await zkCall<Buffer>((cb) => this.client.getData(`${this.dir}/${name}`, (err, buffer) => cb(err, buffer)));
      return JSON.parse(data.toString()) as LeaseHolder;
    } catch {
      return undefined; // gone meanwhile, or not ours to read: the standby log says "unknown"
    }
  }

  /** Resolves when `path` is gone (or was already), or the signal aborts. */
  private async deletion(path: string, signal: AbortSignal): Promise<void> {
    let onAbort = () => undefined as void;
    if (signal.aborted) return; // an abort before the wait (e.g. from onStandby) fires no event
    try {
      await new Promise<void>((resolve, reject) => {
        onAbort = resolve;
        signal.addEventListener('abort', onAbort, { once: true });
        // Any event ends the wait (watches fire once); the caller looks again.
        this.client.exists(
          path,
          () => resolve(),
          (err, stat) => {
            if (err) reject(err instanceof Error ? err : new Error(String(err)));
            else if (!stat) resolve();
          },
        );
      });
    } finally {
      signal.removeEventListener('abort', onAbort);
    }
  }
}

