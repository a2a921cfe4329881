/**
 * Pipeline benchmark (not a test), on the local stack, with N records of 1 KB JSON. Prints, for
 * one run:
 *   1. the produce path: wharf's RecordProducer against kcat (librdkafka), same records, same
 *      settings (idempotent, acks=all, gzip), records/s and their ratio;
 *   2. the ceiling: a minimal loader bulk-writing the same documents straight into Elasticsearch
 *      and CouchDB (same batch size, both sinks at once), records/s;
 *   3. end to end: `wharf run` from an http-json upstream through Kafka into both sinks,
 *      records/s, its ratio to the ceiling (first target: >= 0.8), when intake and each sink
 *      finished, wharf's CPU seconds per million records and peak RSS (all processes and each).
 * The phases run one after the other, each against names of its own, and everything created is
 * removed at the end, on failure and on Ctrl-C too. The figures end with one JSON line.
 *
 * Run: npm run bench:pipeline [-- --records 100000 --batch 500]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { describeError } from '../src/errors';
import { loadDirectly, type DirectLoad } from './pipeline/direct-loader';
import { runEndToEnd, type EndToEnd } from './pipeline/end-to-end';
import type { MachineBusy } from './pipeline/metrics';
import { measureProducePath, type ProducePath } from './pipeline/produce-path';
import { benchRecords, RECORD_BYTES } from './pipeline/records';
import { Leftovers, localStack, runName, type LocalStack } from './pipeline/stack';
import { stopEveryWharf } from './pipeline/wharf-child';

/** Records an upstream page holds, and a producer request carries (a poller produces a page a request). */
const PAGE_SIZE = 1000;
const TARGET_RATIO = 0.8;

interface Options {
  records: number;
  batchSize: number;
}

function options(): Options {
  const { values } = parseArgs({ options: { records: { type: 'string', default: '100000' }, batch: { type: 'string', default: '500' } } });
  const records = Number(values.records);
  const batchSize = Number(values.batch);
  if (!Number.isInteger(records) || records < PAGE_SIZE) throw new Error(`--records: expected an integer of at least ${PAGE_SIZE}, got ${values.records}`);
  if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > 10_000) throw new Error(`--batch: expected an integer from 1 to 10000, got ${values.batch}`);
  return { records, batchSize };
}

/** Runs a phase, then removes what it created at once, so that its index merges and topic deletion weigh on the next phase less. */
async function phase<T>(leftovers: Leftovers, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } finally {
    const failures = await leftovers.removeAll();
    for (const failure of failures) console.error(`cleanup: could not remove ${failure}`);
  }
}

const rate = (records: number, seconds: number) => records / seconds;
const fmt = (value: number, digits = 0) => value.toLocaleString('en', { minimumFractionDigits: digits, maximumFractionDigits: digits });
const mib = (bytes: number) => `${fmt(bytes / 2 ** 20)} MiB`;
/** Where a window's machine CPU went: each server, the given processes, and the rest (anything else running). */
const machineLine = (machine: MachineBusy, known: Array<[string, number]>) => {
  if (Number.isNaN(machine.share)) return [];
  const parts: Array<[string, number]> = [...machine.servers, ...known];
  const rest = machine.cpuSeconds - parts.reduce((sum, [, seconds]) => sum + seconds, 0);
  const shown = [...parts, ['other', rest] as [string, number]].map(([who, seconds]) => `${who} ${fmt(seconds, 1)}`).join(', ');
  return [`    machine               ${fmt(machine.share * 100)}% busy, ${fmt(machine.cpuSeconds, 1)} CPU s: ${shown}`];
};
const machineJson = (machine: MachineBusy) => ({ ...machine, servers: Object.fromEntries(machine.servers) });

