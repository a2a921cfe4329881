/**
 * An HTTP agent (undici's, which Node.js's own fetch and nano use) that trusts the CA and
 * presents the client certificate of a `tls` key; without one, the process-wide default agent.
 */
import type { Dispatcher } from 'undici';
import type { TlsConfig } from '../util/tls';
import { tlsConnectionOptions } from '../util/tls-options';

export function tlsAgent(tls: TlsConfig | undefined): Dispatcher | undefined {
  if (!tls) return undefined;
  // Loaded on first use: only a `tls` key needs undici's own Agent (fetch brings Node.js's
  // undici), and loading it costs a source poller without one about 6 MiB and 90 modules.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { Agent } = require('undici') as typeof import('undici');
  return new Agent({ connect: tlsConnectionOptions(tls) });
}

/** fetch() options for a `tls` key: spread them into every request. */
export function fetchTls(tls: TlsConfig | undefined): { dispatcher?: Dispatcher } {
  const dispatcher = tlsAgent(tls);
  return dispatcher ? { dispatcher } : {};
}
