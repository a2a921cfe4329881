/**
 * The CouchDB sink writer against the real CouchDB-compatible server: deterministic ids, a
 * re-delivery that leaves no new revision, a changed record that gets one, a document the
 * server refuses rejected while the rest is written, and an unreachable server reported as
 * retriable.
 */
import { expect } from 'chai';
import { createCouchdb } from '../../src/sinks/couchdb/client';
import type { CouchdbSinkConfig } from '../../src/sinks/couchdb/config';
import { CouchdbWriter } from '../../src/sinks/couchdb/writer';
import { SinkUnavailableError } from '../../src/sinks/sink-writer';
import { localCouchdb } from '../helpers/local-stack';
import { uniqueName } from '../helpers/names';
import { records } from '../helpers/records';

describe('couchdb writer (real pouchdb-server)', function () {
  this.timeout(60_000);
  const server = createCouchdb(localCouchdb());
  const dbs: string[] = [];

  function sink(overrides: Partial<CouchdbSinkConfig> = {}): CouchdbSinkConfig {
    const db = uniqueName('writer-couch');
    dbs.push(db);
    return { ...localCouchdb(), db, ...overrides };
  }

  after(async () => {
    for (const db of dbs) await server.db.destroy(db).catch(() => undefined);
  });

  it('writes a batch under deterministic ids; a re-delivery leaves no new revision, and only changed records get one', async () => {
    const config = sink({ batchSize: 200 });
    const writer = new CouchdbWriter(config);
    await writer.prepare();
    await writer.prepare();
    const batch = records('orders', 500, (i) => ({ orderId: i, amount: i % 50 }));
    expect(await writer.write(batch)).to.deep.equal({ written: 500, unchanged: 0, rejected: [] });

    // Replayed from another Kafka offset, same content: nothing changes.
    const replay = batch.map((r) => ({ ...r, offset: String(Number(r.offset) + 10_000), ingestedAt: '2026-11-27T00:00:00.000Z' }));
    expect(await writer.write(replay)).to.deep.equal({ written: 0, unchanged: 500, rejected: [] });

    const changed = replay.map((r, i) => (i < 3 ? { ...r, payload: { ...r.payload, amount: 999 } } : r));
    expect(await writer.write(changed)).to.deep.equal({ written: 3, unchanged: 497, rejected: [] });

    const db = server.use<Record<string, unknown>>(config.db);
    expect((await db.info()).doc_count).to.equal(500);
    const doc = await db.get('orders:1');
    expect(doc._rev).to.match(/^2-/);
    expect(doc).to.deep.include({ orderId: 1, amount: 999 });
    expect(doc.wharf).to.deep.include({ source: 'orders', id: 'orders:1', partition: 1, offset: '10001' });
    expect((await db.get('orders:100'))._rev).to.match(/^1-/);
  });

  it('rejects a document the server refuses and writes the rest of the batch', async () => {
    const config = sink();
    const writer = new CouchdbWriter(config);
    await writer.prepare();
    const batch = records('orders', 5, (i) => (i === 2 ? { _reserved: 'CouchDB forbids top-level fields starting with _' } : { n: i }));
    const result = await writer.write(batch);
    expect(result.written).to.equal(4);
    expect(result.rejected).to.have.length(1);
    expect(result.rejected[0].record.id).to.equal('orders:2');
    expect(result.rejected[0].reason).to.match(/^doc_validation: /);
  });

  it('reports an unreachable server as a retriable SinkUnavailableError', async () => {
    const writer = new CouchdbWriter({ ...sink(), url: 'http://127.0.0.1:1' });
    const err = await writer.write(records('orders', 1, () => ({}))).then(() => undefined, (e: unknown) => e);
    expect(err).to.be.instanceOf(SinkUnavailableError);
    expect((err as SinkUnavailableError).retriable).to.equal(true);
  });
});
