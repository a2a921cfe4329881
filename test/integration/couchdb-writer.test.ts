/**
 * The CouchDB sink writer against the real CouchDB-compatible server: deterministic ids, a
 * re-delivery that leaves no new revision, a newer version that gets one, the greatest version
 * kept whatever the order of writes (also between concurrent writers), a document the
 * server refuses rejected while the rest is written, an unreachable server reported as
 * retriable, refused credentials reported as unavailable (never as rejected documents), and a
 * request too large split down to the one document, which alone is rejected.
 */
import { expect } from 'chai';
import { createCouchdb } from '../../src/sinks/couchdb/client';
import type { CouchdbSinkConfig } from '../../src/sinks/couchdb/config';
import { couchdbCheck } from '../../src/sinks/couchdb/health';
import { CouchdbWriter } from '../../src/sinks/couchdb/writer';
import { SinkUnavailableError } from '../../src/sinks/sink-writer';
import { localCouchdb } from '../helpers/local-stack';
import { uniqueName } from '../helpers/names';
import { records, tombstones } from '../helpers/records';
import type { SinkRecord } from '../../src/records/sink-record';

/** The winning revision of a document, deleted or not (a plain GET answers 404 for a deleted one). */
async function storedRevision(dbName: string, id: string): Promise<{ _deleted?: boolean; wharf: { version: string; deleted?: boolean } }> {
  const db = createCouchdb(localCouchdb()).use(dbName);
  const row = (await db.fetchRevs({ keys: [id] })).rows[0] as { value: { rev: string } };
  return (await db.get(id, { rev: row.value.rev })) as never;
}

