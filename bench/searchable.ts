/**
 * Searchable-while-loading benchmark (not a test), on the local stack's Elasticsearch. A steady
 * query load (4 a second: a match query and a terms aggregation, alternately) runs against an
 * index of 50,000 documents, under three modes:
 *   - idle: the queries alone;
 *   - fixed: wharf's Elasticsearch writers loading another index at full speed with adaptive
 *     concurrency off (`adaptiveConcurrency.enabled: false`: always `max` requests);
 *   - adaptive: the same load with adaptive concurrency on (the defaults, or `--adaptive` JSON
 *     over them, e.g. '{"maxRttOverFloor":1.5}');
 *   - paced (with `--paced N`): adaptive under the sink's maxDocsPerSecond, N for the whole load.
 * The machine is shared, and its load drifts over a minute: so each run interleaves short
 * slices of the three modes (in a rotating order), and a mode's figures pool its slices. A load
 * slice ends once its requests in flight are done (that time counts as the load's, its queries
 * as no mode's), and the first second of each slice is not counted either.
 * Each load keeps its writers (and their controllers) across its slices, as a running consumer.
 * Per run and as medians of the runs it prints each mode's query p50 and p99, the p99's ratio
 * to idle, and the load's docs/s while active (and adaptive's ratio to fixed). Target (issue
 * 13): p99 within 2x idle while loading at >= 0.7 of the fixed rate. Every index it creates is
 * deleted, on failure and Ctrl-C too.
 *
 * Run: npm run bench:searchable [-- --runs 3 --cycles 4 --slice 6 --docs 50000 --adaptive '{}' --paced 8000]
 */
import { parseArgs } from 'node:util';
import { AdaptiveConcurrencySchema } from '../src/sinks/adaptive/config';
import { createElasticsearch } from '../src/sinks/elasticsearch/client';
import { storeIndexName } from '../src/sinks/elasticsearch/store-index';
import { benchDocument, benchRecords, INDEX_MAPPINGS } from './pipeline/records';
import { localStack, runName } from './pipeline/stack';
import { PausableLoad, type LoadShape } from './searchable/loader';
import { percentile, runQueries } from './searchable/query-load';

const QUERIES_PER_SECOND = 4;
const SETTLE_MS = 1000;
/** The default topology: two consumer processes, a 6-partition topic (3 partitions each), consumer batches of about 1 MB. */
const SHAPE: LoadShape = { consumers: 2, partitions: 3, batch: 1000 };
type Mode = 'idle' | 'fixed' | 'adaptive' | 'paced';

interface ModeFigures {
  p50Ms: number;
  p99Ms: number;
  queries: number;
  docsPerSecond?: number;
  limits?: string[];
}

const { values } = parseArgs({ options: { runs: { type: 'string', default: '3' }, cycles: { type: 'string', default: '4' }, slice: { type: 'string', default: '6' }, docs: { type: 'string', default: '50000' }, adaptive: { type: 'string', default: '{}' }, paced: { type: 'string' } } });
/** `--paced N`: a fourth mode, adaptive under a ceiling of N documents a second for the whole load (the sink's maxDocsPerSecond, shared by its writers). */
const PACED = values.paced === undefined ? undefined : Number(values.paced);
if (PACED !== undefined && !(Number.isInteger(PACED) && PACED > 0)) throw new Error(`--paced: expected a positive integer (documents a second), got ${values.paced}`);
const MODES: Mode[] = PACED === undefined ? ['idle', 'fixed', 'adaptive'] : ['idle', 'fixed', 'adaptive', 'paced'];
/** Modes whose rate is compared with the fixed load's. */
const COMPARED: Mode[] = ['adaptive', 'paced'];
/** The adaptive mode's `adaptiveConcurrency` (JSON, over the defaults), to try other knobs. */
const ADAPTIVE = AdaptiveConcurrencySchema.parse(JSON.parse(values.adaptive));
const [RUNS, CYCLES, SLICE_MS, DOCS] = [Number(values.runs), Number(values.cycles), Number(values.slice) * 1000, Number(values.docs)];

const stack = localStack();
const client = createElasticsearch(stack.elasticsearch);
const created: string[] = [];
const fmt = (v: number | undefined, digits = 0) => (v === undefined || Number.isNaN(v) ? '-' : v.toFixed(digits));
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function seedQueryIndex(index: string): Promise<void> {
  created.push(index);
  await client.indices.create({ index, mappings: INDEX_MAPPINGS, settings: { number_of_shards: 1, number_of_replicas: 0 } });
  const records = benchRecords(DOCS);
  const ingestedAt = new Date().toISOString();
  for (let i = 0; i < records.length; i += 1000) {
    const operations = records.slice(i, i + 1000).flatMap((r) => {
      const { id, doc } = benchDocument(r, ingestedAt);
      return [{ index: { _index: index, _id: id } }, doc];
    });
    await client.bulk({ operations });
  }
  await client.indices.refresh({ index });
}

type RunFigures = Partial<Record<Mode, ModeFigures>> & Record<'idle' | 'fixed', ModeFigures>;

