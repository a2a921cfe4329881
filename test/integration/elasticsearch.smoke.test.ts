/**
 * @elastic/elasticsearch against the real Elasticsearch node of the local stack: an index with
 * a mapping, 10,000 documents bulk-indexed under explicit ids, counted and searched, then the
 * same ids bulk-indexed again without changing the count.
 */
import { expect } from 'chai';
import type { Client } from '@elastic/elasticsearch';
import { createElasticsearch } from '../../src/sinks/elasticsearch/client';
import { localElasticsearch } from '../helpers/local-stack';
import { uniqueName } from '../helpers/names';

const DOCS = 10_000;

function bulkBody(index: string, version: number): object[] {
  return Array.from({ length: DOCS }, (_, i) => [
    { index: { _index: index, _id: `order-${i}` } },
    { orderId: `order-${i}`, amount: i % 100, status: i % 2 === 0 ? 'open' : 'closed', version },
  ]).flat();
}

describe('elasticsearch (real node): client smoke', function () {
  this.timeout(120_000);
  let client: Client;
  const index = uniqueName('smoke-es');

  before(() => {
    client = createElasticsearch({ ...localElasticsearch(), index });
  });

  after(async () => {
    await client.indices.delete({ index, ignore_unavailable: true });
    await client.close();
  });

  it('creates an index with a mapping, bulk-indexes 10,000 docs with explicit ids, counts and searches them, and re-bulking the same ids keeps the count', async () => {
    await client.indices.create({
      index,
      settings: { number_of_shards: 1, number_of_replicas: 0 },
      mappings: {
        dynamic: 'strict',
        properties: { orderId: { type: 'keyword' }, amount: { type: 'integer' }, status: { type: 'keyword' }, version: { type: 'integer' } },
      },
    });
    const mapping = await client.indices.getMapping({ index });
    expect(mapping[index].mappings.properties?.amount).to.deep.equal({ type: 'integer' });

    const first = await client.bulk({ operations: bulkBody(index, 1), refresh: true });
    expect(first.errors).to.equal(false);
    expect(first.items.every((item) => item.index?.result === 'created')).to.equal(true);
    expect((await client.count({ index })).count).to.equal(DOCS);

    const open = await client.search({ index, query: { term: { status: 'open' } }, size: 0, track_total_hits: true });
    expect(open.hits.total).to.deep.equal({ value: DOCS / 2, relation: 'eq' });
    const one = await client.search<{ amount: number }>({ index, query: { term: { orderId: 'order-4242' } } });
    expect(one.hits.hits.map((h) => h._source?.amount)).to.deep.equal([42]);

    const second = await client.bulk({ operations: bulkBody(index, 2), refresh: true });
    expect(second.errors).to.equal(false);
    expect(second.items.every((item) => item.index?.result === 'updated')).to.equal(true);
    expect((await client.count({ index })).count).to.equal(DOCS);
    const updated = await client.get<{ version: number }>({ index, id: 'order-7' });
    expect(updated._source?.version).to.equal(2);
    expect(updated._version).to.equal(2);
  });
});
