/**
 * Footprint benchmark (not a test): the memory and CPU of wharf's processes with the default
 * topology (one poller, two partition consumers) idle and under full load, on the local stack.
 *
 * One `wharf run` (http-json upstream -> Kafka -> Elasticsearch and CouchDB, names of its own,
 * removed at the end) is started; once healthy and its group stable, every wharf process (the
 * root and its forked actors, found by parent pid in /proc) is read: VmRSS idle, then every
 * 250 ms while N records of 1 KB go through; the peak of the sum, each process's peak, VmHWM,
 * CPU seconds (utime + stime from /proc) per million records, and records/s. `--set` merges a
 * JSON object into wharf's configuration (e.g. '{"pipeline":{"consumers":{"heap":{...}}}}'), so
 * two settings can be compared in one invocation; `--cpu-prof DIR` profiles every process.
 *
 * `--sinks elasticsearch` leaves CouchDB out (the Kafka -> Elasticsearch path).
 *
 * Run: npm run build && node dist/bench/footprint.js [--records 50000] [--sinks both|elasticsearch] [--set JSON] [--cpu-prof DIR]
 */
import { readdirSync, readFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { DemoUpstream } from '../src/demo/upstream-server';
import { createCouchdb } from '../src/sinks/couchdb/client';
import { sleep } from '../src/retry/retry';
import { byLabel, scrape, total } from './pipeline/metrics';
import { benchRecords, INDEX_MAPPINGS, SOURCE_ID } from './pipeline/records';
import { Leftovers, localStack, runName } from './pipeline/stack';
import { WharfChild } from './pipeline/wharf-child';

const SAMPLE_MS = 250;
const IDLE_SETTLE_MS = 8000;
const TICKS = 100; // USER_HZ on Linux

interface ProcStat {
  pid: number;
  name: string;
  rss: number;
  hwm: number;
  cpu: number;
}

/** /proc/<pid>/stat's fields after the command name (field 3, the state, first). */
const statFields = (pid: number | string) => {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
};

/** The root and every descendant process, with resident memory (bytes) and CPU seconds. */
function processTree(root: number): ProcStat[] {
  const parents = new Map<number, number>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      parents.set(Number(entry), Number(statFields(entry)[1]));
    } catch {
      // gone meanwhile
    }
  }
  const tree = [root];
  for (let i = 0; i < tree.length; i++) for (const [pid, ppid] of parents) if (ppid === tree[i]) tree.push(pid);
  return tree.flatMap((pid) => {
    try {
      const status = readFileSync(`/proc/${pid}/status`, 'utf8');
      const kib = (key: string) => Number(new RegExp(`^${key}:\\s+(\\d+)`, 'm').exec(status)?.[1] ?? 0) * 1024;
      const stat = statFields(pid);
      const args = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean);
      const name = pid === root ? 'root' : (args[args.length - 1] ?? String(pid)).replace(/.*\//, '');
      return [{ pid, name, rss: kib('VmRSS'), hwm: kib('VmHWM'), cpu: (Number(stat[11]) + Number(stat[12])) / TICKS }];
    } catch {
      return [];
    }
  });
}

