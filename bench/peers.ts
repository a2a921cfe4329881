/**
 * The peers benchmark (not a test), on the local stack: in one invocation and on the same
 * deterministic 1 KB JSON records, `--runs` rounds (default 3) of three paths, each path's
 * ceiling, wharf and a peer one after the other, then ONE table of medians (docs/s, ratio to the
 * ceiling, CPU seconds per million documents, peak RSS summed over a tool's processes):
 *   - produce: source -> Kafka. wharf's source poller (http-json upstream, no consumer) against
 *     kcat, the ceiling (produce-path.ts);
 *   - kafka -> es: N records already in a topic into Elasticsearch alone. The ceiling is a direct
 *     `_bulk` loader; wharf with only an Elasticsearch sink; Benthos v4.27.0, built on first use
 *     when Go is installed (kafka-to-es.ts, benthos.ts);
 *   - end to end: http-json source -> Kafka -> Elasticsearch and CouchDB. The ceiling is direct
 *     `_bulk` + `_bulk_docs` (direct-loader.ts); next to it the same loader doing what the newest
 *     version winning needs (external versions, CouchDB read before write); wharf run (end-to-end.ts).
 * Every run uses topics, groups, indexes, databases and znodes of its own, removed after each
 * phase (and on failure and Ctrl-C). Progress goes to stderr; the table, then one JSON line with
 * every run's figures, to stdout.
 *
 * `--compact` adds rows for wharf with every actor inside its own process (`mode: "in-memory"`,
 * heap limits as docs/footprint.md gives them) on the Kafka -> Elasticsearch and end-to-end paths.
 *
 * Run: npm run bench:peers [-- --records 100000 --es-records 200000 --runs 3 --batch 500 --only produce,kafka-es,end-to-end --compact]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { describeError } from '../src/errors';
import { benthosBinary, BENTHOS_VERSION } from './pipeline/benthos';
import { loadDirectly } from './pipeline/direct-loader';
import { runEndToEnd } from './pipeline/end-to-end';
import { benthosToElasticsearch, fillTopic, wharfToElasticsearch } from './pipeline/kafka-to-es';
import { kcatInput, measureProducePath, type ToolRun } from './pipeline/produce-path';
import { benchRecords, RECORD_BYTES } from './pipeline/records';
import { Leftovers, localStack, runName, type LocalStack } from './pipeline/stack';
import { figures, table, type PathRows, type Row } from './pipeline/table';
import { stopEveryWharf, type Placement } from './pipeline/wharf-child';

/** Records an upstream page holds (a poller produces a page a request). */
const PAGE_SIZE = 1000;
const PATHS = ['produce', 'kafka-es', 'end-to-end'] as const;
type Path = (typeof PATHS)[number];

interface Options {
  records: number;
  esRecords: number;
  runs: number;
  batchSize: number;
  only: Set<Path>;
  /** Also run wharf with every actor inside its own process (the compact placement). */
  compact: boolean;
}

function options(): Options {
  const { values } = parseArgs({
    options: {
      records: { type: 'string', default: '100000' },
      'es-records': { type: 'string', default: '200000' },
      runs: { type: 'string', default: '3' },
      batch: { type: 'string', default: '500' },
      only: { type: 'string', default: PATHS.join(',') },
      compact: { type: 'boolean', default: false },
    },
  });
  const int = (name: string, text: string, min: number, max: number) => {
    const n = Number(text);
    if (!Number.isInteger(n) || n < min || n > max) throw new Error(`--${name}: expected an integer from ${min} to ${max}, got ${text}`);
    return n;
  };
  const only = new Set(values.only.split(',').map((p) => p.trim()));
  for (const p of only) if (!(PATHS as readonly string[]).includes(p)) throw new Error(`--only: expected some of ${PATHS.join(', ')}, got ${p}`);
  return {
    records: int('records', values.records, PAGE_SIZE, 10_000_000),
    esRecords: int('es-records', values['es-records'], 1000, 10_000_000),
    runs: int('runs', values.runs, 1, 9),
    batchSize: int('batch', values.batch, 1, 10_000),
    only: only as Set<Path>,
    compact: values.compact,
  };
}

const log = (line: string) => console.error(line);
const brief = (run: ToolRun) => `${Math.round(run.count / run.seconds)} docs/s, ${((run.cpuSeconds / run.count) * 1e6).toFixed(1)} CPU s/M, ${Math.round(run.peakRssBytes / 2 ** 20)} MiB`;

/** Runs `measure`, logs its figures, and keeps them in `row` at run `i`; a failure is logged and leaves a gap. */
async function attempt(row: Row, i: number, measure: () => Promise<ToolRun>): Promise<void> {
  try {
    const run = await measure();
    row.runs[i] = run;
    log(`  run ${i + 1} ${row.path} / ${row.tool}: ${brief(run)}`);
  } catch (err) {
    log(`  run ${i + 1} ${row.path} / ${row.tool} failed: ${describeError(err)}`);
  }
}

