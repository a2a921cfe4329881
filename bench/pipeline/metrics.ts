/**
 * What the benchmark reads about the running wharf from its /metrics endpoint (merged over the
 * root and every forked actor process, each series labelled with its `actor`), and the CPU of
 * the whole machine and of each local-stack server from /proc (how saturated the cores were in
 * a window, and by whom).
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseExposition, sumOf, type Sample as ExpositionSample } from '../../src/metrics/exposition';

export type Series = ExpositionSample;

export interface Sample {
  /** performance.now() when the answer arrived. */
  at: number;
  series: Series[];
}

export async function scrape(opsUrl: string): Promise<Sample> {
  const response = await fetch(`${opsUrl}/metrics`, { signal: AbortSignal.timeout(10_000) });
  if (!response.ok) throw new Error(`GET ${opsUrl}/metrics answered ${response.status}`);
  const text = await response.text();
  return { at: performance.now(), series: parseExposition(text) };
}

/** Sum of a metric's series whose labels include `where`. */
export function total(sample: Sample, name: string, where: Record<string, string> = {}): number {
  return sumOf(sample.series, name, where);
}

/** A metric's value per value of one label (e.g. per actor). */
export function byLabel(sample: Sample, name: string, label: string): Map<string, number> {
  const values = new Map<string, number>();
  for (const s of sample.series) {
    if (s.name !== name) continue;
    const key = s.labels[label] ?? '';
    values.set(key, (values.get(key) ?? 0) + s.value);
  }
  return values;
}

export interface Resources {
  cpuSeconds: number;
  cpuSecondsByProcess: Map<string, number>;
  /** Largest sum over processes of one sample's resident memory. */
  peakRssBytes: number;
  /** Each process's own largest resident memory over the samples. */
  peakRssBytesByProcess: Map<string, number>;
}

/** CPU used between the first and the last sample, and resident memory peaks over all of them. */
export function resources(samples: readonly Sample[]): Resources {
  const first = byLabel(samples[0], 'process_cpu_seconds_total', 'actor');
  const last = byLabel(samples[samples.length - 1], 'process_cpu_seconds_total', 'actor');
  const cpuSecondsByProcess = new Map([...last].map(([actor, seconds]) => [actor, seconds - (first.get(actor) ?? 0)]));
  let peakRssBytes = 0;
  const peakRssBytesByProcess = new Map<string, number>();
  for (const sample of samples) {
    const rss = byLabel(sample, 'process_resident_memory_bytes', 'actor');
    peakRssBytes = Math.max(peakRssBytes, [...rss.values()].reduce((a, b) => a + b, 0));
    for (const [actor, bytes] of rss) peakRssBytesByProcess.set(actor, Math.max(bytes, peakRssBytesByProcess.get(actor) ?? 0));
  }
  const cpuSeconds = [...cpuSecondsByProcess.values()].reduce((a, b) => a + b, 0);
  return { cpuSeconds, cpuSecondsByProcess, peakRssBytes, peakRssBytesByProcess };
}

/**
 * CPU ticks of the whole machine (all cores), busy and total, and of each local-stack server
 * (by pid, from `scripts/stack status`), so a window's CPU can be attributed. Empty where
 * /proc is missing.
 */
export interface MachineCpu {
  busy: number;
  total: number;
  servers: Map<string, number>;
}

/** A server's processes: the pid `scripts/stack status` names and its descendants (Elasticsearch runs under runuser). */
export type ServerPids = ReadonlyMap<string, readonly number[]>;

export interface MachineBusy {
  /** Share of all cores busy, 0..1 (NaN without /proc/stat). */
  share: number;
  /** CPU seconds spent by every process on the machine. */
  cpuSeconds: number;
  /** CPU seconds of each local-stack server (a server restarted in the window is left out). */
  servers: Map<string, number>;
}

/** Linux's USER_HZ: /proc counts CPU time in hundredths of a second. */
const TICKS_PER_SECOND = 100;

