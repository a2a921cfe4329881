/**
 * What the benchmark reads about the running wharf from its /metrics endpoint (merged over the
 * root and every forked actor process, each series labelled with its `actor`), and the
 * machine-wide CPU share from /proc/stat (how saturated the two cores were in a phase).
 */
import { readFileSync } from 'node:fs';

export interface Series {
  name: string;
  labels: Record<string, string>;
  value: number;
}

export interface Sample {
  /** performance.now() when the answer arrived. */
  at: number;
  series: Series[];
}

const LINE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/;
const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g;

export function parseExposition(text: string): Series[] {
  const series: Series[] = [];
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const match = LINE.exec(line);
    if (!match) continue;
    const labels: Record<string, string> = {};
    for (const [, key, value] of (match[2] ?? '').matchAll(LABEL)) labels[key] = value;
    series.push({ name: match[1], labels, value: Number(match[3]) });
  }
  return series;
}

export async function scrape(opsUrl: string): Promise<Sample> {
  const response = await fetch(`${opsUrl}/metrics`, { signal: AbortSignal.timeout(10_000) });
  if (!response.ok) throw new Error(`GET ${opsUrl}/metrics answered ${response.status}`);
  const text = await response.text();
  return { at: performance.now(), series: parseExposition(text) };
}

/** Sum of a metric's series whose labels include `where`. */
export function total(sample: Sample, name: string, where: Record<string, string> = {}): number {
  return sample.series
    .filter((s) => s.name === name && Object.entries(where).every(([k, v]) => s.labels[k] === v))
    .reduce((sum, s) => sum + s.value, 0);
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

/** Jiffies of the whole machine (all cores): busy and total. Zero where /proc/stat is missing. */
export interface MachineCpu {
  busy: number;
  total: number;
}

export function machineCpu(): MachineCpu {
  try {
    const fields = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
    const idle = fields[3] + (fields[4] ?? 0);
    const total = fields.slice(0, 8).reduce((a, b) => a + b, 0);
    return { busy: total - idle, total };
  } catch {
    return { busy: 0, total: 0 };
  }
}

/** Linux's USER_HZ: /proc/stat counts in hundredths of a second. */
const TICKS_PER_SECOND = 100;

/** Between two readings: the share of all cores busy (0..1) and the CPU seconds spent by every process; NaN without /proc/stat. */
export interface MachineBusy {
  share: number;
  cpuSeconds: number;
}

export function machineBusy(from: MachineCpu, to: MachineCpu): MachineBusy {
  const total = to.total - from.total;
  if (total <= 0) return { share: NaN, cpuSeconds: NaN };
  return { share: (to.busy - from.busy) / total, cpuSeconds: (to.busy - from.busy) / TICKS_PER_SECOND };
}
