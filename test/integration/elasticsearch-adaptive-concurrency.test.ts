/**
 * Adaptive request concurrency against the real Elasticsearch, through a proxy that makes it look
 * loaded for a while (test/helpers/fault-proxy.ts): slow answers bring the limit down (cause
 * latency); whole bulk requests answered 429 and per-item 429s bring it down (cause rejected),
 * and the items are sent again with backoff, counted, never dead-lettered; once the faults stop,
 * every document is there exactly once with its content.
 */
import { expect } from 'chai';
import { METRICS } from '../../src/metrics/catalog';
import { counter, gauge } from '../../src/metrics/process-registry';
import { Delivery } from '../../src/pipeline/delivery';
import type { DeadLetter } from '../../src/records/dead-letter';
import { toMessage } from '../../src/records/wire-record';
import { AdaptiveConcurrencySchema } from '../../src/sinks/adaptive/config';
import { createElasticsearch } from '../../src/sinks/elasticsearch/client';
import { storeIndexName } from '../../src/sinks/elasticsearch/store-index';
import { ElasticsearchWriter } from '../../src/sinks/elasticsearch/writer';
import { FaultProxy } from '../helpers/fault-proxy';
import { localElasticsearch, quietLogger } from '../helpers/local-stack';
import { uniqueName } from '../helpers/names';

const BATCH = 600;
const payload = (n: number) => ({ n, text: `document ${n} `.repeat(8), tag: `t${n % 7}` });

async function value(metric: { get(): Promise<{ values: Array<{ value: number; labels: Record<string, unknown> }> }> }, labels: Record<string, string>): Promise<number> {
  const { values } = await metric.get();
  return values.filter((v) => Object.entries(labels).every(([k, l]) => v.labels[k] === l)).reduce((sum, v) => sum + v.value, 0);
}

