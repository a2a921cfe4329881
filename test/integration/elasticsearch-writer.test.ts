/**
 * The Elasticsearch sink writer against the real node: deterministic ids (re-delivery never
 * duplicates), documents shaped as upstream fields + `wharf`, the greatest version kept whatever
 * the order of writes (an older one is stale, not rejected), poison records rejected with the
 * server's reason while the rest of the batch is indexed, oversized documents and long ids,
 * an unreachable server reported as retriable, and write blocks and a closed index reported as
 * unavailable (saying what to fix), never as rejected documents.
 */
import { expect } from 'chai';
import { createElasticsearch } from '../../src/sinks/elasticsearch/client';
import type { ElasticsearchSinkConfig } from '../../src/sinks/elasticsearch/config';
import { elasticsearchCheck } from '../../src/sinks/elasticsearch/health';
import { ElasticsearchWriter, elasticsearchId } from '../../src/sinks/elasticsearch/writer';
import { storeIndexName } from '../../src/sinks/elasticsearch/store-index';
import { SinkUnavailableError } from '../../src/sinks/sink-writer';
import { localElasticsearch } from '../helpers/local-stack';
import { uniqueName } from '../helpers/names';
import { records, tombstones } from '../helpers/records';
import type { SinkRecord } from '../../src/records/sink-record';

