/**
 * Node.js TLS options from a configured `tls` key (util/tls.ts has its schema and semantics):
 * the files it names are read here, by the process that builds the client. Every actor process
 * loads this; it needs the key's type only, so zod stays out of them.
 */
import { readFileSync } from 'node:fs';
import type { ConnectionOptions } from 'node:tls';
import type { TlsConfig } from './tls';

/** Node.js TLS options from a `tls` key: the files read now. */
export function tlsConnectionOptions(tls: TlsConfig): ConnectionOptions {
  return {
    ...(tls.caFile ? { ca: readFileSync(tls.caFile) } : {}),
    ...(tls.certFile ? { cert: readFileSync(tls.certFile) } : {}),
    ...(tls.keyFile ? { key: readFileSync(tls.keyFile) } : {}),
    ...(tls.serverName ? { servername: tls.serverName } : {}),
  };
}
