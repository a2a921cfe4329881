/**
 * The local stack's endpoints, read the way wharf reads them: through config/actors.json and
 * its environment interpolation (WHARF_KAFKA_PORT, ...). A server that is not there fails the
 * test; nothing is skipped.
 */
import { resolve } from 'node:path';
import { loadConfigFile } from '../../src/config/load';
import type { WharfConfig } from '../../src/config/schema';
import type { CouchdbSinkConfig } from '../../src/sinks/couchdb/config';
import type { ElasticsearchSinkConfig } from '../../src/sinks/elasticsearch/config';
import { createLogger } from '../../src/log';

export const REPO_ROOT = resolve(__dirname, '../../..');
export const DEFAULT_CONFIG_FILE = resolve(REPO_ROOT, 'config/actors.json');

export function localConfig(): WharfConfig {
  return loadConfigFile(DEFAULT_CONFIG_FILE);
}

export function localElasticsearch(): ElasticsearchSinkConfig {
  const sink = localConfig().sinks.find((s) => s.type === 'elasticsearch');
  if (!sink || sink.type !== 'elasticsearch') throw new Error('config/actors.json has no elasticsearch sink');
  return sink;
}

export function localCouchdb(): CouchdbSinkConfig {
  const sink = localConfig().sinks.find((s) => s.type === 'couchdb');
  if (!sink || sink.type !== 'couchdb') throw new Error('config/actors.json has no couchdb sink');
  return sink;
}

export const quietLogger = createLogger({ level: 'silent' });
