/**
 * The peers benchmark's one table: for each path and tool, the medians over the invocation's
 * runs of docs/s, the ratio to the path's ceiling (each run's tool against the same run's
 * ceiling, then the median of those ratios), CPU seconds per million documents and peak RSS
 * (the sum over a tool's processes).
 */
import type { ToolRun } from './produce-path';

export interface Row {
  path: string;
  tool: string;
  /** One per run; a run the tool skipped or failed is missing. */
  runs: Array<ToolRun | undefined>;
  /** Why the tool has no figures (e.g. Go missing for Benthos). */
  skipped?: string;
}

export interface PathRows {
  ceiling: Row;
  others: Row[];
}

export function median(values: readonly number[]): number {
  const sorted = values.filter((v) => !Number.isNaN(v)).sort((a, b) => a - b);
  if (sorted.length === 0) return NaN;
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

const rate = (run: ToolRun) => run.count / run.seconds;
const fmt = (value: number, digits = 0) => (Number.isNaN(value) ? '–' : value.toLocaleString('en', { minimumFractionDigits: digits, maximumFractionDigits: digits }));

export interface Figures {
  docsPerSecond: number;
  ratioToCeiling: number;
  cpuSecondsPerMillion: number;
  peakRssMiB: number;
  perRun: Array<{ docsPerSecond: number; ratioToCeiling: number; cpuSecondsPerMillion: number; peakRssMiB: number } | null>;
}

export function figures(row: Row, ceiling: Row): Figures {
  const perRun = row.runs.map((run, i) => {
    if (!run) return null;
    const base = ceiling.runs[i];
    return {
      docsPerSecond: rate(run),
      ratioToCeiling: base ? rate(run) / rate(base) : NaN,
      cpuSecondsPerMillion: (run.cpuSeconds / run.count) * 1e6,
      peakRssMiB: run.peakRssBytes / 2 ** 20,
    };
  });
  const present = perRun.filter((r) => r !== null);
  const of = (key: keyof (typeof present)[number]) => median(present.map((r) => r[key]));
  return { docsPerSecond: of('docsPerSecond'), ratioToCeiling: of('ratioToCeiling'), cpuSecondsPerMillion: of('cpuSecondsPerMillion'), peakRssMiB: of('peakRssMiB'), perRun };
}

/** The markdown table, one line per tool, ceilings first in each path. */
export function table(paths: readonly PathRows[], runs: number): string {
  const lines = [
    `| path | tool | docs/s | ratio to ceiling | CPU s per million | peak RSS (MiB) |`,
    `|---|---|--:|--:|--:|--:|`,
  ];
  for (const { ceiling, others } of paths) {
    for (const row of [ceiling, ...others]) {
      if (row.skipped) {
        lines.push(`| ${row.path} | ${row.tool} | skipped: ${row.skipped} | | | |`);
        continue;
      }
      const f = figures(row, ceiling);
      const done = f.perRun.filter(Boolean).length;
      const note = done < runs ? ` (${done} of ${runs} runs)` : '';
      lines.push(`| ${row.path} | ${row.tool}${note} | ${fmt(f.docsPerSecond)} | ${fmt(f.ratioToCeiling, 2)} | ${fmt(f.cpuSecondsPerMillion, 1)} | ${fmt(f.peakRssMiB)} |`);
    }
  }
  return lines.join('\n');
}