describe('elasticsearch adaptive concurrency (real node behind a fault-injecting proxy)', function () {
  this.timeout(240_000);
  const es = localElasticsearch();
  const client = createElasticsearch(es);
  const index = uniqueName('adaptive-es');
  const sink = uniqueName('adaptive').replace(/[^a-z0-9_-]/g, '_');
  let proxy: FaultProxy;
  let delivery: Delivery;
  const letters: DeadLetter[] = [];
  let nextRecord = 0;

  before(async () => {
    proxy = await FaultProxy.start(es.node);
    const writer = new ElasticsearchWriter({
      ...es,
      id: sink,
      node: proxy.url,
      index,
      batchSize: 60,
      settings: { number_of_shards: 1, number_of_replicas: 0 },
      adaptiveConcurrency: AdaptiveConcurrencySchema.parse({ initial: 1, max: 8, minBatchSize: 20 }),
    });
    delivery = new Delivery({
      topic: 'wharf.records',
      sinks: [writer],
      publishDeadLetters: (published) => (letters.push(...published), Promise.resolve()),
      retry: { minMs: 50, maxMs: 500, jitter: 0.2, resetAfterMs: 10_000 },
      log: quietLogger,
    });
  });

  after(async () => {
    await delivery?.close();
    await proxy?.stop();
    await client.indices.delete({ index: [index, storeIndexName(index)], ignore_unavailable: true });
    await client.close();
  });

  /** Delivers the next batch of records (versions = offsets) through the one delivery path, as a partition consumer does. */
  async function deliverBatch(): Promise<void> {
    const messages = Array.from({ length: BATCH }, () => {
      const n = nextRecord++;
      const message = toMessage({ id: `docs:${n}`, source: 'docs', ingestedAt: '2026-11-30T12:00:00.000Z', payload: payload(n) });
      return { key: Buffer.from(message.key), value: Buffer.from(message.value), offset: String(n) };
    });
    const outcome = await delivery.deliver({ partition: 0, messages, signal: new AbortController().signal });
    expect(outcome).to.deep.include({ delivered: true, deadLettered: 0 });
  }

  const limit = () => value(gauge(METRICS.sinkConcurrencyLimit), { sink });
  const decreases = (cause: string) => value(counter(METRICS.sinkConcurrencyDecreases), { sink, cause });

  it('raises the limit while answers stay as fast as the baseline, and lowers it when they slow down', async () => {
    while ((await limit()) < 3) await deliverBatch();
    const before = await limit();
    proxy.faults = { delayMs: 1500 };
    await deliverBatch();
    await deliverBatch();
    proxy.faults = {};
    expect(await decreases('latency')).to.be.greaterThan(0);
    expect(await limit()).to.be.lessThan(before);
  });

  it('lowers the limit on 429s, whole requests and items, retries the refused items with backoff and counts them, dead-letters nothing', async () => {
    while ((await limit()) < 3) await deliverBatch();
    const before = await limit();
    const itemRetries = await value(counter(METRICS.sinkItemsRetried), { sink, status: '429' });
    proxy.faults = { throttledRequests: 60 };
    while (proxy.faults.throttledRequests! > 0) await deliverBatch();
    expect(proxy.injected.requests).to.be.greaterThan(0);
    expect(proxy.injected.items).to.be.greaterThan(0);
    expect(await decreases('rejected')).to.be.greaterThan(0);
    expect(await limit()).to.be.lessThan(before);
    expect((await value(counter(METRICS.sinkItemsRetried), { sink, status: '429' })) - itemRetries).to.be.at.least(proxy.injected.items);
    await deliverBatch();
  });

  it('leaves every document written exactly once, with its content and version, and nothing dead-lettered', async () => {
    expect(letters).to.deep.equal([]);
    await client.indices.refresh({ index });
    expect((await client.count({ index })).count).to.equal(nextRecord);
    const byId = new Map<string, { n: number; text: string; tag: string; wharf: { version: string } }>();
    for (let from = 0; from < nextRecord; from += 5000) {
      const found = await client.search<{ n: number; text: string; tag: string; wharf: { version: string } }>({ index, size: 5000, query: { range: { n: { gte: from, lt: from + 5000 } } } });
      for (const hit of found.hits.hits) byId.set(hit._id!, hit._source!);
    }
    expect(byId.size).to.equal(nextRecord);
    for (let n = 0; n < nextRecord; n++) {
      const doc = byId.get(`docs:${n}`);
      expect({ n: doc?.n, text: doc?.text, tag: doc?.tag, version: doc?.wharf.version }, `docs:${n}`).to.deep.equal({ ...payload(n), version: String(n) });
    }
  });
});

describe('elasticsearch maxDocsPerSecond (real node)', function () {
  this.timeout(120_000);
  const es = localElasticsearch();
  const client = createElasticsearch(es);
  const index = uniqueName('paced-es');
  const sink = uniqueName('paced').replace(/[^a-z0-9_-]/g, '_');
  const writer = new ElasticsearchWriter({ ...es, id: sink, index, batchSize: 100, settings: { number_of_shards: 1, number_of_replicas: 0 }, maxDocsPerSecond: 400 });

  after(async () => {
    await writer.close();
    await client.indices.delete({ index: [index, storeIndexName(index)], ignore_unavailable: true });
    await client.close();
  });

  it('holds requests back under the ceiling, counts the wait, and still writes every document once', async () => {
    await writer.prepare();
    const records = Array.from({ length: 1200 }, (_, n) => ({ id: `docs:${n}`, source: 'docs', ingestedAt: '2026-11-30T12:00:00.000Z', partition: 0, offset: String(n), version: String(n), payload: payload(n) }));
    // Three batches at once, as a consumer's partitions deliver: 1,200 documents at 400 a second, one second's worth at once.
    const results = await Promise.all([0, 1, 2].map((i) => writer.write(records.slice(i * 400, (i + 1) * 400))));
    expect(results.map((r) => [r.written, r.rejected.length])).to.deep.equal([[400, 0], [400, 0], [400, 0]]);
    expect(await value(counter(METRICS.sinkPacedSeconds), { sink }), 'requests waited for their turn').to.be.greaterThan(1);
    await client.indices.refresh({ index });
    expect((await client.count({ index })).count).to.equal(1200);
  });
});
