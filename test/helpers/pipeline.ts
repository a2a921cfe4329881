/**
 * Runs `wharf run` with one http-json source (a DemoUpstream) into fresh, uniquely named Kafka
 * topics, consumer group, ZooKeeper root, Elasticsearch index and CouchDB database, and reads
 * back what arrived. On the local stack by default, or on another (the secured stack:
 * test/helpers/secure-pipeline.ts) given as a PipelineStack.
 */
import { expect } from 'chai';
import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { WharfConfig } from '../../src/config/schema';
import { createCouchdb } from '../../src/sinks/couchdb/client';
import type { CouchdbSinkConfig } from '../../src/sinks/couchdb/config';
import { createElasticsearch } from '../../src/sinks/elasticsearch/client';
import { storeIndexName } from '../../src/sinks/elasticsearch/store-index';
import type { ElasticsearchSinkConfig } from '../../src/sinks/elasticsearch/config';
import { DemoUpstream } from '../../src/demo/upstream-server';
import { localConfig, localCouchdb, localElasticsearch, REPO_ROOT } from './local-stack';
import { uniqueName } from './names';
import { WharfProcess } from './wharf-process';

/**
 * Where a PipelineRun runs: the configuration wharf gets (its sections as written in a file, so
 * secrets may be file references) and what the test itself reads the sinks with (an operator's
 * credentials).
 */
export interface PipelineStack {
  /** Prefix of every name (topics, group, index, database): the secured stack's ACLs and role cover only theirs. */
  prefix: string;
  /** The znode under which each run has its root (a creator-only parent must not be shared with runs without its credentials). */
  zookeeperParent: string;
  kafka: object;
  zookeeper: object;
  elasticsearch: object;
  couchdb: object;
  /** Further top-level sections (e.g. metrics with a token). */
  sections?: object;
  /** What the test reads and manages the sinks with. */
  operator: { elasticsearch: ElasticsearchSinkConfig; couchdb: CouchdbSinkConfig };
}

export function localStack(): PipelineStack {
  const base = localConfig();
  const elasticsearch = localElasticsearch();
  const couchdb = localCouchdb();
  return { prefix: 'pipe', zookeeperParent: '/wharf-test', kafka: base.kafka, zookeeper: base.zookeeper, elasticsearch, couchdb, operator: { elasticsearch, couchdb } };
}

export class PipelineRun {
  readonly name: string;
  readonly upstream = new DemoUpstream({ port: 0, pageSize: 100 });
  readonly es: ReturnType<typeof createElasticsearch>;
  readonly couch: ReturnType<typeof createCouchdb>;
  wharf?: WharfProcess;
  configFile = '';

  constructor(readonly stack: PipelineStack = localStack()) {
    this.name = uniqueName(stack.prefix);
    this.es = createElasticsearch(stack.operator.elasticsearch);
    this.couch = createCouchdb(stack.operator.couchdb);
  }

  /** The configuration file's content (written by start()); a test may change and rewrite it, then reload. */
  config: Record<string, unknown> & Partial<Record<keyof WharfConfig, unknown>> = {};

  async start(
    extra: {
      consumerRetry?: object;
      consumers?: object;
      /** Keys of pipeline.pollers (e.g. its mode). */
      pollers?: object;
      sources?: object[];
      source?: object;
      moreSources?: object[];
      zookeeper?: object;
      sinks?: object[];
      moreSinks?: object[];
      waitUntilHealthy?: boolean;
    } = {},
  ): Promise<void> {
    await this.upstream.start();
    const { stack } = this;
    const config = {
      ...stack.sections,
      kafka: { ...stack.kafka, topic: `${this.name}.records`, dlqTopic: `${this.name}.dlq`, partitions: 6 },
      zookeeper: { ...stack.zookeeper, root: `${stack.zookeeperParent}/${this.name}`, ...extra.zookeeper },
      metrics: { port: 0, ...(stack.sections as { metrics?: object } | undefined)?.metrics },
      // `source`: keys added to the default http-json source (its URL is known only once the upstream listens).
      // `moreSources`: sources polled besides it.
      sources: extra.sources ?? [{ id: 'orders', type: 'http-json', url: this.upstream.url, intervalMs: 300, deletedField: 'deleted', ...extra.source }, ...(extra.moreSources ?? [])],
      // `moreSinks`: sinks written besides the two (the HDFS archive).
      sinks: extra.sinks ?? [this.esSink(stack.elasticsearch), { ...stack.couchdb, db: this.name }, ...(extra.moreSinks ?? [])],
      pipeline: {
        consumers: { count: 2, groupId: `${this.name}-sinks`, retry: { minMs: 200, maxMs: 2000, ...extra.consumerRetry }, ...extra.consumers },
        ...(extra.pollers ? { pollers: extra.pollers } : {}),
      },
    };
    this.config = config;
    this.configFile = join(mkdtempSync(join(tmpdir(), 'wharf-pipe-')), 'actors.json');
    this.writeConfig();
    await this.restart(extra.waitUntilHealthy ?? true);
  }

  /** An Elasticsearch sink on this run's index, with the run's mappings. */
  esSink(sink: object): object {
    return { ...sink, index: this.name, mappings: { properties: { amount: { type: 'integer' } } } };
  }

  /** Writes `config` to the configuration file (for a restart or a reload). */
  writeConfig(): void {
    writeFileSync(this.configFile, JSON.stringify(this.config));
  }

  /** Starts `wharf run` (again) on the same configuration, once the last one exited. */
  async restart(waitUntilHealthy = true): Promise<void> {
    this.wharf = new WharfProcess(['run', '--config', this.configFile, '--pid-file', `${this.configFile}.pid`]);
    if (waitUntilHealthy) await this.wharf.waitForLog((l) => l.msg === 'wharf healthy', 60_000);
  }

