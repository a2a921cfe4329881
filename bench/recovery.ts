/**
 * Recovery benchmark (not a test), on the local stack: `wharf run` with two partition consumers
 * under a steady feed (100 records/s): with wharf's consumer settings (a restarted consumer
 * joins once the dead member's session expired), with the same but joining at once, and with
 * kafkajs's defaults (session 30 s, heartbeat 3 s, joining at once) as the peer row. For each it
 * prints, after one consumer process is SIGKILLed (five kills, the peer three):
 *   1. the stall: the longest time no partition delivered anything into Elasticsearch (its
 *      count per partition polled every 200 ms), and the longest time one partition delivered
 *      nothing (the dead consumer's partitions wait for its session to expire);
 *   2. SIGTERM 3 s after one more kill, while the replacement joins the group (rebalancing):
 *      how long wharf took to exit, and its exit code.
 * Each row runs against names of its own, removed at the end. The figures end with one JSON line.
 *
 * Run: npm run bench:recovery
 */
import { describeError } from '../src/errors';
import { eventually, PipelineRun } from '../test/helpers/pipeline';
import { DeliveryWatch, killConsumer, sigtermDuringRebalance, SteadyFeed } from '../test/helpers/recovery';

/** After a kill, how long past the session timeout the stall is looked for. */
const SETTLE_MS = 12_000;

interface Row {
  label: string;
  sessionTimeoutMs: number;
  heartbeatIntervalMs: number;
  /** How long a restarted consumer waits before joining (undefined: wharf's default, the session timeout + 1 s). */
  restartJoinDelayMs?: number;
  kills: number;
}

interface Measured {
  /** Per kill: the longest time no partition delivered anything. */
  stallsMs: number[];
  /** Per kill: the longest time one partition delivered nothing (the dead consumer's wait for its session to expire). */
  partitionWaitsMs: number[];
  exitMs: number;
  exitCode: number | null | 'hung';
}

const ROWS: Row[] = [
  { label: 'wharf (6 s, 1 s, join after expiry)', sessionTimeoutMs: 6000, heartbeatIntervalMs: 1000, kills: 5 },
  { label: 'wharf, joining at once (6 s, 1 s)', sessionTimeoutMs: 6000, heartbeatIntervalMs: 1000, restartJoinDelayMs: 0, kills: 5 },
  // A 30 s session makes each kill take over a minute to settle: fewer kills.
  { label: 'peer: kafkajs defaults (30 s, 3 s)', sessionTimeoutMs: 30_000, heartbeatIntervalMs: 3000, restartJoinDelayMs: 0, kills: 3 },
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
    await run.start({ consumers: { sessionTimeoutMs: row.sessionTimeoutMs, heartbeatIntervalMs: row.heartbeatIntervalMs, restartJoinDelayMs: row.restartJoinDelayMs } });
    await eventually(() => run.esCount(), (n) => n >= 200, 90_000, 'the first 200 in Elasticsearch');
    feed.start();
    watch.start();
    await sleep(3000);
    const stallsMs: number[] = [];
    const partitionWaitsMs: number[] = [];
    for (let kill = 1; kill <= row.kills; kill++) {
      const { killedAt } = await killConsumer(run);
      await sleep(2 * row.sessionTimeoutMs + SETTLE_MS);
      stallsMs.push(watch.longestGap(killedAt, Date.now()));
      partitionWaitsMs.push(watch.longestPartitionGap(killedAt, Date.now()));
      console.error(`  ${row.label}: kill ${kill}: all partitions stalled ${seconds(stallsMs.at(-1)!)}, one partition waited ${seconds(partitionWaitsMs.at(-1)!)}`);
    }
    const exit = await sigtermDuringRebalance(run);
    return { stallsMs, partitionWaitsMs, exitMs: exit.exitMs, exitCode: exit.code };
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
    `recovery benchmark: 2 partition consumers, 6 partitions, a steady feed of 100 records/s; 5 (peer: 3) SIGKILLs of one consumer, then SIGTERM 3 s after another kill (the group rebalancing)`,
    '',
    `  ${'consumer settings'.padEnd(38)} ${'all stalled: median, max'.padEnd(26)} ${'one partition waited: median, max'.padEnd(35)} SIGTERM during rebalance`,
    ...results.map(
      (r) =>
        `  ${r.label.padEnd(38)} ${`${seconds(median(r.stallsMs))}, ${seconds(Math.max(...r.stallsMs))}`.padEnd(26)} ${`${seconds(median(r.partitionWaitsMs))}, ${seconds(Math.max(...r.partitionWaitsMs))}`.padEnd(35)} exit ${r.exitCode} after ${seconds(r.exitMs)}`,
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
