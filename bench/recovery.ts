/**
 * Recovery benchmark (not a test), on the local stack: `wharf run` with two partition consumers
 * under a steady feed (100 records/s), once with wharf's consumer settings and once with
 * kafkajs's defaults (session 30 s, heartbeat 3 s) as the peer row. For each it prints:
 *   1. the stall: the longest pause in delivery into Elasticsearch (its count polled every
 *      200 ms) after one consumer process is SIGKILLed; five kills, median and each;
 *   2. SIGTERM 3 s after one more kill, while the replacement joins the group (rebalancing):
 *      how long wharf took to exit, and its exit code.
 * Each row runs against names of its own, removed at the end. The figures end with one JSON line.
 *
 * Run: npm run bench:recovery
 */
import { describeError } from '../src/errors';
import { eventually, PipelineRun } from '../test/helpers/pipeline';
import { DeliveryWatch, killConsumer, sigtermDuringRebalance, SteadyFeed } from '../test/helpers/recovery';

const KILLS = 5;
/** After a kill, how long past the session timeout the stall is looked for. */
const SETTLE_MS = 12_000;

interface Row {
  label: string;
  sessionTimeoutMs: number;
  heartbeatIntervalMs: number;
}

interface Measured {
  stallsMs: number[];
  exitMs: number;
  exitCode: number | null | 'hung';
}

const ROWS: Row[] = [
  { label: 'wharf (session 6 s, heartbeat 1 s)', sessionTimeoutMs: 6000, heartbeatIntervalMs: 1000 },
  { label: 'peer: kafkajs defaults (30 s, 3 s)', sessionTimeoutMs: 30_000, heartbeatIntervalMs: 3000 },
];

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

async function measure(row: Row): Promise<Measured> {
  const run = new PipelineRun();
  const feed = new SteadyFeed(run);
  const watch = new DeliveryWatch(run);
  try {
    run.upstream.add(200);
    await run.start({ consumers: { sessionTimeoutMs: row.sessionTimeoutMs, heartbeatIntervalMs: row.heartbeatIntervalMs } });
    await eventually(() => run.esCount(), (n) => n >= 200, 90_000, 'the first 200 in Elasticsearch');
    feed.start();
    watch.start();
    await sleep(3000);
    const stallsMs: number[] = [];
    for (let kill = 1; kill <= KILLS; kill++) {
      const { killedAt } = await killConsumer(run);
      await sleep(row.sessionTimeoutMs + SETTLE_MS);
      stallsMs.push(watch.longestGap(killedAt, Date.now()));
      console.error(`  ${row.label}: kill ${kill}: stall ${seconds(stallsMs[stallsMs.length - 1])}`);
    }
    const exit = await sigtermDuringRebalance(run);
    return { stallsMs, exitMs: exit.exitMs, exitCode: exit.code };
  } finally {
    feed.stop();
    watch.stop();
    await run.stop();
  }
}

async function main(): Promise<void> {
  const results: Array<Row & Measured> = [];
  for (const row of ROWS) {
    console.error(`${row.label}...`);
    results.push({ ...row, ...(await measure(row)) });
  }
  const lines = [
    `recovery benchmark: 2 partition consumers, 6 partitions, a steady feed of 100 records/s; ${KILLS} SIGKILLs of one consumer, then SIGTERM 3 s after another kill (the group rebalancing)`,
    '',
    `  ${'consumer settings'.padEnd(36)} ${'stall, median'.padEnd(14)} ${'each'.padEnd(22)} SIGTERM during rebalance`,
    ...results.map(
      (r) =>
        `  ${r.label.padEnd(36)} ${seconds(median(r.stallsMs)).padEnd(14)} ${r.stallsMs.map(seconds).join(', ').padEnd(22)} exit ${r.exitCode} after ${seconds(r.exitMs)}`,
    ),
  ];
  console.log(lines.join('\n'));
  console.log(JSON.stringify(results.map((r) => ({ ...r, stallMedianMs: median(r.stallsMs) }))));
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(`recovery benchmark failed: ${describeError(err)}`);
    process.exit(1);
  },
);