async function run(queryIndex: string): Promise<RunFigures> {
  const sink = { ...stack.elasticsearch, mappings: INDEX_MAPPINGS as Record<string, unknown> };
  const loads: Partial<Record<Mode, PausableLoad>> = {
    fixed: new PausableLoad(sink, `${runName()}-fixed`, AdaptiveConcurrencySchema.parse({ enabled: false }), SHAPE),
    adaptive: new PausableLoad(sink, `${runName()}-adaptive`, ADAPTIVE, SHAPE),
    ...(PACED === undefined ? {} : { paced: new PausableLoad(sink, `${runName()}-paced`, ADAPTIVE, SHAPE, PACED) }),
  };
  for (const load of Object.values(loads)) created.push(load.index, storeIndexName(load.index));
  await Promise.all(Object.values(loads).map((load) => load.start()));
  let current: Mode | undefined;
  const stop = new AbortController();
  const queries = runQueries(client, queryIndex, QUERIES_PER_SECOND, () => current, stop.signal);
  try {
    for (let cycle = 0; cycle < CYCLES; cycle++) {
      for (let i = 0; i < MODES.length; i++) {
        const mode = MODES[(cycle + i) % MODES.length];
        current = undefined;
        if (mode !== 'idle') loads[mode]!.resume();
        await sleep(SETTLE_MS);
        current = mode;
        await sleep(SLICE_MS - SETTLE_MS);
        if (mode !== 'idle') {
          current = undefined;
          await loads[mode]!.pause();
        }
      }
    }
  } finally {
    stop.abort();
    await Promise.all(Object.values(loads).map((load) => load.stop()));
  }
  const { latencies } = await queries;
  const figures = (mode: Mode): ModeFigures => {
    const values = latencies.get(mode) ?? [];
    const load = loads[mode];
    return { p50Ms: percentile(values, 50), p99Ms: percentile(values, 99), queries: values.length, docsPerSecond: load && load.docs / (load.activeMs / 1000), limits: load?.limits() };
  };
  await client.indices.delete({ index: Object.values(loads).flatMap((l) => [l.index, storeIndexName(l.index)]), ignore_unavailable: true });
  return Object.fromEntries(MODES.map((mode) => [mode, figures(mode)])) as RunFigures;
}

function table(rows: Array<[string, ModeFigures | undefined, string, string]>): string {
  return ['| mode | query p50 ms | query p99 ms | p99 / idle p99 | load docs/s | load vs fixed | queries | final limit x size per writer |', '|---|---|---|---|---|---|---|---|']
    .concat(rows.map(([name, f, ratio, rate]) => `| ${name} | ${fmt(f?.p50Ms)} | ${fmt(f?.p99Ms)} | ${ratio} | ${fmt(f?.docsPerSecond)} | ${rate} | ${f?.queries ?? '-'} | ${f?.limits?.join(' ') ?? ''} |`))
    .join('\n');
}

async function main(): Promise<void> {
  const queryIndex = `${runName()}-queries`;
  console.log(`seeding ${DOCS} documents into ${queryIndex} ...`);
  await seedQueryIndex(queryIndex);
  const runs: RunFigures[] = [];
  const vsFixed = (r: RunFigures, m: Mode) => r[m]!.docsPerSecond! / r.fixed.docsPerSecond!;
  for (let n = 1; n <= RUNS; n++) {
    const r = await run(queryIndex);
    runs.push(r);
    console.log(`\nrun ${n}`);
    console.log(table(MODES.map((m) => [m, r[m], fmt(r[m]!.p99Ms / r.idle.p99Ms, 1), COMPARED.includes(m) ? fmt(vsFixed(r, m), 2) : '-'])));
  }
  const median = (f: (r: RunFigures) => number) => percentile(runs.map(f), 50);
  const medians = (m: Mode): ModeFigures => ({ p50Ms: median((r) => r[m]!.p50Ms), p99Ms: median((r) => r[m]!.p99Ms), queries: median((r) => r[m]!.queries), docsPerSecond: m === 'idle' ? undefined : median((r) => r[m]!.docsPerSecond!) });
  console.log(`\nmedians of ${runs.length} runs (each: ${CYCLES} interleaved slices of ${SLICE_MS / 1000} s per mode, the first ${SETTLE_MS / 1000} s of each not counted; ${QUERIES_PER_SECOND} queries/s on ${DOCS} documents; load: ${SHAPE.consumers} writers x ${SHAPE.partitions} partitions, batches of ${SHAPE.batch} 1 KB records)`);
  console.log(table(MODES.map((m) => [m, medians(m), m === 'idle' ? '1.0' : fmt(median((r) => r[m]!.p99Ms / r.idle.p99Ms), 1), COMPARED.includes(m) ? fmt(median((r) => vsFixed(r, m)), 2) : '-'])));
  console.log(`adaptive: ${JSON.stringify(ADAPTIVE)}${PACED === undefined ? '' : `; paced: the same under maxDocsPerSecond ${PACED} for the whole load`}`);
  console.log('target: adaptive p99 <= 2.0 x idle while loading at >= 0.70 of fixed. The machine is shared: figures are taken under other engineers\' load.');
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
