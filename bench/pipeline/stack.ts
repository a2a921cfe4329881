/**
 * The local stack as the pipeline benchmark uses it: endpoints read through config/actors.json
 * and its environment interpolation, as wharf reads them; one unique name per run for every
 * topic, consumer group, index, database and znode it creates; and their removal, which runs
 * whatever happened before it and reports what it could not remove.
 */
import { randomBytes } from 'node:crypto';
import { resolve } from 'node:path';
import { createCouchdb } from '../../src/sinks/couchdb/client';
import { createElasticsearch } from '../../src/sinks/elasticsearch/client';
import { storeIndexName } from '../../src/sinks/elasticsearch/store-index';
import { createKafka } from '../../src/kafka/client';
import { connectZookeeper, zkCall, type ZookeeperClient } from '../../src/coordination/zookeeper';
import { loadConfigFile } from '../../src/config/load';
import type { WharfConfig } from '../../src/config/schema';
import type { CouchdbSinkConfig } from '../../src/sinks/couchdb/config';
import type { ElasticsearchSinkConfig } from '../../src/sinks/elasticsearch/config';
import { describeError } from '../../src/errors';
import { createLogger } from '../../src/log';
import { stackServerPids, type ServerPids } from './metrics';

/** The repository root, from dist/bench/pipeline/. */
export const REPO_ROOT = resolve(__dirname, '../../..');
export const quietLogger = createLogger({ level: 'silent' });

export interface LocalStack {
  config: WharfConfig;
  elasticsearch: ElasticsearchSinkConfig;
  couchdb: CouchdbSinkConfig;
  /** Each server's processes (for their CPU time), where `scripts/stack status` tells. */
  serverPids: ServerPids;
}

export function localStack(): LocalStack {
  const config = loadConfigFile(resolve(REPO_ROOT, 'config/actors.json'));
  const elasticsearch = config.sinks.find((s) => s.type === 'elasticsearch');
  const couchdb = config.sinks.find((s) => s.type === 'couchdb');
  if (elasticsearch?.type !== 'elasticsearch' || couchdb?.type !== 'couchdb') throw new Error('config/actors.json needs an elasticsearch and a couchdb sink');
  return { config, elasticsearch, couchdb, serverPids: stackServerPids(REPO_ROOT) };
}

/** A lowercase name legal as a topic, group, index, database and znode. */
export function runName(): string {
  return `wbench-${Date.now().toString(36)}-${randomBytes(3).toString('hex')}`;
}

/** What a run created (registered before it is created); `removeAll` deletes it all and forgets it. */
export class Leftovers {
  readonly topics = new Set<string>();
  readonly groups = new Set<string>();
  readonly indices = new Set<string>();
  readonly databases = new Set<string>();
  readonly znodes = new Set<string>();

  constructor(private readonly stack: LocalStack) {}

  async removeAll(): Promise<string[]> {
    const failures: string[] = [];
    const attempt = async (what: string, remove: () => Promise<unknown>) => {
      try {
        await remove();
      } catch (err) {
        failures.push(`${what}: ${describeError(err)}`);
      }
    };
    const admin = createKafka(this.stack.config.kafka, quietLogger, 'wharf-bench-cleanup').admin();
    await attempt('kafka', async () => {
      await admin.connect();
      try {
        const groups = [...this.groups];
        if (groups.length > 0) {
          // A group never joined (a run stopped before wharf started) is not there to delete.
          await attempt(`groups ${groups.join(', ')}`, () => ignoring(/GROUP_ID_NOT_FOUND|does not exist/i, () => admin.deleteGroups(groups)));
        }
        const existing = new Set(await admin.listTopics());
        const topics = [...this.topics].filter((t) => existing.has(t));
        if (topics.length > 0) await attempt(`topics ${topics.join(', ')}`, () => admin.deleteTopics({ topics }));
      } finally {
        await admin.disconnect();
      }
    });
    const es = createElasticsearch(this.stack.elasticsearch);
    // wharf's index is an alias over its store index (sinks/elasticsearch/store-index.ts): both names go.
    for (const index of [...this.indices].flatMap((i) => [i, storeIndexName(i)])) {
      await attempt(`index ${index}`, () => ignoring(/alias/i, () => es.indices.delete({ index, ignore_unavailable: true })));
    }
    await es.close();
    const couch = createCouchdb(this.stack.couchdb);
    for (const db of this.databases) {
      await attempt(`database ${db}`, () => ignoring(/not_found|404|missing/i, () => couch.db.destroy(db)));
    }
    if (this.znodes.size > 0) {
      await attempt('zookeeper', async () => {
        const zk = await connectZookeeper(this.stack.config.zookeeper);
        try {
          for (const path of this.znodes) await attempt(`znode ${path}`, () => removeTree(zk, path));
        } finally {
          zk.close();
        }
      });
    }
    for (const names of [this.topics, this.groups, this.indices, this.databases, this.znodes]) names.clear();
    return failures;
  }
}

/** Runs `remove`; a failure whose description matches `gone` means there was nothing to remove. */
async function ignoring(gone: RegExp, remove: () => Promise<unknown>): Promise<void> {
  try {
    await remove();
  } catch (err) {
    let detail = describeError(err);
    try {
      detail += ` ${JSON.stringify(err)}`; // the status or error code a client keeps on its error object
    } catch {
      // circular: the message alone
    }
    if (!gone.test(detail)) throw err;
  }
}

/** Removes a znode and everything below it; a node already gone is fine. */
async function removeTree(zk: ZookeeperClient, path: string): Promise<void> {
  await ignoring(/NO_NODE/, async () => {
    const children = await zkCall<string[]>((done) => zk.getChildren(path, done));
    for (const child of children) await removeTree(zk, `${path}/${child}`);
    await zkCall<void>((done) => zk.remove(path, -1, (error) => done(error, undefined)));
  });
}
