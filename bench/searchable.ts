/**
 * Searchable-while-loading benchmark (not a test), on the local stack's Elasticsearch. A steady
 * query load (4 a second: a match query and a terms aggregation, alternately) runs against an
 * index of 50,000 documents, in three phases of equal length:
 *   1. idle: the queries alone;
 *   2. fixed: wharf's Elasticsearch writers loading another index at full speed with adaptive
 *      concurrency off (`adaptiveConcurrency.enabled: false`: always `max` requests);
 *   3. adaptive: the same load with adaptive concurrency on (the defaults).
 * It prints each phase's query p50 and p99, the p99's ratio to idle, and the load's docs/s (and
 * adaptive's ratio to fixed), per run and as medians of the runs. Target (issue 13): p99 within
 * 2x idle while loading at >= 0.7 of the fixed rate. The two load phases alternate their order
 * from run to run, so that neither always comes first. Every index it creates is deleted, on
 * failure and Ctrl-C too. The machine is shared: figures are noisy.
 *
 * Run: npm run bench:searchable [-- --runs 3 --seconds 20 --docs 50000]
 */
import { parseArgs } from 'node:util';
import { ADAPTIVE_DEFAULTS, AdaptiveConcurrencySchema } from '../src/sinks/adaptive/config';
import { createElasticsearch } from '../src/sinks/elasticsearch/client';
import { storeIndexName } from '../src/sinks/elasticsearch/store-index';
import { benchDocument, benchRecords, INDEX_MAPPINGS } from './pipeline/records';
import { localStack, runName } from './pipeline/stack';
import { loadUntil, type LoadShape } from './searchable/loader';
import { percentile, runQueries, type QueryLatencies } from './searchable/query-load';

const QUERIES_PER_SECOND = 4;
/** The default topology: two consumer processes, a 6-partition topic (3 partitions each), consumer batches of about 1 MB. */
const SHAPE: LoadShape = { consumers: 2, partitions: 3, batch: 1000 };

interface Phase {
  queries: QueryLatencies;
  docsPerSecond?: number;
  final?: string[];
}

const { values } = parseArgs({ options: { runs: { type: 'string', default: '3' }, seconds: { type: 'string', default: '20' }, docs: { type: 'string', default: '50000' } } });
const RUNS = Number(values.runs);
const SECONDS = Number(values.seconds);
const DOCS = Number(values.docs);

const stack = localStack();
const client = createElasticsearch(stack.elasticsearch);
const created: string[] = [];
const fmt = (v: number | undefined, digits = 0) => (v === undefined || Number.isNaN(v) ? '-' : v.toFixed(digits));

async function seedQueryIndex(index: string): Promise<void> {
  created.push(index);
  await client.indices.create({ index, mappings: INDEX_MAPPINGS, settings: { number_of_shards: 1, number_of_replicas: 0 } });
  const records = benchRecords(DOCS);
  const ingestedAt = new Date().toISOString();
  for (let i = 0; i < records.length; i += 1000) {
    await client.bulk({ operations: records.slice(i, i + 1000).flatMap((r) => { const { id, doc } = benchDocument(r, ingestedAt); return [{ index: { _index: index, _id: id } }, doc]; }) });
  }
  await client.indices.refresh({ index });
  await client.indices.forcemerge({ index, max_num_segments: 1 });
}

async function phase(queryIndex: string, adaptive?: boolean): Promise<Phase> {
  const stop = new AbortController();
  const queries = runQueries(client, queryIndex, QUERIES_PER_SECOND, stop.signal);
  if (adaptive === undefined) {
    await new Promise((resolve) => setTimeout(resolve, SECONDS * 1000));
    stop.abort();
    return { queries: await queries };
  }
  const index = `${runName()}-${adaptive ? 'adaptive' : 'fixed'}`;
  created.push(index, storeIndexName(index));
  const config = adaptive ? ADAPTIVE_DEFAULTS : AdaptiveConcurrencySchema.parse({ enabled: false });
  setTimeout(() => stop.abort(), SECONDS * 1000);
  const load = await loadUntil({ ...stack.elasticsearch, mappings: INDEX_MAPPINGS as Record<string, unknown> }, index, config, SHAPE, stop.signal);
  const result = { queries: await queries, docsPerSecond: load.docs / load.seconds, final: load.final };
  await client.indices.delete({ index: [index, storeIndexName(index)], ignore_unavailable: true });
  await new Promise((resolve) => setTimeout(resolve, 3000)); // let the deletion settle before the next phase
  return result;
}

