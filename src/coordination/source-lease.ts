/**
 * Which wharf instance polls a source: the one holding the ephemeral znode
 * <root>/sources/<source id>/owner. ZooKeeper deletes it when the holder's session ends (the
 * instance stopped, crashed or lost ZooKeeper for longer than the session timeout), and a
 * standing-by instance, watching it, takes over and resumes from the stored cursor. So every
 * source is polled by exactly one instance at a time; the cursor's compare-and-set guards the
 * rare overlap when an old holder has not noticed yet that its session expired.
 */
import { hostname } from 'node:os';
import zookeeper from 'node-zookeeper-client';
import { isZkError, zkCall, type ZookeeperClient } from './zookeeper';

export interface LeaseHolder {
  instance: string;
  since: string;
}

export class SourceLease {
  readonly path: string;
  private readonly holder: LeaseHolder;

  constructor(
    private readonly client: ZookeeperClient,
    root: string,
    source: string,
    instance = `${hostname()}:${process.pid}`,
  ) {
    this.path = `${root}/sources/${source}/owner`;
    this.holder = { instance, since: new Date().toISOString() };
  }

  /**
   * Resolves once this session holds the lease; while another holds it, waits for its node to
   * go (calling `onStandby` with the holder once). Resolves false if `signal` aborts first.
   */
  async acquire(signal: AbortSignal, onStandby: (holder: LeaseHolder | undefined) => void): Promise<boolean> {
    await zkCall<string>((cb) => this.client.mkdirp(this.path.slice(0, this.path.lastIndexOf('/')), cb));
    let reported = false;
    while (!signal.aborted) {
      try {
        await zkCall<string>((cb) => this.client.create(this.path, Buffer.from(JSON.stringify(this.holder)), zookeeper.CreateMode.EPHEMERAL, cb));
        return true;
      } catch (err) {
        if (!isZkError(err, zookeeper.Exception.NODE_EXISTS)) throw err;
      }
      const current = await this.current();
      if (current?.mine) return true; // created by this session before a connection loss
      if (!reported) onStandby(current?.holder);
      reported = true;
      await this.deletion(signal);
    }
    return false;
  }

  /** Gives the lease up at once (a clean stop), instead of after the session timeout. */
  async release(): Promise<void> {
    const current = await this.current().catch(() => undefined);
    if (current?.mine) await zkCall<void>((cb) => this.client.remove(this.path, -1, cb)).catch(() => undefined);
  }

  private async current(): Promise<{ holder?: LeaseHolder; mine: boolean } | undefined> {
    try {
      const [data, stat] = await new Promise<[Buffer, zookeeper.Stat]>((resolve, reject) =>
        this.client.getData(this.path, (err, buffer, st) => (err ? reject(err instanceof Error ? err : new Error(String(err))) : resolve([buffer, st]))),
      );
      const mine = stat.ephemeralOwner.equals(this.client.getSessionId());
      let holder: LeaseHolder | undefined;
      try {
        holder = JSON.parse(data.toString()) as LeaseHolder;
      } catch {
        holder = undefined;
      }
      return { holder, mine };
    } catch (err) {
      if (isZkError(err, zookeeper.Exception.NO_NODE)) return undefined;
      throw err;
    }
  }

  /** Resolves when the owner node is gone (or was already), or the signal aborts. */
  private async deletion(signal: AbortSignal): Promise<void> {
    let onAbort = () => undefined as void;
    try {
      await new Promise<void>((resolve, reject) => {
        onAbort = resolve;
        signal.addEventListener('abort', onAbort, { once: true });
        // Any event ends the wait (watches fire once); the caller looks again.
        this.client.exists(
          this.path,
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
