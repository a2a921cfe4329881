/**
 * Merges the metrics of many processes into one exposition, so that Prometheus sees one wharf:
 * series with the same name and labels are summed over processes. Counters and histograms must
 * never go backwards, yet a restarted actor process starts its own from zero: so when an actor
 * slot's process changes (a new incarnation) or dies, what its previous process had counted is
 * carried forward and added to the slot's series from then on. Gauges are current values only:
 * a dead process's gauges disappear with it. What was counted between the last collection and a
 * crash is lost (the collection interval bounds it), but nothing is ever counted twice.
 */
import type { MetricSnapshot } from './process-registry';

type Family = MetricSnapshot[number];

interface Series {
  family: { name: string; help: string; type: string };
  metricName: string;
  labels: Record<string, string>;
  value: number;
}

interface SlotState {
  incarnation: string | undefined;
  latest: MetricSnapshot;
  /** Cumulative series of the slot's previous processes. */
  carried: Map<string, Series>;
  /** Incarnations already carried forward; a late answer from one of them is ignored. */
  finished: Set<string>;
}

const cumulative = (type: string) => type === 'counter' || type === 'histogram';

export class MetricsMerger {
  private readonly slots = new Map<string, SlotState>();

  /** The current snapshot of one actor slot's process. */
  update(slot: string, incarnation: string, metrics: MetricSnapshot): void {
    const state = this.slot(slot);
    if (state.finished.has(incarnation)) return;
    if (state.incarnation !== undefined && state.incarnation !== incarnation) this.carryForward(state);
    state.incarnation = incarnation;
    state.latest = metrics;
  }

  /** The slot's process is gone (crashed, stopped, removed): keep its counts, drop its gauges. */
  gone(slot: string): void {
    const state = this.slots.get(slot);
    if (state?.incarnation !== undefined) this.carryForward(state);
  }

  slotIds(): string[] {
    return [...this.slots.keys()];
  }

  /** The Prometheus text exposition of `local` (this process) plus every slot. */
  render(local: MetricSnapshot): string {
    const merged = new Map<string, Series>();
    const add = (series: Series) => {
      const key = seriesKey(series.metricName, series.labels);
      const existing = merged.get(key);
      if (existing) existing.value += series.value;
      else merged.set(key, { ...series, labels: { ...series.labels } });
    };
    for (const family of local) seriesOf(family).forEach(add);
    for (const state of this.slots.values()) {
      for (const family of state.latest) seriesOf(family).forEach(add);
      state.carried.forEach((series) => add(series));
    }
    return exposition([...merged.values()]);
  }

  private slot(id: string): SlotState {
    let state = this.slots.get(id);
    if (!state) {
      state = { incarnation: undefined, latest: [], carried: new Map(), finished: new Set() };
      this.slots.set(id, state);
    }
    return state;
  }

  private carryForward(state: SlotState): void {
    for (const family of state.latest) {
      if (!cumulative(String(family.type))) continue;
      for (const series of seriesOf(family)) {
        const key = seriesKey(series.metricName, series.labels);
        const carried = state.carried.get(key);
        if (carried) carried.value += series.value;
        else state.carried.set(key, series);
      }
    }
    state.finished.add(state.incarnation!);
    state.incarnation = undefined;
    state.latest = [];
  }
}

function seriesOf(family: Family): Series[] {
  const meta = { name: family.name, help: family.help, type: String(family.type) };
  return family.values.map((v) => ({
    family: meta,
    metricName: (v as { metricName?: string }).metricName ?? family.name,
    labels: Object.fromEntries(Object.entries(v.labels).map(([k, value]) => [k, String(value)])),
    value: v.value,
  }));
}

function seriesKey(metricName: string, labels: Record<string, string>): string {
  return `${metricName}{${Object.keys(labels)
    .sort()
    .map((k) => `${k}=${JSON.stringify(labels[k])}`)
    .join(',')}}`;
}

const SUFFIX_ORDER: Record<string, number> = { _bucket: 0, _sum: 1, _count: 2 };

/** Families in name order; a histogram's series grouped by labels, buckets in `le` order. */
function exposition(all: Series[]): string {
  const families = new Map<string, Series[]>();
  for (const series of all) {
    const list = families.get(series.family.name) ?? [];
    list.push(series);
    families.set(series.family.name, list);
  }
  const lines: string[] = [];
  for (const name of [...families.keys()].sort()) {
    const series = families.get(name)!;
    const { help, type } = series[0].family;
    lines.push(`# HELP ${name} ${help.replace(/\\/g, '\\\\').replace(/\n/g, '\\n')}`, `# TYPE ${name} ${type}`);
    series.sort((a, b) => compareSeries(name, a, b));
    for (const s of series) lines.push(`${s.metricName}${renderLabels(s.labels)} ${renderValue(s.value)}`);
  }
  return `${lines.join('\n')}\n`;
}

function compareSeries(family: string, a: Series, b: Series): number {
  const { le: leA, ...restA } = a.labels;
  const { le: leB, ...restB } = b.labels;
  const group = seriesKey('', restA).localeCompare(seriesKey('', restB));
  if (group !== 0) return group;
  const suffix = (s: Series) => SUFFIX_ORDER[s.metricName.slice(family.length)] ?? 0;
  return suffix(a) - suffix(b) || leValue(leA) - leValue(leB);
}

const leValue = (le: string | undefined) => (le === undefined ? 0 : le === '+Inf' ? Infinity : Number(le));

function renderLabels(labels: Record<string, string>): string {
  const keys = Object.keys(labels).sort((a, b) => (a === 'le' ? 1 : b === 'le' ? -1 : a.localeCompare(b)));
  if (keys.length === 0) return '';
  return `{${keys.map((k) => `${k}="${labels[k].replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"')}"`).join(',')}}`;
}

function renderValue(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (value === Infinity) return '+Inf';
  if (value === -Infinity) return '-Inf';
  return String(value);
}
