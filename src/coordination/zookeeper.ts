/**
 * node-zookeeper-client sessions with a bounded connect: the library itself retries forever in
 * silence, so wharf gives each connect a deadline and reports it as a retriable failure.
 *
 * With `zookeeper.digest`, the session authenticates with ZooKeeper's built-in digest scheme
 * (`addAuthInfo('digest', 'user:password')`, sent again by the library after every reconnect),
 * and every znode it creates gets the creator-only ACL (`auth` scheme: all permissions for the
 * identities of the creating session, nothing for anyone else). Other sessions, with no or other
 * credentials, can then neither read nor change a cursor, nor join or delete a source's lease
 * (NO_AUTH). Without it, znodes get the open ACL, as before.
 */
import zookeeper from 'node-zookeeper-client';
import type { ZookeeperConfig } from './config';
import { ServiceUnavailableError, WharfError } from '../errors';
import { withTimeout } from '../retry/timeout';

export type ZookeeperClient = zookeeper.Client;

/** ZooKeeper's ZooDefs.Ids.CREATOR_ALL_ACL and OPEN_ACL_UNSAFE (the library's typings lack its constants). */
const CREATOR_ALL = [new zookeeper.ACL(zookeeper.Permission.ALL, new zookeeper.Id('auth', ''))];
const OPEN = [new zookeeper.ACL(zookeeper.Permission.ALL, new zookeeper.Id('world', 'anyone'))];

/** Sessions that authenticated, so create creator-only znodes. */
const AUTHENTICATED = new WeakSet<ZookeeperClient>();

/** The ACL to give a znode this session creates: creator-only when it authenticated, else open. */
export function createAcl(client: ZookeeperClient): zookeeper.ACL[] {
  return AUTHENTICATED.has(client) ? CREATOR_ALL : OPEN;
}

export function connectZookeeper(config: ZookeeperConfig, timeoutMs = 10_000): Promise<ZookeeperClient> {
  const client = zookeeper.createClient(config.connect, { sessionTimeout: config.sessionTimeoutMs, spinDelay: 500, retries: 0 });
  if (config.digest) {
    client.addAuthInfo('digest', Buffer.from(config.digest));
    AUTHENTICATED.add(client);
  }
  const connected = new Promise<ZookeeperClient>((resolve) => client.once('connected', () => resolve(client)));
  client.connect();
  return withTimeout(connected, timeoutMs, () => {
    client.close();
    return new ServiceUnavailableError('zookeeper', `no session with ${config.connect} within ${timeoutMs} ms`);
  });
}

/** What to fix for ZooKeeper's refusals of a session's credentials. */
const REFUSALS: Record<number, string> = {
  [zookeeper.Exception.NO_AUTH]: 'its ACL admits other credentials: check zookeeper.digest (docs/security.md)',
  [zookeeper.Exception.INVALID_ACL]: 'a creator-only znode needs an authenticated session: check zookeeper.digest',
  [zookeeper.Exception.AUTH_FAILED]: 'ZooKeeper refused the credentials: check zookeeper.digest',
};

/** ZooKeeper refused this session an operation on a znode (its ACL, or the credentials). */
export class ZookeeperRefusedError extends WharfError {
  constructor(
    private readonly code: number,
    name: string,
    path?: string,
  ) {
    super(`zookeeper: ${name}${path ? ` on ${path}` : ''}: ${REFUSALS[code]}`, { retriable: true, refused: true });
  }

  /** As node-zookeeper-client's own exceptions, for isZkError. */
  getCode(): number {
    return this.code;
  }
}

/** Calls a callback-style node-zookeeper-client method on the znode `path` as a promise (the library leaves the path out of most errors). */
export function zkCall<T>(fn: (callback: (error: Error | zookeeper.Exception | null, result: T) => void) => void, path?: string): Promise<T> {
  return new Promise((resolve, reject) => fn((error, result) => (error ? reject(zkError(error, path)) : resolve(result))));
}

/** A node-zookeeper-client error as wharf reports it: a refusal says what to fix, anything else is kept. */
export function zkError(error: Error | zookeeper.Exception, path?: string): Error {
  const code = typeof (error as zookeeper.Exception).getCode === 'function' ? (error as zookeeper.Exception).getCode() : undefined;
  if (code !== undefined && code in REFUSALS) return new ZookeeperRefusedError(code, (error as zookeeper.Exception).getName(), (error as { path?: string }).path ?? path);
  return error instanceof Error ? error : new Error(String(error));
}

/** Creates `path` and its missing parents with the session's ACL. */
export function mkdirp(client: ZookeeperClient, path: string): Promise<string> {
  return zkCall<string>((cb) => client.mkdirp(path, createAcl(client), cb), path);
}

/** Whether a node-zookeeper-client error carries this code (zookeeper.Exception.NO_NODE, ...). */
export function isZkError(err: unknown, code: number): boolean {
  return typeof (err as { getCode?: () => number }).getCode === 'function' && (err as { getCode: () => number }).getCode() === code;
}

/** Whether an error came from ZooKeeper or the session with it (a node-zookeeper-client Exception, or no answer in time). */
export function isZookeeperFailure(err: unknown): boolean {
  return typeof (err as { getCode?: unknown } | null)?.getCode === 'function' || (err instanceof ServiceUnavailableError && err.service === 'zookeeper');
}

/**
 * Calls `onLost` once when the session is Disconnected or Expired (a session the client may still
 * get back is not waited for: the lease may already be another's); returns the unsubscribe.
 */
export function onSessionLost(client: ZookeeperClient, onLost: (state: string) => void): () => void {
  const listener = (state: zookeeper.State) => {
    if (state !== zookeeper.State.DISCONNECTED && state !== zookeeper.State.EXPIRED) return;
    client.removeListener('state', listener);
    onLost(String(state));
  };
  client.on('state', listener);
  return () => client.removeListener('state', listener);
}
