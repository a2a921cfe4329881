/** @elastic/elasticsearch clients built from a sink's config: API key or Basic auth, TLS with a CA file or a CA fingerprint. */
import { Client, type ClientOptions } from '@elastic/elasticsearch';
import { tlsConnectionOptions } from '../../util/tls-options';
import type { ElasticsearchSinkConfig } from './config';

function auth(config: ElasticsearchSinkConfig): ClientOptions['auth'] {
  if (config.apiKey) return { apiKey: config.apiKey };
  if (config.username && config.password) return { username: config.username, password: config.password };
  return undefined;
}

function tls(config: ElasticsearchSinkConfig): Pick<ClientOptions, 'tls' | 'caFingerprint'> {
  if (!config.tls) return {};
  const { caFingerprint, ...files } = config.tls;
  // A pinned CA is checked by the client after the handshake; Node.js's own check would refuse a private CA first.
  if (caFingerprint) return { caFingerprint, tls: { ...tlsConnectionOptions(files), rejectUnauthorized: false } };
  return { tls: tlsConnectionOptions(files) };
}

export function createElasticsearch(config: ElasticsearchSinkConfig): Client {
  return new Client({
    node: config.node,
    auth: auth(config),
    ...tls(config),
    requestTimeout: config.requestTimeoutMs,
    // wharf retries with its own backoff and metrics; the client's blind retries would hide outages.
    maxRetries: 0,
  });
}
