/**
 * node-zookeeper-client sessions with a bounded connect: the library itself retries forever in
 * silence, so wharf gives each connect a deadline and reports it as a retriable failure.
 */
import zookeeper from 'node-zookeeper-client';
import type { ZookeeperConfig } from './config';
import { ServiceUnavailableError } from '../errors';
import { withTimeout } from '../retry/timeout';

export type ZookeeperClient = zookeeper.Client;

export function connectZookeeper(config: ZookeeperConfig, timeoutMs = 10_000): Promise<ZookeeperClient> {
  const client = zookeeper.createClient(config.connect, { sessionTimeout: config.sessionTimeoutMs, spinDelay: 500, retries: 0 });
  const connected = new Promise<ZookeeperClient>((resolve) => client.once('connected', () => resolve(client)));
  client.connect();
  return withTimeout(connected, timeoutMs, () => {
    client.close();
    return new ServiceUnavailableError('zookeeper', `no session with ${config.connect} within ${timeoutMs} ms`);
  });
}

/** Calls a callback-style node-zookeeper-client method as a promise. */
export function zkCall<T>(fn: (callback: (error: Error | zookeeper.Exception | null, result: T) => void) => void): Promise<T> {
  return new Promise((resolve, reject) =>
    fn((error, result) => (error ? reject(error instanceof Error ? error : new Error(error.toString())) : resolve(result))),
  );
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
