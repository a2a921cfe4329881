/**
 * The benchmark's records: about 1 KB of JSON each (an id, strings, numbers, a nested object and
 * an array), deterministic (the same N records on every run), generated once in memory, and the
 * documents they become in the sinks.
 */
import type { estypes } from '@elastic/elasticsearch';
import { recordId } from '../../src/records/wire-record';
import { toDocument } from '../../src/records/document';

export const RECORD_BYTES = 1024;
export const SOURCE_ID = 'bench';

/** Mappings of both indexes (wharf's and the direct loader's), so they index the same work. */
export const INDEX_MAPPINGS: estypes.MappingTypeMapping = {
  properties: {
    amount: { type: 'integer' },
    status: { type: 'keyword' },
    createdAt: { type: 'date' },
    customer: { properties: { id: { type: 'keyword' } } },
  },
};

const WORDS = ['harbour', 'crane', 'pallet', 'manifest', 'berth', 'tug', 'quay', 'ledger', 'freight', 'dock', 'customs', 'hull'];
const CITIES = ['Rotterdam', 'Antwerp', 'Hamburg', 'Le Havre', 'Valencia', 'Gdansk', 'Genoa'];
const STATUSES = ['open', 'paid', 'shipped', 'delivered', 'returned'];

/** A small deterministic generator (xorshift32), so content varies without Math.random. */
function numbers(seed: number): () => number {
  let state = (seed * 2654435761) >>> 0 || 1;
  return () => {
    state ^= state << 13;
    state >>>= 0;
    state ^= state >>> 17;
    state ^= state << 5;
    state >>>= 0;
    return state;
  };
}

/** Record number `n` (from 1): exactly RECORD_BYTES of JSON. */
export function benchRecord(n: number): Record<string, unknown> {
  const next = numbers(n);
  const pick = <T>(list: readonly T[]) => list[next() % list.length];
  const record: Record<string, unknown> = {
    id: n,
    reference: `WH-${String(n).padStart(9, '0')}`,
    status: pick(STATUSES),
    amount: next() % 100_000,
    currency: 'EUR',
    createdAt: new Date(Date.UTC(2026, 0, 1) + n * 1000).toISOString(),
    customer: {
      id: `c-${next() % 50_000}`,
      name: `${pick(WORDS)} ${pick(WORDS)} ltd`,
      address: { street: `${next() % 400} ${pick(WORDS)} street`, city: pick(CITIES), zip: String(10_000 + (next() % 90_000)) },
    },
    lines: Array.from({ length: 3 + (n % 3) }, (_, i) => ({ line: i + 1, sku: `sku-${next() % 10_000}`, quantity: 1 + (next() % 20), price: (next() % 50_000) / 100 })),
    tags: [pick(WORDS), pick(WORDS), pick(CITIES).toLowerCase()],
    note: '',
  };
  const words: string[] = [];
  const room = RECORD_BYTES - Buffer.byteLength(JSON.stringify(record));
  while (words.join(' ').length < room) words.push(pick(WORDS));
  record.note = words.join(' ').slice(0, Math.max(0, room));
  return record;
}

export function benchRecords(count: number): Array<Record<string, unknown>> {
  return Array.from({ length: count }, (_, i) => benchRecord(i + 1));
}

/** The document wharf would write for record `n` (its `wharf` object as a poller and consumer would fill it). */
export function benchDocument(record: Record<string, unknown>, ingestedAt: string): { id: string; doc: Record<string, unknown> } {
  const id = recordId(SOURCE_ID, String(record.id));
  return { id, doc: toDocument({ id, source: SOURCE_ID, ingestedAt, partition: 0, offset: String(record.id), version: String(record.id), payload: record }) };
}