function row(name: string, p: Phase, idleP99: number, fixedRate?: number): string {
  const ratio = p.docsPerSecond !== undefined && fixedRate ? fmt(p.docsPerSecond / fixedRate, 2) : '-';
  return `| ${name} | ${fmt(p.queries.p50Ms)} | ${fmt(p.queries.p99Ms)} | ${fmt(p.queries.p99Ms / idleP99, 1)} | ${fmt(p.docsPerSecond)} | ${ratio} | ${p.queries.count}/${p.queries.failed} | ${p.final?.join(' ') ?? ''} |`;
}

async function main(): Promise<void> {
  const queryIndex = `${runName()}-queries`;
  console.log(`seeding ${DOCS} documents into ${queryIndex} ...`);
  await seedQueryIndex(queryIndex);
  const runs: Array<{ idle: Phase; fixed: Phase; adaptive: Phase }> = [];
  for (let run = 1; run <= RUNS; run++) {
    const idle = await phase(queryIndex);
    const [first, second] = run % 2 === 1 ? [false, true] : [true, false];
    const a = await phase(queryIndex, first);
    const b = await phase(queryIndex, second);
    const [fixed, adaptive] = first ? [b, a] : [a, b];
    runs.push({ idle, fixed, adaptive });
    console.log(`\nrun ${run} (${first ? 'adaptive' : 'fixed'} first)\n| phase | p50 ms | p99 ms | p99/idle | docs/s | vs fixed | queries/failed | final limit x size per writer |\n|---|---|---|---|---|---|---|---|`);
    console.log([row('idle', idle, idle.queries.p99Ms), row('fixed', fixed, idle.queries.p99Ms), row('adaptive', adaptive, idle.queries.p99Ms, fixed.docsPerSecond)].join('\n'));
  }
  const median = (f: (r: (typeof runs)[number]) => number) => percentile(runs.map(f), 50);
  const idleP99 = median((r) => r.idle.queries.p99Ms);
  const fixedRate = median((r) => r.fixed.docsPerSecond!);
  const adaptiveRate = median((r) => r.adaptive.docsPerSecond!);
  console.log(`\nmedians of ${runs.length} runs (${SECONDS} s phases, ${QUERIES_PER_SECOND} queries/s on ${DOCS} documents; load: ${SHAPE.consumers} writers x ${SHAPE.partitions} partitions, batches of ${SHAPE.batch} 1 KB records)`);
  console.log('| phase | query p50 ms | query p99 ms | p99 / idle p99 | load docs/s | load vs fixed |\n|---|---|---|---|---|---|');
  console.log(`| idle | ${fmt(median((r) => r.idle.queries.p50Ms))} | ${fmt(idleP99)} | 1.0 | - | - |`);
  console.log(`| fixed concurrency | ${fmt(median((r) => r.fixed.queries.p50Ms))} | ${fmt(median((r) => r.fixed.queries.p99Ms))} | ${fmt(median((r) => r.fixed.queries.p99Ms / r.idle.queries.p99Ms), 1)} | ${fmt(fixedRate)} | 1.00 |`);
  console.log(`| adaptive concurrency | ${fmt(median((r) => r.adaptive.queries.p50Ms))} | ${fmt(median((r) => r.adaptive.queries.p99Ms))} | ${fmt(median((r) => r.adaptive.queries.p99Ms / r.idle.queries.p99Ms), 1)} | ${fmt(adaptiveRate)} | ${fmt(median((r) => r.adaptive.docsPerSecond! / r.fixed.docsPerSecond!), 2)} |`);
  console.log(`target: adaptive p99 <= 2.0 x idle while loading at >= 0.70 of fixed; the machine is shared (figures taken under others' load)`);
}

async function cleanup(): Promise<void> {
  if (created.length > 0) await client.indices.delete({ index: created, ignore_unavailable: true }).catch((err: unknown) => console.error(`cleanup: ${String(err)}`));
  created.length = 0;
  await client.close();
}

process.once('SIGINT', () => void cleanup().finally(() => process.exit(130)));
main()
  .catch((err: unknown) => {
    console.error(err);
    process.exitCode = 1;
  })
  .finally(() => void cleanup());