function report(opts: Options, p: ProducePath, c: DirectLoad, w: EndToEnd): void {
  const n = opts.records;
  const perMillion = (seconds: number) => (seconds / n) * 1e6;
  const byProcess = (values: Map<string, number>, show: (v: number) => string) =>
    [...values].sort(([a], [b]) => a.localeCompare(b)).map(([actor, v]) => `${actor} ${show(v)}`).join(', ');
  const lines = [
    `pipeline benchmark: ${fmt(n)} records of ${fmt(RECORD_BYTES)} B JSON, sink batch ${opts.batchSize}, upstream pages and producer requests of ${PAGE_SIZE}`,
    '',
    `produce path (to Kafka: idempotent, acks=all, gzip)`,
    `  wharf RecordProducer    ${fmt(rate(n, p.wharf.seconds)).padStart(9)} records/s   ${fmt(p.wharf.seconds, 2)} s, ${fmt(perMillion(p.wharf.cpuSeconds ?? NaN), 1)} CPU s per million records`,
    ...machineLine(p.wharf.machine, [['this benchmark (the producer)', p.wharf.cpuSeconds ?? 0]]),
    `  kcat                    ${fmt(rate(n, p.kcat.seconds)).padStart(9)} records/s   ${fmt(p.kcat.seconds, 2)} s`,
    ...machineLine(p.kcat.machine, []),
    `  ratio wharf / kcat      ${fmt(p.kcat.seconds / p.wharf.seconds, 2)}`,
    '',
    `ceiling (direct _bulk and _bulk_docs, both sinks at once)`,
    `  both sinks              ${fmt(rate(n, c.seconds)).padStart(9)} records/s   ${fmt(c.seconds, 2)} s (Elasticsearch ${fmt(c.elasticsearchSeconds, 2)} s, CouchDB ${fmt(c.couchdbSeconds, 2)} s)`,
    `  loader CPU              ${fmt(perMillion(c.clientCpuSeconds), 1)} CPU s per million records`,
    ...machineLine(c.machine, [['this benchmark (the loader)', c.clientCpuSeconds]]),
    '',
    `end to end (wharf run: upstream -> Kafka -> both sinks)`,
    `  both sinks              ${fmt(rate(n, w.seconds)).padStart(9)} records/s   ${fmt(w.seconds, 2)} s`,
    ...machineLine(w.machine, [['wharf', w.cpuSeconds], ['this benchmark', w.benchCpuSeconds]]),
    `  done at                 intake (all in Kafka) ${fmt(w.intakeSeconds, 2)} s, Elasticsearch ${fmt(w.elasticsearchSeconds, 2)} s, CouchDB ${fmt(w.couchdbSeconds, 2)} s`,
    `  ratio wharf / ceiling   ${fmt(c.seconds / w.seconds, 2)} (target >= ${TARGET_RATIO})`,
    `  sinks at intake done    ${[...w.writtenAtIntakeDone].map(([sink, count]) => `${sink} ${fmt(count)}`).join(', ')} of ${fmt(n)} acknowledged`,
    `  poller                  ${fmt(w.produceRequests.count)} produce requests, ${fmt(w.produceRequests.seconds, 2)} s of the intake waiting for Kafka's acks`,
    ...[...w.sinkWrites].map(
      ([sink, t]) => `  sink ${sink.padEnd(18)} ${fmt(t.count)} writes of ${fmt(n / t.count)} records on average, ${fmt(t.seconds / t.count, 3)} s each, ${fmt(t.seconds, 2)} s in all (over concurrent partitions)`,
    ),
    `  wharf CPU               ${fmt(perMillion(w.cpuSeconds), 1)} CPU s per million records (${fmt(w.cpuSeconds, 1)} s: ${byProcess(w.cpuSecondsByProcess, (v) => fmt(v, 1))})`,
    `  wharf peak RSS          ${mib(w.peakRssBytes)} (all processes; each: ${byProcess(w.peakRssBytesByProcess, mib)})`,
    `  sampled                 ${w.samples} times; dead letters ${w.deadLetters}; wharf warnings/errors ${w.problems.size === 0 ? 'none' : [...w.problems].map(([m, k]) => `${k}x ${m}`).join('; ')}`,
  ];
  console.log(lines.join('\n'));
  console.log(
    JSON.stringify({
      records: n,
      recordBytes: RECORD_BYTES,
      batchSize: opts.batchSize,
      pageSize: PAGE_SIZE,
      produce: { wharfMachine: machineJson(p.wharf.machine), kcatMachine: machineJson(p.kcat.machine), wharfRecordsPerSecond: rate(n, p.wharf.seconds), kcatRecordsPerSecond: rate(n, p.kcat.seconds), ratio: p.kcat.seconds / p.wharf.seconds, wharfSeconds: p.wharf.seconds, kcatSeconds: p.kcat.seconds },
      ceiling: { machine: machineJson(c.machine), recordsPerSecond: rate(n, c.seconds), seconds: c.seconds, elasticsearchSeconds: c.elasticsearchSeconds, couchdbSeconds: c.couchdbSeconds },
      endToEnd: {
        recordsPerSecond: rate(n, w.seconds),
        seconds: w.seconds,
        intakeSeconds: w.intakeSeconds,
        elasticsearchSeconds: w.elasticsearchSeconds,
        couchdbSeconds: w.couchdbSeconds,
        ratioToCeiling: c.seconds / w.seconds,
        cpuSecondsPerMillionRecords: perMillion(w.cpuSeconds),
        cpuSecondsByProcess: Object.fromEntries(w.cpuSecondsByProcess),
        peakRssBytes: w.peakRssBytes,
        peakRssBytesByProcess: Object.fromEntries(w.peakRssBytesByProcess),
        writtenAtIntakeDone: Object.fromEntries(w.writtenAtIntakeDone),
        produceRequests: w.produceRequests,
        sinkWrites: Object.fromEntries(w.sinkWrites),
        benchCpuSeconds: w.benchCpuSeconds,
        machine: machineJson(w.machine),
      },
    }),
  );
}