/** The batch as one version of every record. */
const atVersion = (version: number, batch: SinkRecord[]) => batch.map((r) => ({ ...r, version: String(version) }));

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
    await client.indices.delete({ index: [...indexes, ...indexes.map(storeIndexName)], ignore_unavailable: true });
    await client.close();
  });

  it('indexes a batch under deterministic ids, as upstream fields plus a wharf object, and a re-delivery is stale and leaves the count unchanged', async () => {
    const config = sink({ batchSize: 100 });
    const writer = new ElasticsearchWriter(config);
    await writer.prepare();
    const batch = records('orders', 1000, (i) => ({ orderId: i, amount: i % 50, status: 'open' }));
    expect(await writer.write(batch)).to.deep.equal({ written: 1000, unchanged: 0, stale: 0, rejected: [] });
    expect(await writer.write(batch)).to.deep.equal({ written: 0, unchanged: 0, stale: 1000, rejected: [] });
    await client.indices.refresh({ index: config.index });
    expect((await client.count({ index: config.index })).count).to.equal(1000);
    const doc = await client.get({ index: config.index, id: 'orders:7' });
    expect(doc._version).to.equal(7);
    expect(doc._source).to.deep.equal({
      orderId: 7,
      amount: 7,
      status: 'open',
      wharf: { source: 'orders', id: 'orders:7', ingestedAt: '2026-11-26T12:00:07.000Z', partition: 1, offset: '7', version: '7' },
    });
    await writer.close();
  });

  it('keeps a deletion as a versioned tombstone document that searches through the index alias never see: an older write after it is stale, a newer one brings the document back', async () => {
    const config = sink({ batchSize: 7 });
    const writer = new ElasticsearchWriter(config);
    await writer.prepare();
    const content = (label: string) => records('orders', 20, (i) => ({ orderId: i, status: label }));
    const searched = async () => {
      await client.indices.refresh({ index: config.index });
      const found = await client.search<{ status: string; wharf: { version: string } }>({ index: config.index, size: 100 });
      return found.hits.hits.map((h) => `${h._id} ${h._source!.status} ${h._source!.wharf.version}`).sort();
    };
    const count = async (query?: object) => (await client.count({ index: config.index, query })).count;
    const ids = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => `orders:${from + i}`);

    expect(await writer.write(atVersion(10, content('v10')))).to.deep.equal({ written: 20, unchanged: 0, stale: 0, rejected: [] });
    expect(await writer.write(tombstones(atVersion(15, content('x').slice(0, 10))))).to.deep.equal({ written: 10, unchanged: 0, stale: 0, rejected: [] });
    expect(await searched()).to.deep.equal(ids(10, 20).map((id) => `${id} v10 10`).sort());
    expect([await count(), await count({ term: { status: 'v10' } }), await count({ ids: { values: ids(0, 10) } })]).to.deep.equal([10, 10, 0]);
    const tombstone = await client.get({ index: storeIndexName(config.index), id: 'orders:3' });
    expect([tombstone._version, tombstone._source]).to.deep.equal([15, { wharf: { source: 'orders', id: 'orders:3', ingestedAt: '2026-11-26T12:00:03.000Z', partition: 3, offset: '3', version: '15', deleted: true } }]);

    // A late older write (a replay) does not bring a deleted document back, however long after the deletion.
    expect(await writer.write(atVersion(12, content('v12')))).to.deep.equal({ written: 10, unchanged: 0, stale: 10, rejected: [] });
    expect(await searched()).to.deep.equal(ids(10, 20).map((id) => `${id} v12 12`).sort());
    expect(await writer.write(atVersion(20, content('v20').slice(0, 5)))).to.deep.equal({ written: 5, unchanged: 0, stale: 0, rejected: [] });
    expect(await searched()).to.deep.equal([...ids(0, 5).map((id) => `${id} v20 20`), ...ids(10, 20).map((id) => `${id} v12 12`)].sort());
    // A deletion of an id never written still wins over its older writes.
    const early = { ...records('orders', 1, () => ({}))[0], id: 'orders:early' };
    expect(await writer.write(tombstones(atVersion(3, [early])))).to.deep.equal({ written: 1, unchanged: 0, stale: 0, rejected: [] });
    expect(await writer.write(atVersion(2, [{ ...early, payload: { status: 'old' } }]))).to.deep.equal({ written: 0, unchanged: 0, stale: 1, rejected: [] });
    expect(await count()).to.equal(15);
    await writer.close();
  });

  it('refuses (as unavailable, saying what to do) to write into a concrete index of the alias\'s name, left by a wharf before tombstones', async () => {
    const config = sink();
    await client.indices.create({ index: config.index });
    const writer = new ElasticsearchWriter(config);
    const err = await writer.prepare().then(() => undefined, (e: unknown) => e);
    expect(err).to.be.instanceOf(SinkUnavailableError);
    expect((err as Error).message).to.include(`index ${config.index} is a concrete index; wharf keeps documents in ${config.index}-store behind a filtered alias`);
    await writer.close();
  });

  it('keeps the greatest version of each document: an older version written later is stale (not rejected) and changes nothing, a newer one replaces it', async () => {
    const config = sink({ batchSize: 40 });
    const writer = new ElasticsearchWriter(config);
    await writer.prepare();
    const content = (label: string) => records('orders', 100, (i) => ({ orderId: i, status: label }));
    expect(await writer.write(atVersion(10, content('v10')))).to.deep.equal({ written: 100, unchanged: 0, stale: 0, rejected: [] });
    expect(await writer.write(atVersion(5, content('v5')))).to.deep.equal({ written: 0, unchanged: 0, stale: 100, rejected: [] });
    expect(await writer.write(atVersion(10, content('v10')))).to.deep.equal({ written: 0, unchanged: 0, stale: 100, rejected: [] });
    const stored = async () => {
      await client.indices.refresh({ index: config.index });
      const found = await client.search<{ status: string; wharf: { version: string } }>({ index: config.index, size: 1000, version: true });
      return found.hits.hits.map((h) => [h._id, h._version, h._source!.status, h._source!.wharf.version].join(' ')).sort();
    };
    const ids = Array.from({ length: 100 }, (_, i) => `orders:${i}`).sort();
    expect(await stored()).to.deep.equal(ids.map((id) => `${id} 10 v10 10`));

    // In one batch (its chunks go concurrently), either order: the newer wins, the older is stale.
    const mixed = [...atVersion(30, content('v30')), ...atVersion(20, content('v20'))];
    expect(await writer.write(mixed)).to.deep.equal({ written: 100, unchanged: 0, stale: 100, rejected: [] });
    expect(await stored()).to.deep.equal(ids.map((id) => `${id} 30 v30 30`));
    const ascending = [...atVersion(35, content('v35')), ...atVersion(40, content('v40'))];
    expect(await writer.write(ascending)).to.deep.equal({ written: 100, unchanged: 0, stale: 100, rejected: [] });
    expect(await stored()).to.deep.equal(ids.map((id) => `${id} 40 v40 40`));
    // Exact beyond 2^53, where a JSON number would round to its neighbour.
    const big = atVersion(0, content('big')).map((r) => ({ ...r, version: '9007199254740993' }));
    expect(await writer.write(big)).to.deep.include({ written: 100, stale: 0 });
    const below = atVersion(0, content('below')).map((r) => ({ ...r, version: '9007199254740992' }));
    expect(await writer.write(below)).to.deep.include({ written: 0, stale: 100 });
    expect((await stored()).every((line) => line.endsWith(' big 9007199254740993'))).to.equal(true);
    await writer.close();
  });

  it('rejects a record with a mapping conflict, with the server\'s reason, and indexes the rest of its batch', async () => {
    const config = sink();
    const writer = new ElasticsearchWriter(config);
    await writer.prepare();
    const batch = records('orders', 10, (i) => ({ amount: i === 4 ? 'not a number' : i }));
    const result = await writer.write(batch);
    expect(result.written).to.equal(9);
    expect(result.stale).to.equal(0);
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
    expect(result.rejected.map((r) => r.reason)).to.deep.equal([`document of 5136 bytes exceeds maxDocumentBytes 2048`]);
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
  it('gives a write-blocked index back as a retriable SinkUnavailableError that names the block, rejects nothing, fails the health check, and writes the same batch once the block is lifted', async () => {
    const config = sink();
    const writer = new ElasticsearchWriter(config);
    await writer.prepare();
    const batch = records('orders', 20, (i) => ({ amount: i }));
    await client.indices.putSettings({ index: config.index, settings: { 'index.blocks.write': true } });
    try {
      const err = await writer.write(batch).then(() => undefined, (e: unknown) => e);
      expect(err).to.be.instanceOf(SinkUnavailableError);
      expect((err as SinkUnavailableError).retriable).to.equal(true);
      expect((err as SinkUnavailableError).message).to.match(new RegExp(`^sink search unavailable: index ${config.index} is write-blocked \\(cluster_block_exception: .*index write \\(api\\)`));
      const check = await elasticsearchCheck(config).run().then(() => undefined, (e: unknown) => e);
      expect((check as Error).message).to.equal(`sink:search unavailable: index ${config.index} is write-blocked (index.blocks.write=true); lift the block`);
    } finally {
      await client.indices.putSettings({ index: config.index, settings: { 'index.blocks.write': null } });
    }
    expect(await elasticsearchCheck(config).run()).to.match(/^elasticsearch cluster /);
    expect(await writer.write(batch)).to.deep.equal({ written: 20, unchanged: 0, stale: 0, rejected: [] });
    await writer.close();
  });

  it('reports the flood-stage read-only block (an item 429) and a closed index as unavailable at once, without item retries or rejections', async () => {
    const config = sink({ maxAttempts: 10 });
    const writer = new ElasticsearchWriter(config);
    await writer.prepare();
    const batch = records('orders', 3, (i) => ({ amount: i }));
    await client.indices.putSettings({ index: config.index, settings: { 'index.blocks.read_only_allow_delete': true } });
    try {
      const started = Date.now();
      const blocked = await writer.write(batch).then(() => undefined, (e: unknown) => e);
      expect(Date.now() - started).to.be.below(1000);
      expect(blocked).to.be.instanceOf(SinkUnavailableError);
      expect((blocked as Error).message).to.match(/is write-blocked \(cluster_block_exception: .*flood-stage watermark/);
    } finally {
      await client.indices.putSettings({ index: config.index, settings: { 'index.blocks.read_only_allow_delete': null } });
    }
    await client.indices.close({ index: config.index });
    try {
      const closed = await writer.write(batch).then(() => undefined, (e: unknown) => e);
      expect(closed).to.be.instanceOf(SinkUnavailableError);
      expect((closed as Error).message).to.match(new RegExp(`index ${config.index} is closed \\(index_closed_exception: closed\\); open it$`));
    } finally {
      await client.indices.open({ index: config.index });
    }
    expect(await writer.write(batch)).to.deep.include({ written: 3, rejected: [] });
    await writer.close();
  });
});
