/** Sink records as the partition consumers will hand them to the writers. */
import type { SinkRecord } from '../../src/records/sink-record';

export function records(source: string, count: number, payload: (i: number) => Record<string, unknown>, offsetBase = 0): SinkRecord[] {
  return Array.from({ length: count }, (_, i) => ({
    id: `${source}:${i}`,
    source,
    ingestedAt: new Date(Date.UTC(2026, 10, 26, 12, 0, i % 60)).toISOString(),
    partition: i % 6,
    offset: String(offsetBase + i),
    version: String(offsetBase + i),
    payload: payload(i),
  }));
}

/** The same records as tombstones: the upstream deleted them. */
export function tombstones(batch: readonly SinkRecord[]): SinkRecord[] {
  return batch.map((r) => ({ ...r, payload: {}, deleted: true }));
}
