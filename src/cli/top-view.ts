/**
 * What `wharf top` draws, as a pure function of two consecutive reads of a running instance's
 * ops endpoints (/metrics, /topology, /readyz): per source and per sink the totals, the rates
 * since the previous read, errors and restarts; Kafka lag; the actors. Counters are the merged
 * ones /metrics serves, so rates cover every actor process of the instance.
 */
import { METRICS } from '../metrics/catalog';
import { labelValues, sumOf, type Sample } from '../metrics/exposition';
import type { Readiness } from '../service/ops-server';
import { CONSUMERS_GROUP, POLLERS_GROUP } from '../service/topology';
import type { TreeNode } from '../supervisors/supervisor';
import { renderTable } from './render-table';

export interface TopRead {
  /** When the read was made (ms). */
  at: number;
  samples: Sample[];
  tree?: TreeNode;
  readiness?: Readiness;
  /** Why the instance could not be read, if it could not. */
  error?: string;
}

const count = (n: number) => (Number.isFinite(n) ? String(Math.round(n)) : '-');
const ago = (seconds: number) => (!Number.isFinite(seconds) || seconds < 0 ? '-' : seconds < 120 ? `${Math.round(seconds)}s` : seconds < 7200 ? `${Math.round(seconds / 60)}m` : `${Math.round(seconds / 3600)}h`);

function workers(node: TreeNode | undefined): TreeNode[] {
  if (!node) return [];
  return node.kind === 'worker' ? [node] : (node.children ?? []).flatMap(workers);
}

export function renderTop(previous: TopRead | undefined, current: TopRead, url: string): string[] {
  const { samples } = current;
  const seconds = previous ? (current.at - previous.at) / 1000 : 0;
  const rate = (name: string, where: Record<string, string>) => {
    if (!previous || previous.error || seconds <= 0) return '-';
    const delta = sumOf(samples, name, where) - sumOf(previous.samples, name, where);
    return delta < 0 ? '-' : (delta / seconds).toFixed(1);
  };
  const all = workers(current.tree);
  const restartsOf = (prefix: string) => count(all.filter((w) => w.id === prefix || w.id.startsWith(`${prefix}-`)).reduce((sum, w) => sum + w.restarts, 0));
  const state = current.error ? `not reachable: ${current.error}` : current.readiness?.ready ? 'ready' : `not ready: ${current.readiness?.reasons.join('; ') ?? 'unknown'}`;
  const lines = [`wharf top  ${url}  ${new Date(current.at).toISOString().replace('T', ' ').slice(0, 19)}  ${state}`, 'q or Ctrl-C quits', ''];

  const pollers = all.filter((w) => w.id.startsWith(`${POLLERS_GROUP}-`)).map((w) => w.id.slice(POLLERS_GROUP.length + 1));
  const sources = [...new Set([...pollers, ...labelValues(samples, METRICS.sourceRecordsPolled.name, 'source'), ...labelValues(samples, METRICS.sourceLastSuccess.name, 'source')])].sort();
  const now = current.at / 1000;
  const sourceRows = sources.map((source) => {
    const where = { source };
    const lastSuccess = samples.some((s) => s.name === METRICS.sourceLastSuccess.name && s.labels.source === source) ? now - sumOf(samples, METRICS.sourceLastSuccess.name, where) : NaN;
    return [
      source,
      all.find((w) => w.id === `${POLLERS_GROUP}-${source}`)?.state ?? '-',
      count(sumOf(samples, METRICS.sourceRecordsPolled.name, where)),
      rate(METRICS.sourceRecordsPolled.name, where),
      count(sumOf(samples, METRICS.sourceRecordsProduced.name, where)),
      rate(METRICS.sourceRecordsProduced.name, where),
      count(sumOf(samples, METRICS.sourcePollErrors.name, where)),
      rate(METRICS.sourcePollErrors.name, where),
      ago(lastSuccess),
      restartsOf(`${POLLERS_GROUP}-${source}`),
    ];
  });
  lines.push(...renderTable(['SOURCE', 'POLLER', 'POLLED', '/S', 'PRODUCED', '/S', 'ERRORS', '/S', 'LAST POLL', 'RESTARTS'], sourceRows), '');

  const sinkServices = labelValues(samples, METRICS.serviceUp.name, 'service').filter((s) => s.startsWith('sink:')).map((s) => s.slice('sink:'.length));
  const sinks = [...new Set([...sinkServices, ...labelValues(samples, METRICS.sinkRecordsWritten.name, 'sink'), ...labelValues(samples, METRICS.sinkErrors.name, 'sink')])].sort();
  const consumerRestarts = restartsOf(CONSUMERS_GROUP);
  const sinkRows = sinks.map((sink) => {
    const where = { sink };
    const up = samples.find((s) => s.name === METRICS.serviceUp.name && s.labels.service === `sink:${sink}`);
    return [
      sink,
      up === undefined ? '-' : up.value === 1 ? 'up' : 'DOWN',
      count(sumOf(samples, METRICS.sinkRecordsWritten.name, where)),
      rate(METRICS.sinkRecordsWritten.name, where),
      count(sumOf(samples, METRICS.sinkStaleWrites.name, where)),
      count(sumOf(samples, METRICS.sinkErrors.name, where)),
      rate(METRICS.sinkErrors.name, where),
      count(sumOf(samples, METRICS.deadLetters.name, { stage: sink })),
      consumerRestarts,
    ];
  });
  lines.push(...renderTable(['SINK', 'SERVER', 'WRITTEN', '/S', 'STALE', 'ERRORS', '/S', 'DEAD LETTERS', 'RESTARTS (consumers)'], sinkRows), '');

  for (const group of labelValues(samples, METRICS.consumerLag.name, 'group')) {
    const partitions = samples.filter((s) => s.name === METRICS.consumerLag.name && s.labels.group === group).sort((a, b) => Number(a.labels.partition) - Number(b.labels.partition));
    const total = partitions.reduce((sum, s) => sum + s.value, 0);
    lines.push(`kafka  group ${group}  lag ${count(total)}  (${partitions.map((p) => `p${p.labels.partition} ${count(p.value)}`).join(', ')})  consumed/s ${rate(METRICS.recordsConsumed.name, {})}`);
  }
  lines.push(`dead letters at intake ${count(sumOf(samples, METRICS.deadLetters.name, { stage: 'intake' }))}  escalations ${count(sumOf(samples, METRICS.escalations.name))}`, '');

  const actorRows = all.map((w) => [w.id, w.actor ?? '-', w.state, w.pid ? String(w.pid) : '-', String(w.restarts), w.lastError ?? '']);
  lines.push(...renderTable(['ACTOR', 'KIND', 'STATE', 'PID', 'RESTARTS', 'LAST ERROR'], actorRows));
  return lines;
}