async function main(): Promise<void> {
  const opts = options();
  const stack: LocalStack = localStack();
  const name = runName();
  const workDir = mkdtempSync(join(tmpdir(), 'wharf-bench-'));
  const leftovers = [new Leftovers(stack), new Leftovers(stack), new Leftovers(stack)];
  const interrupted = async (signal: string) => {
    console.error(`${signal}: stopping wharf and removing what this run created`);
    await stopEveryWharf();
    for (const l of leftovers) for (const failure of await l.removeAll()) console.error(`cleanup: could not remove ${failure}`);
    rmSync(workDir, { recursive: true, force: true });
    process.exit(130);
  };
  process.once('SIGINT', () => void interrupted('SIGINT'));
  process.once('SIGTERM', () => void interrupted('SIGTERM'));
  try {
    const records = benchRecords(opts.records);
    console.error(`run ${name}: ${fmt(opts.records)} records generated; produce path...`);

    const topics = { wharf: `${name}.produce-wharf`, kcat: `${name}.produce-kcat` };
    Object.values(topics).forEach((t) => leftovers[0].topics.add(t));
    const produce = await phase(leftovers[0], () => measureProducePath(stack, topics, records, PAGE_SIZE, workDir));

    console.error('ceiling (direct loader)...');
    const direct = { index: `${name}-direct`, database: `${name}-direct` };
    leftovers[1].indices.add(direct.index);
    leftovers[1].databases.add(direct.database);
    const ceiling = await phase(leftovers[1], () => loadDirectly(stack, direct, records, opts.batchSize));

    console.error('end to end (wharf run)...');
    const names = {
      index: `${name}-wharf`,
      database: `${name}-wharf`,
      topic: `${name}.records`,
      dlqTopic: `${name}.dlq`,
      groupId: `${name}-sinks`,
      zookeeperRoot: `/${name}`,
    };
    leftovers[2].indices.add(names.index);
    leftovers[2].databases.add(names.database);
    leftovers[2].topics.add(names.topic).add(names.dlqTopic);
    leftovers[2].groups.add(names.groupId);
    leftovers[2].znodes.add(names.zookeeperRoot);
    const e2e = await phase(leftovers[2], () => runEndToEnd(stack, names, records, { batchSize: opts.batchSize, pageSize: PAGE_SIZE, workDir }));

    report(opts, produce, ceiling, e2e);
  } finally {
    rmSync(workDir, { recursive: true, force: true });
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(`pipeline benchmark failed: ${describeError(err)}`);
    process.exit(1);
  },
);
