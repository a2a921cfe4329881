/**
 * Supervision benchmark (not a test): prints
 *   1. SIGKILL of a forked child -> restart begins (exit detected, restart scheduled), and
 *      SIGKILL -> the child serves requests again, p50/p99 over 50 kills, with a fixed 10 ms
 *      backoff (so the figure is detection + respawn + start, not waiting);
 *   2. acknowledged request/response throughput across the process boundary for batches of 1,
 *      100 and 1000 records of ~100 bytes, one request in flight and 16 in flight.
 * Run: npm run build && node dist/bench/supervision.js
 */
import { resolve } from 'node:path';
import { createActorSystem } from '../src/supervisors/actor-system';
import type { SupervisionEvent } from '../src/supervisors/events';
import { reliableCall } from '../src/supervisors/reliable-call';
import { supervisor, worker } from '../src/supervisors/spec';
import { Supervisor } from '../src/supervisors/supervisor';

const KILLS = 50;

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

async function main(): Promise<void> {
  const system = createActorSystem({ logLevel: 'silent' });
  const root = await system.rootActor();
  const events: Array<SupervisionEvent & { at: number }> = [];
  const tree = new Supervisor(
    supervisor({
      id: 'bench',
      flags: { maxRestarts: 10_000, withinMs: 1000, backoff: { minMs: 10, maxMs: 10, jitter: 0, resetAfterMs: 1 } },
      children: [worker({ id: 'target', module: resolve(__dirname, 'batch-actor'), heartbeat: { intervalMs: 1000, timeoutMs: 5000 } })],
    }),
    { parentActor: root, report: (e) => events.push({ ...e, at: performance.now() }) },
  );
  await tree.start();

  const detect: number[] = [];
  const serving: number[] = [];
  for (let i = 0; i < KILLS; i++) {
    const pid = tree.describe().children![0].pid!;
    const seen = events.length;
    const killedAt = performance.now();
    process.kill(pid, 'SIGKILL');
    await reliableCall(tree, 'target', 'ack', { records: [1] }, {
      timeoutMs: 2000,
      deadlineMs: 30_000,
      policy: { minMs: 2, maxMs: 5, jitter: 0, resetAfterMs: 1 },
    });
    serving.push(performance.now() - killedAt);
    const scheduled = events.slice(seen).find((e) => e.type === 'restart_scheduled');
    if (scheduled) detect.push(scheduled.at - killedAt);
  }
  console.log(`SIGKILL -> restart begins (ms, ${detect.length} kills): p50 ${percentile(detect, 50).toFixed(1)}  p99 ${percentile(detect, 99).toFixed(1)}  max ${Math.max(...detect).toFixed(1)}`);
  console.log(`SIGKILL -> serving again (ms, ${serving.length} kills, 10 ms backoff): p50 ${percentile(serving, 50).toFixed(0)}  p99 ${percentile(serving, 99).toFixed(0)}  max ${Math.max(...serving).toFixed(0)}`);

  const record = { id: 'order-000000', amount: 4242, status: 'open', note: 'x'.repeat(40) };
  for (const inFlight of [1, 16]) {
    for (const batchSize of [1, 100, 1000]) {
      const records = Array.from({ length: batchSize }, () => record);
      const totalRecords = batchSize === 1 ? 20_000 : 200_000;
      const requests = totalRecords / batchSize;
      let next = 0;
      const started = performance.now();
      await Promise.all(
        Array.from({ length: inFlight }, async () => {
          while (next < requests) {
            next++;
            await tree.call('target', 'ack', { records }, 10_000);
          }
        }),
      );
      const seconds = (performance.now() - started) / 1000;
      console.log(
        `batch ${String(batchSize).padStart(4)}, ${String(inFlight).padStart(2)} in flight: ${Math.round(requests / seconds).toLocaleString('en')} requests/s, ${Math.round(totalRecords / seconds).toLocaleString('en')} records/s`,
      );
    }
  }
  await tree.stop();
  await system.destroy();
  process.exit(0);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
