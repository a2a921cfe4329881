/**
 * The Elasticsearch sink writer against the real node: deterministic ids (re-delivery never
 * duplicates), documents shaped as upstream fields + `wharf`, poison records rejected with the
 * server's reason while the rest of the batch is indexed, oversized documents and long ids,
 * and an unreachable server reported as retriable.
 */
import { expect } from 'chai';
import { createElasticsearch } from '../../src/sinks/elasticsearch/client';
import type { ElasticsearchSinkConfig } from '../../src/sinks/elasticsearch/config';
import { ElasticsearchWriter, elasticsearchId } from '../../src/sinks/elasticsearch/writer';
import { SinkUnavailableError } from '../../src/sinks/sink-writer';
import { localElasticsearch } from '../helpers/local-stack';
import { uniqueName } from '../helpers/names';
import { records } from '../helpers/records';

describe('elasticsearch writer (real node)', function () {
  this.timeout(60_000);
  const client = createElasticsearch(localElasticsearch());
  const indexes: string[] = [];

  function sink(overrides: Partial<ElasticsearchSinkConfig> = {}): ElasticsearchSinkConfig {
    const index = uniqueName('writer-es');
    indexes.push(index);
    return {
      ...localElasticsearch(),
      index,
      mappings: { properties: { amount: { type: 'integer' }, status: { type: 'keyword' } } },
      settings: { number_of_shards: 1, number_of_replicas: 0 },
      ...overrides,
    };
  }

  after(async () => {
    await client.indices.delete({ index: indexes, ignore_unavailable: true });
    await client.close();
  });

  it('indexes a batch under deterministic ids, as upstream fields plus a wharf object, and a re-delivery leaves the count unchanged', async () => {
    const config = sink({ batchSize: 100 });
    const writer = new ElasticsearchWriter(config);
    await writer.prepare();
    const batch = records('orders', 1000, (i) => ({ orderId: i, amount: i % 50, status: 'open' }));
    expect(await writer.write(batch)).to.deep.equal({ written: 1000, unchanged: 0, rejected: [] });
    expect(await writer.write(batch)).to.deep.equal({ written: 1000, unchanged: 0, rejected: [] });
    await client.indices.refresh({ index: config.index });
    expect((await client.count({ index: config.index })).count).to.equal(1000);
    const doc = await client.get({ index: config.index, id: 'orders:7' });
    expect(doc._source).to.deep.equal({
      orderId: 7,
      amount: 7,
      status: 'open',
      wharf: { source: 'orders', id: 'orders:7', ingestedAt: '2026-11-26T12:00:07.000Z', partition: 1, offset: '7' },
    });
    await writer.close();
  });

  it('rejects a record with a mapping conflict, with the server\'s reason, and indexes the rest of its batch', async () => {
    const config = sink();
    const writer = new ElasticsearchWriter(config);
    await writer.prepare();
    const batch = records('orders', 10, (i) => ({ amount: i === 4 ? 'not a number' : i }));
    const result = await writer.write(batch);
    expect(result.written).to.equal(9);
    expect(result.rejected).to.have.length(1);
    expect(result.rejected[0]).to.deep.include({ sink: config.id, status: 400, attempts: 1 });
    expect(result.rejected[0].record.id).to.equal('orders:4');
    expect(result.rejected[0].reason).to.match(/^document_parsing_exception: .*amount/);
    await client.indices.refresh({ index: config.index });
    expect((await client.count({ index: config.index })).count).to.equal(9);
  });

  it('rejects a document larger than maxDocumentBytes without sending it, and indexes a record whose id is too long for Elasticsearch under a hashed id', async () => {
    const config = sink({ maxDocumentBytes: 2048 });
    const writer = new ElasticsearchWriter(config);
    await writer.prepare();
    const longId = `orders:${'x'.repeat(600)}`;
    const [big, small] = records('orders', 2, (i) => ({ note: i === 0 ? 'y'.repeat(5000) : 'ok' }));
    const result = await writer.write([big, { ...small, id: longId }]);
    expect(result.written).to.equal(1);
    expect(result.rejected.map((r) => r.reason)).to.deep.equal([`document of 5122 bytes exceeds maxDocumentBytes 2048`]);
    const stored = await client.get<{ wharf: { id: string } }>({ index: config.index, id: elasticsearchId(longId) });
    expect(stored._source?.wharf.id).to.equal(longId);
    expect(elasticsearchId(longId)).to.match(/^orders:sha256:[0-9a-f]{64}$/);
  });

  it('reports an unreachable Elasticsearch as a retriable SinkUnavailableError', async () => {
    const writer = new ElasticsearchWriter({ ...sink(), node: 'http://127.0.0.1:1' });
    const err = await writer.write(records('orders', 1, () => ({}))).then(() => undefined, (e: unknown) => e);
    expect(err).to.be.instanceOf(SinkUnavailableError);
    expect((err as SinkUnavailableError).retriable).to.equal(true);
    expect((err as SinkUnavailableError).message).to.match(/^sink search unavailable: bulk request failed/);
  });
});