/** The batch as one version of every record. */
const atVersion = (version: number, batch: SinkRecord[]) => batch.map((r) => ({ ...r, version: String(version) }));

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

  it('writes a batch under deterministic ids; a re-delivery leaves no new revision, and only records of a newer version get one', async () => {
    const config = sink({ batchSize: 200 });
    const writer = new CouchdbWriter(config);
    await writer.prepare();
    await writer.prepare();
    const batch = records('orders', 500, (i) => ({ orderId: i, amount: i % 50 }));
    expect(await writer.write(batch)).to.deep.equal({ written: 500, unchanged: 0, stale: 0, rejected: [] });

    // The same versions re-delivered (a dead letter replayed: another Kafka offset, another ingest time): nothing changes.
    const replay = batch.map((r) => ({ ...r, offset: String(Number(r.offset) + 10_000), ingestedAt: '2026-11-27T00:00:00.000Z' }));
    expect(await writer.write(replay)).to.deep.equal({ written: 0, unchanged: 500, stale: 0, rejected: [] });

    const changed = replay.map((r, i) => (i < 3 ? { ...r, version: r.offset, payload: { ...r.payload, amount: 999 } } : r));
    expect(await writer.write(changed)).to.deep.equal({ written: 3, unchanged: 497, stale: 0, rejected: [] });

    const db = server.use<Record<string, unknown>>(config.db);
    expect((await db.info()).doc_count).to.equal(500);
    const doc = await db.get('orders:1');
    expect(doc._rev).to.match(/^2-/);
    expect(doc).to.deep.include({ _id: 'orders:1', orderId: 1, amount: 999 });
    expect(doc.wharf).to.deep.equal({ source: 'orders', id: 'orders:1', ingestedAt: '2026-11-27T00:00:00.000Z', partition: 1, offset: '10001', version: '10001' });
    const untouched = await db.get('orders:100');
    expect(untouched._rev).to.match(/^1-/);
    expect(untouched.wharf).to.deep.equal({ source: 'orders', id: 'orders:100', ingestedAt: '2026-11-26T12:00:40.000Z', partition: 4, offset: '100', version: '100' });
  });

  it('keeps the greatest version of each document: an older version written later is stale and leaves no revision, a newer one replaces it, a document without a version loses', async () => {
    const config = sink({ batchSize: 40 });
    const writer = new CouchdbWriter(config);
    await writer.prepare();
    const db = server.use<{ status: string; wharf: { version: string } }>(config.db);
    const content = (label: string) => records('orders', 100, (i) => ({ orderId: i, status: label }));
    const stored = async () => (await db.list({ include_docs: true })).rows.map((r) => [r.id, r.doc!._rev.split('-')[0], r.doc!.status, r.doc!.wharf.version].join(' ')).sort();
    const ids = Array.from({ length: 100 }, (_, i) => `orders:${i}`).sort();

    expect(await writer.write(atVersion(10, content('v10')))).to.deep.equal({ written: 100, unchanged: 0, stale: 0, rejected: [] });
    expect(await writer.write(atVersion(5, content('v5')))).to.deep.equal({ written: 0, unchanged: 0, stale: 100, rejected: [] });
    expect(await writer.write(atVersion(10, content('v10')))).to.deep.equal({ written: 0, unchanged: 100, stale: 0, rejected: [] });
    expect(await stored()).to.deep.equal(ids.map((id) => `${id} 1 v10 10`));

    // In one batch, out of order: only the newer is sent, the older is stale.
    const mixed = [...atVersion(30, content('v30')), ...atVersion(20, content('v20'))];
    expect(await writer.write(mixed)).to.deep.equal({ written: 100, unchanged: 0, stale: 100, rejected: [] });
    expect(await stored()).to.deep.equal(ids.map((id) => `${id} 2 v30 30`));

    // A document written before records carried versions counts as older than any.
    await db.insert({ _id: 'orders:legacy', status: 'legacy', wharf: { source: 'orders', id: 'orders:legacy' } } as never);
    const legacy = { ...content('v0')[0], id: 'orders:legacy', version: '0' };
    expect(await writer.write([legacy])).to.deep.equal({ written: 1, unchanged: 0, stale: 0, rejected: [] });
    expect(await db.get('orders:legacy')).to.deep.include({ status: 'v0' });
  });

  it('keeps the greatest version when concurrent writers race over the same ids (the _rev compare-and-set)', async () => {
    const config = sink({ batchSize: 25 });
    const writers = [1, 2, 3, 4].map(() => new CouchdbWriter(config));
    await writers[0].prepare();
    const content = (version: number) => atVersion(version, records('orders', 50, () => ({ status: `v${version}` })));
    // Writer w writes versions w, w+4, w+8 ... 40 in turn, all four at once: every id sees every version, out of order.
    const results = await Promise.all(
      writers.map(async (writer, w) => {
        const totals = { written: 0, unchanged: 0, stale: 0, rejected: 0 };
        for (let version = 40 - w; version > 0; version -= 4) {
          const result = await writer.write(content(version));
          totals.written += result.written;
          totals.unchanged += result.unchanged;
          totals.stale += result.stale;
          totals.rejected += result.rejected.length;
        }
        return totals;
      }),
    );
    expect(results.reduce((sum, r) => sum + r.written + r.unchanged + r.stale, 0)).to.equal(40 * 50);
    expect(results.map((r) => r.rejected)).to.deep.equal([0, 0, 0, 0]);
    const db = server.use<{ status: string; wharf: { version: string } }>(config.db);
    const docs = (await db.list({ include_docs: true })).rows.map((r) => `${r.doc!.status} ${r.doc!.wharf.version}`);
    expect(docs).to.deep.equal(Array(50).fill('v40 40'));
  });

  it('keeps a deletion as a versioned CouchDB deletion: an older write after it is stale, a newer one brings the document back, a deletion of a never-written id still wins over its older writes', async () => {
    const config = sink({ batchSize: 7 });
    const writer = new CouchdbWriter(config);
    await writer.prepare();
    const db = server.use<{ status?: string; wharf: { version: string; deleted?: boolean } }>(config.db);
    const content = (label: string) => records('orders', 20, (i) => ({ orderId: i, status: label }));
    const live = async () => (await db.list({ include_docs: true })).rows.map((r) => `${r.id} ${r.doc!.status} ${r.doc!.wharf.version}`).sort();
    const ids = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => `orders:${from + i}`);

    expect(await writer.write(atVersion(10, content('v10')))).to.deep.equal({ written: 20, unchanged: 0, stale: 0, rejected: [] });
    expect(await writer.write(tombstones(atVersion(15, content('x').slice(0, 10))))).to.deep.equal({ written: 10, unchanged: 0, stale: 0, rejected: [] });
    expect(await live()).to.deep.equal(ids(10, 20).map((id) => `${id} v10 10`).sort());
    const gone = await storedRevision(config.db, 'orders:3');
    expect(gone).to.deep.include({ _deleted: true });
    expect(gone.wharf).to.deep.include({ version: '15', deleted: true });

    // A late older write (a replay) does not bring a deleted document back; the same deletion again changes nothing.
    expect(await writer.write(atVersion(12, content('v12')))).to.deep.equal({ written: 10, unchanged: 0, stale: 10, rejected: [] });
    expect(await writer.write(tombstones(atVersion(15, content('x').slice(0, 10))))).to.deep.equal({ written: 0, unchanged: 10, stale: 0, rejected: [] });
    expect(await live()).to.deep.equal(ids(10, 20).map((id) => `${id} v12 12`).sort());
    // A newer write recreates it.
    expect(await writer.write(atVersion(20, content('v20').slice(0, 5)))).to.deep.equal({ written: 5, unchanged: 0, stale: 0, rejected: [] });
    expect(await live()).to.deep.equal([...ids(0, 5).map((id) => `${id} v20 20`), ...ids(10, 20).map((id) => `${id} v12 12`)].sort());
    // In one batch, a deletion newer than a write of the same id wins.
    const pair = [...atVersion(30, content('v30').slice(10, 12)), ...tombstones(atVersion(31, content('x').slice(10, 12)))];
    expect(await writer.write(pair)).to.deep.equal({ written: 2, unchanged: 0, stale: 2, rejected: [] });
    expect(await live()).to.not.include.members(['orders:10 v30 30', 'orders:10 v12 12']);

    // A deletion that arrives before any write of its id (the write came through another partition's replay, say) still wins over an older write.
    const early = { ...records('orders', 1, () => ({}))[0], id: 'orders:early' };
    expect(await writer.write(tombstones(atVersion(3, [early])))).to.deep.equal({ written: 1, unchanged: 0, stale: 0, rejected: [] });
    expect(await writer.write(atVersion(2, [{ ...early, payload: { status: 'old' } }]))).to.deep.equal({ written: 0, unchanged: 0, stale: 1, rejected: [] });
    expect((await live()).some((row) => row.startsWith('orders:early'))).to.equal(false);
    expect((await db.info()).doc_count).to.equal(13);
  });

  it('keeps the newest of writes and deletions racing from concurrent writers', async () => {
    const config = sink({ batchSize: 25 });
    const writers = [1, 2, 3].map(() => new CouchdbWriter(config));
    await writers[0].prepare();
    // Every third version is a deletion; the greatest, 30, is one: every id must end deleted at 30.
    const at = (version: number) => {
      const batch = atVersion(version, records('orders', 40, () => ({ status: `v${version}` })));
      return version % 3 === 0 ? tombstones(batch) : batch;
    };
    await Promise.all(writers.map(async (writer, w) => {
      for (let version = 30 - w; version > 0; version -= 3) await writer.write(at(version));
    }));
    const db = server.use<{ wharf: { version: string } }>(config.db);
    expect((await db.info()).doc_count).to.equal(0);
    const docs = await Promise.all(records('orders', 40, () => ({})).map((r) => storedRevision(config.db, r.id)));
    expect(docs.map((d) => `${d._deleted} ${d.wharf.version}`)).to.deep.equal(Array(40).fill('true 30'));
  });

  it('rejects, before sending, a record whose payload holds members CouchDB reserves ("_deleted" would delete the document), keeps what is stored, and writes the rest of the batch', async () => {
    const config = sink();
    const writer = new CouchdbWriter(config);
    await writer.prepare();
    expect((await writer.write(atVersion(1, records('orders', 5, (i) => ({ n: i }))))).written).to.equal(5);
    const reserved: Record<number, Record<string, unknown>> = { 1: { _deleted: true, n: 1 }, 2: { _reserved: 'x', n: 2 }, 3: { _id: 'other', _rev: '9-abc', n: 3 } };
    const result = await writer.write(atVersion(2, records('orders', 5, (i) => reserved[i] ?? { n: i * 10 })));
    expect(result.written).to.equal(2);
    expect(result.rejected.map((r) => [r.record.id, r.reason])).to.deep.equal([
      ['orders:1', 'payload member(s) _deleted: CouchDB reserves top-level members beginning with "_"'],
      ['orders:2', 'payload member(s) _reserved: CouchDB reserves top-level members beginning with "_"'],
      ['orders:3', 'payload member(s) _id, _rev: CouchDB reserves top-level members beginning with "_"'],
    ]);
    const stored = (await Promise.all([0, 1, 2, 3, 4].map((i) => storedRevision(config.db, `orders:${i}`)))) as Array<{ _deleted?: boolean; n: number; wharf: { version: string } }>;
    expect(stored.map((d) => [d._deleted ?? false, d.n, d.wharf.version])).to.deep.equal([
      [false, 0, '2'],
      [false, 1, '1'],
      [false, 2, '1'],
      [false, 3, '1'],
      [false, 40, '2'],
    ]);
  });

  it('reports an unreachable server as a retriable SinkUnavailableError', async () => {
    const writer = new CouchdbWriter({ ...sink(), url: 'http://127.0.0.1:1' });
    const err = await writer.write(records('orders', 1, () => ({}))).then(() => undefined, (e: unknown) => e);
    expect(err).to.be.instanceOf(SinkUnavailableError);
    expect((err as SinkUnavailableError).retriable).to.equal(true);
  });
  it('reports a wrong password as a retriable SinkUnavailableError naming the credentials, writes and rejects nothing, and fails the health check', async () => {
    const config = sink();
    await new CouchdbWriter(config).prepare();
    const rotated = { ...config, password: 'rotated-elsewhere' };
    const err = await new CouchdbWriter(rotated).write(records('orders', 5, (i) => ({ n: i }))).then(() => undefined, (e: unknown) => e);
    expect(err).to.be.instanceOf(SinkUnavailableError);
    expect((err as SinkUnavailableError).retriable).to.equal(true);
    expect((err as SinkUnavailableError).message).to.equal(
      "sink docs unavailable: credentials refused by CouchDB (401 unauthorized: Name or password is incorrect.); check the sink's username and password",
    );
    expect((await server.use(config.db).info()).doc_count).to.equal(0);
    const check = await couchdbCheck(rotated).run().then(() => undefined, (e: unknown) => e);
    expect((check as Error).message).to.match(/^sink:docs unavailable: .*Name or password is incorrect/);
  });

  it('rejects a document a validation function forbids, but gives the batch back as unavailable when one says the user is unauthorized', async () => {
    const config = sink();
    const writer = new CouchdbWriter(config);
    await writer.prepare();
    const db = server.use<Record<string, unknown>>(config.db);
    const validate = 'function (doc) { if (doc.bad) throw({ forbidden: "bad documents are refused" }); if (doc.role) throw({ unauthorized: "only writers may set a role" }); }';
    await db.insert({ _id: '_design/rules', validate_doc_update: validate });
    const result = await writer.write(records('orders', 4, (i) => (i === 1 ? { bad: true } : { n: i })));
    expect(result).to.deep.include({ written: 3, stale: 0 });
    expect(result.rejected.map((r) => [r.record.id, r.reason])).to.deep.equal([['orders:1', 'forbidden: bad documents are refused']]);
    const err = await writer.write(records('orders', 4, (i) => (i === 2 ? { role: 'admin' } : { n: i + 10 }), 10)).then(() => undefined, (e: unknown) => e);
    expect(err).to.be.instanceOf(SinkUnavailableError);
    expect((err as Error).message).to.match(/not authorized to write document orders:2 to database .*only writers may set a role, from a validate_doc_update function/);
  });

  it('splits a request the server refuses as too large (413) down to the one document, which alone is rejected; the rest is written', async () => {
    const config = sink();
    const writer = new CouchdbWriter(config);
    await writer.prepare();
    // pouchdb-server applies couchdb.max_document_size to the request body (a server setting, restored at once).
    const setting = `${config.url.replace(/\/$/, '')}/_config/couchdb/max_document_size`;
    const headers = { authorization: `Basic ${Buffer.from(`${config.username}:${config.password}`).toString('base64')}` };
    const before = (await (await fetch(setting, { headers })).json()) as string;
    const put = (value: string) => fetch(setting, { method: 'PUT', headers, body: JSON.stringify(value) }).then((r) => expect(r.status).to.equal(200));
    await put(String(256 * 1024));
    let result;
    try {
      result = await writer.write(records('orders', 8, (i) => ({ note: i === 5 ? 'x'.repeat(300 * 1024) : 'small' })));
    } finally {
      await put(before);
    }
    expect(result).to.deep.include({ written: 7, stale: 0 });
    expect(result.rejected.map((r) => [r.record.id, r.reason])).to.deep.equal([['orders:5', 'too_large: the request entity is too large']]);
  });
});