export function machineCpu(serverPids: ServerPids = new Map()): MachineCpu {
  const servers = new Map<string, number>();
  for (const [server, pids] of serverPids) {
    const ticks = pids.map(processTicks);
    if (ticks.every((t) => t !== undefined)) servers.set(server, ticks.reduce((a, b) => a + b, 0));
  }
  try {
    const fields = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
    const idle = fields[3] + (fields[4] ?? 0);
    const total = fields.slice(0, 8).reduce((a, b) => a + b, 0);
    return { busy: total - idle, total, servers };
  } catch {
    return { busy: 0, total: 0, servers };
  }
}

export function machineBusy(from: MachineCpu, to: MachineCpu): MachineBusy {
  const servers = new Map<string, number>();
  for (const [server, ticks] of to.servers) {
    const before = from.servers.get(server);
    if (before !== undefined && ticks >= before) servers.set(server, (ticks - before) / TICKS_PER_SECOND);
  }
  const total = to.total - from.total;
  if (total <= 0) return { share: NaN, cpuSeconds: NaN, servers };
  return { share: (to.busy - from.busy) / total, cpuSeconds: (to.busy - from.busy) / TICKS_PER_SECOND, servers };
}

/** utime + stime of a process, in ticks; undefined when it is gone. */
function processTicks(pid: number): number | undefined {
  try {
    // The command name (field 2) may hold spaces: count fields after its closing parenthesis.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return Number(fields[11]) + Number(fields[12]);
  } catch {
    return undefined;
  }
}

/** A process and all its descendants, from /proc/<pid>/task/<tid>/children. */
function withDescendants(pid: number): number[] {
  let children: number[] = [];
  try {
    for (const task of readdirSync(`/proc/${pid}/task`)) {
      children = children.concat(readFileSync(`/proc/${pid}/task/${task}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number));
    }
  } catch {
    // gone, or no children file: the process alone
  }
  return [pid, ...children.flatMap(withDescendants)];
}

/** The local stack's server processes, from `scripts/stack status`; empty if it cannot tell. */
export function stackServerPids(repoRoot: string): Map<string, number[]> {
  const pids = new Map<string, number[]>();
  try {
    const status = execFileSync(join(repoRoot, 'scripts/stack'), ['status'], { encoding: 'utf8', timeout: 30_000, stdio: ['ignore', 'pipe', 'ignore'] });
    for (const line of status.split('\n').slice(1)) {
      const [service, , pid] = line.trim().split(/\s+/);
      if (service && /^\d+$/.test(pid ?? '')) pids.set(service, withDescendants(Number(pid)));
    }
  } catch {
    // No breakdown by server, only the machine's total.
  }
  return pids;
}

export interface SampledWindow {
  samples: Sample[];
  /** When `progress` first exceeded its value at the start (the tool began to deliver). */
  firstAt: number;
  /** `progress` at that sample. */
  firstCount: number;
  /** When `progress` reached `target`. */
  doneAt: number;
}

/** Samples wharf's /metrics every `everyMs` until `progress` reaches `target`; throws past `timeoutMs`. */
export async function sampleUntil(opsUrl: string, progress: (s: Sample) => number, target: number, timeoutMs: number, everyMs = 250): Promise<SampledWindow> {
  const samples = [await scrape(opsUrl)];
  const start = progress(samples[0]);
  const deadline = Date.now() + timeoutMs;
  let first: Sample | undefined;
  for (;;) {
    await new Promise((r) => setTimeout(r, Math.max(0, samples[samples.length - 1].at + everyMs - performance.now())));
    const sample = await scrape(opsUrl);
    samples.push(sample);
    if (!first && progress(sample) > start) first = sample;
    if (progress(sample) >= target) return { samples, firstAt: first!.at, firstCount: progress(first!), doneAt: sample.at };
    if (Date.now() > deadline) throw new Error(`wharf reached ${progress(sample)} of ${target} within ${timeoutMs} ms`);
  }
}
