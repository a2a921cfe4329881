/** @elastic/elasticsearch clients built from a sink's config. */
import { Client } from '@elastic/elasticsearch';
import type { ElasticsearchSinkConfig } from './config';

export function createElasticsearch(config: ElasticsearchSinkConfig): Client {
  return new Client({
    node: config.node,
    auth: config.username && config.password ? { username: config.username, password: config.password } : undefined,
    requestTimeout: config.requestTimeoutMs,
    // wharf retries with its own backoff and metrics; the client's blind retries would hide outages.
    maxRetries: 0,
  });
}
