/**
 * This process's own metrics registry. Every wharf process (the root and each forked actor)
 * records into its own; the root collects them all (see collector.ts). Metrics are created on
 * first use from their definition in the catalogue, so a process registers only what it uses.
 */
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry, type MetricObjectWithValues, type MetricValue } from 'prom-client';
import { PROCESS_METRIC_RENAMES, type MetricDefinition } from './catalog';

const registry = new Registry();
const created = new Map<string, Counter | Gauge | Histogram>();
let defaultsStarted = false;

type Labels<D extends MetricDefinition> = D['labelNames'][number];

function create(def: MetricDefinition): Counter | Gauge | Histogram {
  const existing = created.get(def.name);
  if (existing) return existing;
  const options = { name: def.name, help: def.help, labelNames: [...def.labelNames], registers: [registry] };
  const metric =
    def.type === 'counter' ? new Counter(options) : def.type === 'gauge' ? new Gauge(options) : new Histogram({ ...options, buckets: [...(def.buckets ?? [])] });
  created.set(def.name, metric);
  return metric;
}

export function counter<D extends MetricDefinition & { type: 'counter' }>(def: D): Counter<Labels<D>> {
  return create(def) as Counter<Labels<D>>;
}

export function gauge<D extends MetricDefinition & { type: 'gauge' }>(def: D): Gauge<Labels<D>> {
  return create(def) as Gauge<Labels<D>>;
}

export function histogram<D extends MetricDefinition & { type: 'histogram' }>(def: D): Histogram<Labels<D>> {
  return create(def) as Histogram<Labels<D>>;
}

/** Node.js process metrics (CPU, memory, event loop, GC), labelled with the actor or "root". */
export function startProcessMetrics(actor: string): void {
  if (defaultsStarted) return;
  defaultsStarted = true;
  collectDefaultMetrics({ register: registry, labels: { actor } });
}

export type MetricSnapshot = MetricObjectWithValues<MetricValue<string>>[];

export async function snapshotMetrics(): Promise<MetricSnapshot> {
  return (await registry.getMetricsAsJSON()).map((family) => {
    const renamed = PROCESS_METRIC_RENAMES[family.name];
    return renamed ? { ...family, name: renamed, values: family.values.map((v) => ({ ...v, metricName: renamed })) } : family;
  });
}
