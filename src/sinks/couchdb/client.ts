/**
 * nano (CouchDB) clients built from a sink's config; credentials go in the URL nano parses
 * (nano scrubs them from its errors). Requests time out after undici's 30 s defaults.
 */
import nano, { type ServerScope } from 'nano';
import type { CouchdbSinkConfig } from './config';

export function createCouchdb(config: CouchdbSinkConfig): ServerScope {
  const url = new URL(config.url);
  if (config.username && config.password) {
    url.username = encodeURIComponent(config.username);
    url.password = encodeURIComponent(config.password);
  }
  return nano({ url: url.toString().replace(/\/$/, '') });
}