const mib = (bytes: number) => Math.round(bytes / 2 ** 20);
const sum = (stats: readonly ProcStat[], key: 'rss' | 'hwm' | 'cpu') => stats.reduce((a, s) => a + s[key], 0);
const deepMerge = (a: Record<string, unknown>, b: Record<string, unknown>): Record<string, unknown> =>
  Object.fromEntries(
    [...new Set([...Object.keys(a), ...Object.keys(b)])].map((k) => {
      const [x, y] = [a[k], b[k]];
      const isObj = (v: unknown) => v !== null && typeof v === 'object' && !Array.isArray(v);
      return [k, isObj(x) && isObj(y) ? deepMerge(x as Record<string, unknown>, y as Record<string, unknown>) : y === undefined ? x : y];
    }),
  );

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { records: { type: 'string', default: '50000' }, batch: { type: 'string', default: '500' }, set: { type: 'string', default: '{}' }, sinks: { type: 'string', default: 'both' }, 'cpu-prof': { type: 'string' } } });
  const count = Number(values.records);
  const stack = localStack();
  const name = runName();
  const leftovers = new Leftovers(stack);
  const workDir = mkdtempSync(join(tmpdir(), 'wharf-footprint-'));
  const upstream = new DemoUpstream({ port: 0, path: '/records', pageSize: 1000 });
  let wharf: WharfChild | undefined;
  try {
    leftovers.topics.add(name).add(`${name}.dlq`);
    leftovers.groups.add(name);
    leftovers.indices.add(`${name}-store`); // wharf creates it (and its alias, the sink's index) itself
    leftovers.databases.add(name);
    leftovers.znodes.add(`/${name}`);
    await createCouchdb(stack.couchdb).db.create(name);
    await upstream.start();
    const config = deepMerge(
      {
        log: { level: 'info' },
        kafka: { ...stack.config.kafka, topic: name, dlqTopic: `${name}.dlq` },
        zookeeper: { ...stack.config.zookeeper, root: `/${name}` },
        metrics: { port: 0 },
        sources: [{ id: SOURCE_ID, type: 'http-json', url: upstream.url, intervalMs: 100 }],
        sinks: [
          { ...stack.elasticsearch, index: name, mappings: INDEX_MAPPINGS, batchSize: Number(values.batch) },
          ...(values.sinks === 'elasticsearch' ? [] : [{ ...stack.couchdb, db: name, batchSize: Number(values.batch) }]),
        ],
        pipeline: { consumers: { count: 2, groupId: name } },
      },
      JSON.parse(values.set) as Record<string, unknown>,
    );
    mkdirSync(join(workDir, 'wharf'));
    const configFile = join(workDir, 'wharf', 'actors.json');
    writeFileSync(configFile, JSON.stringify(config));
    if (values['cpu-prof']) process.env.WHARF_FORK_EXEC_ARGV = `--cpu-prof --cpu-prof-dir=${values['cpu-prof']}`;
    wharf = new WharfChild(configFile);
    delete process.env.WHARF_FORK_EXEC_ARGV;
    const records = benchRecords(count);
    const [listening] = await Promise.all([wharf.logged('ops endpoints listening', 60_000), wharf.logged('wharf healthy', 180_000)]);
    const opsUrl = String(listening.url);
    const rootPid = Number(readFileSync(`${configFile}.pid`, 'utf8'));
    await sleep(IDLE_SETTLE_MS); // the group's first rebalance, then quiet
    const idle = processTree(rootPid);
    const before = processTree(rootPid);
    upstream.add(count, (n) => records[n - 1]);
    const opened = performance.now();
    const peaks = new Map<string, number>();
    let peakSum = 0;
    let ticks = 0;
    const heapPeaks = new Map<string, number>();
    const deadline = Date.now() + 120_000 + count * 10;
    for (;;) {
      await sleep(SAMPLE_MS);
      const now = processTree(rootPid);
      peakSum = Math.max(peakSum, sum(now, 'rss'));
      for (const p of now) peaks.set(`${p.name}:${p.pid}`, Math.max(p.rss, peaks.get(`${p.name}:${p.pid}`) ?? 0));
      const sample = await scrape(opsUrl);
      for (const metric of ['nodejs_heap_size_used_bytes', 'nodejs_external_memory_bytes']) {
        for (const [actor, bytes] of byLabel(sample, metric, 'actor')) heapPeaks.set(`${metric.split('_')[2]}:${actor}`, Math.max(bytes, heapPeaks.get(`${metric.split('_')[2]}:${actor}`) ?? 0));
      }
      const written = (sink: string) => total(sample, 'wharf_sink_records_written_total', { sink });
      if (++ticks % 20 === 0) console.error(`  ... produced ${total(sample, 'wharf_source_records_produced_total')}, written ${written(stack.elasticsearch.id)}, ${written(stack.couchdb.id)}; ${[...wharf.problems.keys()].slice(-3).join(' | ')}`);
      if (written(stack.elasticsearch.id) >= count && (values.sinks === 'elasticsearch' || written(stack.couchdb.id) >= count)) break;
      if (Date.now() > deadline) throw new Error(`not delivered in time: ${written(stack.elasticsearch.id)}, ${written(stack.couchdb.id)} of ${count}; ${JSON.stringify([...wharf.problems])}`);
    }
    const seconds = (performance.now() - opened) / 1000;
    const after = processTree(rootPid);
    const cpu = sum(after, 'cpu') - sum(before, 'cpu');
    await sleep(IDLE_SETTLE_MS);
    const idleAfter = processTree(rootPid);
    const line = (stats: ProcStat[]) => stats.map((p) => `${p.name} ${mib(p.rss)}`).join(', ');
    console.log(`footprint: ${count} records of 1 KB, sinks: ${values.sinks}, settings ${values.set}`);
    console.log(`  records/s              ${Math.round(count / seconds)} (${seconds.toFixed(1)} s)`);
    console.log(`  CPU s per million      ${((cpu / count) * 1e6).toFixed(1)} (${after.map((p) => `${p.name} ${(p.cpu - (before.find((b) => b.pid === p.pid)?.cpu ?? 0)).toFixed(1)}`).join(', ')})`);
    console.log(`  idle RSS MiB           ${mib(sum(idle, 'rss'))} (${line(idle)})`);
    console.log(`  peak RSS MiB (sum)     ${mib(peakSum)} (each: ${[...peaks].map(([n, b]) => `${n} ${mib(b)}`).join(', ')})`);
    console.log(`  VmHWM MiB              ${mib(sum(idleAfter, 'hwm'))} (${idleAfter.map((p) => `${p.name} ${mib(p.hwm)}`).join(', ')})`);
    console.log(`  peak heap used / external MiB ${[...heapPeaks].map(([k, b]) => `${k} ${mib(b)}`).join(', ')}`);
    console.log(`  idle after load MiB    ${mib(sum(idleAfter, 'rss'))} (${line(idleAfter)})`);
    console.log(JSON.stringify({ records: count, set: JSON.parse(values.set) as unknown, recordsPerSecond: count / seconds, cpuPerMillion: (cpu / count) * 1e6, idleMiB: mib(sum(idle, 'rss')), peakMiB: mib(peakSum), idleAfterMiB: mib(sum(idleAfter, 'rss')) }));
  } finally {
    await wharf?.stop();
    await upstream.stop();
    for (const failure of await leftovers.removeAll()) console.error(`cleanup: could not remove ${failure}`);
    rmSync(workDir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
