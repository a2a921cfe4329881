/**
 * The colleagues' query load: a fixed rate of searches (open loop: each sent on schedule, whether
 * or not the previous one answered), alternately a match query on free text and a terms
 * aggregation, on an index of its own, with the shard request cache off so that every
 * aggregation is computed. Latency is taken at the client, from send to answer, and filed under
 * the tag current when the query was sent (none: not counted).
 */
import type { Client } from '@elastic/elasticsearch';

const WORDS = ['harbour', 'crane', 'pallet', 'manifest', 'berth', 'tug', 'quay', 'ledger', 'freight', 'dock', 'customs', 'hull'];

export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

export interface TaggedLatencies {
  latencies: Map<string, number[]>;
  failed: number;
}

/** Sends `perSecond` queries a second to `index` until `signal` fires, then waits for the last answers. */
export async function runQueries(client: Client, index: string, perSecond: number, tag: () => string | undefined, signal: AbortSignal): Promise<TaggedLatencies> {
  const latencies = new Map<string, number[]>();
  let failed = 0;
  const pending: Array<Promise<void>> = [];
  for (let n = 0; !signal.aborted; n++) {
    const query =
      n % 2 === 0
        ? { index, size: 10, query: { match: { note: WORDS[n % WORDS.length] } } }
        : { index, size: 0, request_cache: false, aggs: { customers: { terms: { field: 'customer.id', size: 10 } } } };
    const label = tag();
    const started = performance.now();
    pending.push(
      client.search(query).then(
        () => {
          if (label !== undefined) latencies.set(label, [...(latencies.get(label) ?? []), performance.now() - started]);
        },
        () => void failed++,
      ),
    );
    await new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        signal.removeEventListener('abort', done);
        resolve();
      };
      const timer = setTimeout(done, 1000 / perSecond);
      signal.addEventListener('abort', done, { once: true });
    });
  }
  await Promise.all(pending);
  return { latencies, failed };
}
