/**
 * An HTTP agent (undici's, which Node.js's own fetch and nano use) that trusts the CA and
 * presents the client certificate of a `tls` key; without one, the process-wide default agent.
 */
import { Agent, type Dispatcher } from 'undici';
import type { TlsConfig } from '../util/tls';
import { tlsConnectionOptions } from '../util/tls-options';

export function tlsAgent(tls: TlsConfig | undefined): Dispatcher | undefined {
  return tls ? new Agent({ connect: tlsConnectionOptions(tls) }) : undefined;
}

/** fetch() options for a `tls` key: spread them into every request. */
export function fetchTls(tls: TlsConfig | undefined): { dispatcher?: Dispatcher } {
  const dispatcher = tlsAgent(tls);
  return dispatcher ? { dispatcher } : {};
}