  esCount(): Promise<number> {
    return this.es.indices
      .refresh({ index: this.name })
      .then(() => this.es.count({ index: this.name }))
      .then((r) => r.count);
  }

  /** Every document id in the index, sorted (ids are unique by construction: this shows which). */
  async esIds(): Promise<string[]> {
    await this.es.indices.refresh({ index: this.name });
    const found = await this.es.search({ index: this.name, size: 10_000, _source: false, sort: ['_doc'] });
    return found.hits.hits.map((h) => h._id!).sort();
  }

  /** Every document id in the database, sorted (design documents left out). */
  async couchIds(): Promise<string[]> {
    const listed = await this.couch.use(this.name).list();
    return listed.rows.map((r) => r.id).filter((id) => !id.startsWith('_design/')).sort();
  }

  couchCount(): Promise<number> {
    return this.couch
      .use(this.name)
      .info()
      .then((i) => i.doc_count);
  }

  async stop(): Promise<void> {
    if (this.wharf) {
      this.wharf.signal('SIGTERM');
      await Promise.race([this.wharf.exited, new Promise((r) => setTimeout(r, 30_000))]);
      this.wharf.signal('SIGKILL');
    }
    await this.upstream.stop();
    await this.es.indices.delete({ index: storeIndexName(this.name), ignore_unavailable: true }).catch(() => undefined);
    await this.es.close();
    await this.couch.db.destroy(this.name).catch(() => undefined);
  }
}

/**
 * Proves content, not counts: both sinks hold exactly the upstream's live ids (as `<source>:<id>`;
 * searches through the Elasticsearch alias and CouchDB's listing show no deleted record),
 * each document's own fields equal the upstream's last record of that id, both sinks hold the
 * same record version of it, and Elasticsearch's external version is that version; then
 * `wharf verify` exits 0.
 */
export async function expectSinksHoldNewest(run: PipelineRun, source = 'orders'): Promise<void> {
  const latest = run.upstream.latest();
  const ids = [...latest.keys()].map((id) => `${source}:${id}`).sort();
  await run.es.indices.refresh({ index: run.name });
  const found = await run.es.search<Record<string, unknown> & { wharf: { version: string } }>({ index: run.name, size: 10_000, version: true, sort: ['_doc'] });
  const es = new Map(found.hits.hits.map((h) => [h._id!, { doc: h._source!, version: h._version }]));
  const listed = await run.couch.use<Record<string, unknown> & { wharf: { version: string } }>(run.name).list({ include_docs: true });
  const couch = new Map(listed.rows.filter((r) => !r.id.startsWith('_design/')).map((r) => [r.id, r.doc!]));
  expect([...es.keys()].sort(), 'ids in Elasticsearch').to.deep.equal(ids);
  expect([...couch.keys()].sort(), 'ids in CouchDB').to.deep.equal(ids);
  const own = (doc: Record<string, unknown>) => Object.fromEntries(Object.entries(doc).filter(([key]) => key !== 'wharf' && !key.startsWith('_')));
  for (const [upstreamId, record] of latest) {
    const id = `${source}:${upstreamId}`;
    const [inEs, inCouch] = [es.get(id)!, couch.get(id)!];
    expect(own(inEs.doc), `${id} in Elasticsearch`).to.deep.equal(record);
    expect(own(inCouch), `${id} in CouchDB`).to.deep.equal(record);
    expect(inCouch.wharf.version, `${id}: one record version in both sinks`).to.equal(inEs.doc.wharf.version);
    expect(String(inEs.version), `${id}: Elasticsearch's external version`).to.equal(inEs.doc.wharf.version);
  }
  // And wharf's own reconciliation agrees: every record's newest version, in every sink.
  const verify = new WharfProcess(['verify', '--json', '--config', run.configFile]);
  expect(await verify.exited, `wharf verify found differences:\n${verify.stdout}${verify.stderr}`).to.equal(0);
}

/**
 * Starts a run whose upstream holds 100 orders, `orders:50` with an amount Elasticsearch's
 * mapping refuses: it returns once CouchDB holds all 100 and Elasticsearch the other 99 (the
 * 50th is a dead letter of stage `search`).
 */
export async function startWithPoison(run: PipelineRun): Promise<void> {
  run.upstream.add(49);
  run.upstream.add(1, () => ({ amount: 'not a number', status: 'poison' }));
  run.upstream.add(50);
  await run.start();
  await eventually(() => run.couchCount(), (n) => n === 100, 90_000, '100 in CouchDB');
  expect(await eventually(() => run.esCount(), (n) => n === 99, 90_000, '99 in Elasticsearch')).to.equal(99);
}

/** `orders:1` ... `orders:<count>`, sorted as `esIds()` and `couchIds()` are. */
export function expectedIds(count: number): string[] {
  return Array.from({ length: count }, (_, i) => `orders:${i + 1}`).sort();
}

export async function eventually<T>(probe: () => Promise<T>, accept: (value: T) => boolean, timeoutMs: number, what: string): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: T | undefined;
  for (;;) {
    last = await probe().catch(() => last);
    if (last !== undefined && accept(last)) return last;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; last: ${JSON.stringify(last)}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** Runs scripts/stack (e.g. to stop and start one server of the local stack). */
export function stack(...args: string[]): Promise<void> {
  return new Promise((done, fail) =>
    execFile(resolve(REPO_ROOT, 'scripts/stack'), args, { timeout: 300_000 }, (err, _stdout, stderr) =>
      err ? fail(new Error(`scripts/stack ${args.join(' ')} failed: ${stderr}`)) : done(),
    ),
  );
}
