/**
 * nano (CouchDB) clients built from a sink's config; credentials go in the URL nano parses
 * (nano scrubs them from its errors), TLS options into its HTTP agent. Requests time out after
 * undici's 30 s defaults.
 */
import nano, { type Configuration, type ServerScope } from 'nano';
import { tlsAgent } from '../../http/tls-agent';
import type { CouchdbSinkConfig } from './config';

export function createCouchdb(config: CouchdbSinkConfig): ServerScope {
  const url = new URL(config.url);
  if (config.username && config.password) {
    url.username = encodeURIComponent(config.username);
    url.password = encodeURIComponent(config.password);
  }
  const agent = tlsAgent(config.tls);
  // nano's typings ask for the agent's class, its code (and docs) for an instance.
  return nano({ url: url.toString().replace(/\/$/, ''), ...(agent ? { agentOptions: agent as unknown as Configuration['agentOptions'] } : {}) });
}