async function main(): Promise<void> {
  const opts = options();
  const stack: LocalStack = localStack();
  const name = runName();
  const workDir = mkdtempSync(join(tmpdir(), 'wharf-bench-'));
  const leftovers = new Leftovers(stack);
  const shared = new Leftovers(stack);
  const interrupted = async (signal: string) => {
    log(`${signal}: stopping wharf and removing what this run created`);
    await stopEveryWharf();
    for (const l of [leftovers, shared]) for (const failure of await l.removeAll()) log(`cleanup: could not remove ${failure}`);
    rmSync(workDir, { recursive: true, force: true });
    process.exit(130);
  };
  process.once('SIGINT', () => void interrupted('SIGINT'));
  process.once('SIGTERM', () => void interrupted('SIGTERM'));
  const cleanup = async () => {
    for (const failure of await leftovers.removeAll()) log(`cleanup: could not remove ${failure}`);
  };
  const row = (path: string, tool: string): Row => ({ path, tool, runs: [] });
  const produce: PathRows = { ceiling: row('produce', 'kcat (ceiling)'), others: [row('produce', 'wharf poller')] };
  const kafkaEs: PathRows = { ceiling: row('kafka -> es', 'direct _bulk (ceiling)'), others: [row('kafka -> es', 'wharf (es sink only)'), row('kafka -> es', `Benthos ${BENTHOS_VERSION}`)] };
  const endToEnd: PathRows = {
    ceiling: row('end to end', 'direct _bulk + _bulk_docs (ceiling)'),
    others: [row('end to end', 'direct, newest wins (versions; CouchDB read before write)'), row('end to end', 'wharf')],
  };
  const benthosRow = kafkaEs.others[1];
  const compactKafkaEs = row('kafka -> es', 'wharf, compact (one process)');
  const compactEndToEnd = row('end to end', 'wharf, compact (one process)');
  if (opts.compact) {
    kafkaEs.others.splice(1, 0, compactKafkaEs);
    endToEnd.others.push(compactEndToEnd);
  }
  try {
    const records = benchRecords(Math.max(opts.records, opts.esRecords));
    const kcatFile = kcatInput(records.slice(0, opts.records), workDir, 'records');
    const esRecords = records.slice(0, opts.esRecords);
    const e2eRecords = records.slice(0, opts.records);
    let benthos: { path: string } | { skipped: string } = { skipped: 'not run' };
    const esTopic = `${name}.es-input`;
    if (opts.only.has('kafka-es')) {
      benthos = await benthosBinary(log);
      if ('skipped' in benthos) {
        benthosRow.skipped = benthos.skipped;
        log(`Benthos skipped: ${benthos.skipped}`);
      }
      log(`kafka -> es: putting ${opts.esRecords} records into ${esTopic}...`);
      shared.topics.add(esTopic);
      await fillTopic(stack, esTopic, kcatInput(esRecords, workDir, 'es-records'), opts.esRecords, workDir);
    }
    for (let i = 0; i < opts.runs; i++) {
      const run = `${name}-r${i + 1}`;
      if (opts.only.has('produce')) {
        log(`run ${i + 1}: produce path...`);
        const names = { wharfTopic: `${run}.produce-wharf`, kcatTopic: `${run}.produce-kcat`, dlqTopic: `${run}.produce-dlq`, zookeeperRoot: `/${run}-produce`, groupId: `${run}-produce` };
        [names.wharfTopic, names.kcatTopic, names.dlqTopic].forEach((t) => leftovers.topics.add(t));
        leftovers.znodes.add(names.zookeeperRoot);
        try {
          const measured = await measureProducePath(stack, names, e2eRecords, { pageSize: PAGE_SIZE, workDir, kcatFile });
          await attempt(produce.others[0], i, () => Promise.resolve(measured.wharf));
          await attempt(produce.ceiling, i, () => Promise.resolve(measured.kcat));
        } catch (err) {
          log(`  run ${i + 1} produce failed: ${describeError(err)}`);
        }
        await cleanup();
      }
      if (opts.only.has('kafka-es')) {
        log(`run ${i + 1}: kafka -> es...`);
        const names = (tool: string) => ({ topic: esTopic, index: `${run}-es-${tool}`, groupId: `${run}-es-${tool}`, dlqTopic: `${run}.es-${tool}-dlq`, zookeeperRoot: `/${run}-es-${tool}` });
        for (const tool of ['direct', 'wharf', 'compact', 'benthos']) {
          const n = names(tool);
          leftovers.indices.add(n.index);
          leftovers.groups.add(n.groupId);
          leftovers.topics.add(n.dlqTopic);
          leftovers.znodes.add(n.zookeeperRoot);
        }
        await attempt(kafkaEs.ceiling, i, async () => {
          const c = await loadDirectly(stack, { index: names('direct').index }, esRecords, opts.batchSize);
          return { seconds: c.seconds, count: esRecords.length, cpuSeconds: c.clientCpuSeconds, peakRssBytes: NaN };
        });
        await attempt(kafkaEs.others[0], i, () => wharfToElasticsearch(stack, names('wharf'), esRecords.length, { batchSize: opts.batchSize, workDir }));
        if (opts.compact) await attempt(compactKafkaEs, i, () => wharfToElasticsearch(stack, names('compact'), esRecords.length, { batchSize: opts.batchSize, workDir, placement: 'compact' }));
        if ('path' in benthos) {
          const binary = benthos.path;
          await attempt(benthosRow, i, () => benthosToElasticsearch(stack, binary, names('benthos'), esRecords.length, { batchSize: opts.batchSize, workDir }));
        }
        await cleanup();
      }
      if (opts.only.has('end-to-end')) {
        log(`run ${i + 1}: end to end...`);
        const direct = { index: `${run}-direct`, database: `${run}-direct` };
        const names = { index: `${run}-wharf`, database: `${run}-wharf`, topic: `${run}.records`, dlqTopic: `${run}.dlq`, groupId: `${run}-sinks`, zookeeperRoot: `/${run}` };
        leftovers.indices.add(direct.index);
        leftovers.databases.add(direct.database);
        await attempt(endToEnd.ceiling, i, async () => {
          const c = await loadDirectly(stack, direct, e2eRecords, opts.batchSize);
          return { seconds: c.seconds, count: e2eRecords.length, cpuSeconds: c.clientCpuSeconds, peakRssBytes: NaN };
        });
        await cleanup(); // its index merges weigh on wharf's window less
        const newest = { index: `${run}-newest`, database: `${run}-newest` };
        leftovers.indices.add(newest.index);
        leftovers.databases.add(newest.database);
        await attempt(endToEnd.others[0], i, async () => {
          const c = await loadDirectly(stack, newest, e2eRecords, opts.batchSize, { newestWins: true });
          return { seconds: c.seconds, count: e2eRecords.length, cpuSeconds: c.clientCpuSeconds, peakRssBytes: NaN };
        });
        await cleanup();
        const wharfEndToEnd = async (target: Row, placement: Placement) => {
          const own = placement === 'forked' ? names : { ...names, index: `${names.index}-compact`, database: `${names.database}-compact`, topic: `${run}.compact-records`, dlqTopic: `${run}.compact-dlq`, groupId: `${names.groupId}-compact`, zookeeperRoot: `${names.zookeeperRoot}-compact` };
          leftovers.indices.add(own.index);
          leftovers.databases.add(own.database);
          leftovers.topics.add(own.topic).add(own.dlqTopic);
          leftovers.groups.add(own.groupId);
          leftovers.znodes.add(own.zookeeperRoot);
          await attempt(target, i, async () => {
            const w = await runEndToEnd(stack, own, e2eRecords, { batchSize: opts.batchSize, pageSize: PAGE_SIZE, workDir: join(workDir, run, placement), placement });
            log(`    intake done at ${w.intakeSeconds.toFixed(1)} s, Elasticsearch ${w.elasticsearchSeconds.toFixed(1)} s, CouchDB ${w.couchdbSeconds.toFixed(1)} s; warnings ${[...w.problems].map(([m, k]) => `${k}x ${m}`).join('; ') || 'none'}`);
            return { seconds: w.seconds, count: e2eRecords.length, cpuSeconds: w.cpuSeconds, peakRssBytes: w.peakRssBytes };
          });
          await cleanup();
        };
        await wharfEndToEnd(endToEnd.others[1], 'forked');
        if (opts.compact) await wharfEndToEnd(compactEndToEnd, 'compact');
      }
    }
    const paths = [produce, kafkaEs, endToEnd].filter((p) => p.ceiling.runs.length > 0 || p.others.some((o) => o.runs.length > 0));
    console.log(`peers benchmark: ${opts.runs} runs, medians; ${RECORD_BYTES} B JSON records (${opts.records} for produce and end to end, ${opts.esRecords} for kafka -> es), sink batches of ${opts.batchSize}, pages of ${PAGE_SIZE}`);
    console.log(table(paths, opts.runs));
    console.log(JSON.stringify({ records: opts.records, esRecords: opts.esRecords, runs: opts.runs, batchSize: opts.batchSize, paths: paths.flatMap((p) => [p.ceiling, ...p.others].map((r) => ({ path: r.path, tool: r.tool, skipped: r.skipped, ...figures(r, p.ceiling) }))) }));
  } finally {
    for (const failure of [...(await leftovers.removeAll()), ...(await shared.removeAll())]) log(`cleanup: could not remove ${failure}`);
    rmSync(workDir, { recursive: true, force: true });
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(`peers benchmark failed: ${describeError(err)}`);
    process.exit(1);
  },
);
