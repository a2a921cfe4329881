/**
 * The whole pipeline fed by a CouchDB `_changes` feed, on the real stack through `wharf run`:
 * every upstream document arrives once in Elasticsearch and in the sink CouchDB database as its
 * own fields plus the wharf object (no upstream `_id`/`_rev`); documents written and updated
 * while wharf runs follow, as their new version; deleted documents are deleted in both sinks
 * (tombstones: hidden from Elasticsearch searches, CouchDB deletions); design documents are not
 * propagated; the cursor stored in ZooKeeper ends at the upstream's update_seq; idle longpolls
 * are not logged as failures.
 */
import { expect } from 'chai';
import { connectZookeeper } from '../../src/coordination/zookeeper';
import { CursorStore } from '../../src/coordination/cursor-store';
import { localConfig, localCouchdb } from '../helpers/local-stack';
import { uniqueName } from '../helpers/names';
import { eventually, PipelineRun } from '../helpers/pipeline';

type Doc = { _id: string; _rev?: string; [field: string]: unknown };

const order = (i: number) => ({ amount: i, status: 'new', customer: `c${i % 7}`, lines: [{ sku: `s${i % 3}`, qty: 1 }] });
const ids = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, k) => `couch:doc-${from + k}`);

describe('pipeline: couchdb-changes -> Kafka -> Elasticsearch and CouchDB (real stack, wharf run)', function () {
  this.timeout(300_000);
  const run = new PipelineRun();
  const upstreamDb = uniqueName('e2e-upstream');
  const upstream = run.couch.use<Doc>(upstreamDb);

  after(async () => {
    await run.stop();
    await run.couch.db.destroy(upstreamDb).catch(() => undefined);
  });

  it('delivers every document once, follows new documents, updates and deletions, skips design documents', async () => {
    await run.couch.db.create(upstreamDb);
    await upstream.bulk({ docs: Array.from({ length: 1000 }, (_, i) => ({ _id: `doc-${i + 1}`, ...order(i + 1) })) });
    const doomed = await upstream.insert({ _id: 'doomed', amount: 0 });
    await upstream.destroy('doomed', doomed.rev);
    await upstream.insert({ _id: '_design/reports', views: {} });

    const local = localCouchdb();
    await run.start({
      sources: [
        { id: 'couch', type: 'couchdb-changes', url: local.url, db: upstreamDb, username: local.username, password: local.password, batchSize: 200, longpollTimeoutMs: 2000, intervalMs: 300 },
      ],
    });
    expect(await eventually(() => run.esCount(), (n) => n >= 1000, 120_000, 'Elasticsearch to hold 1000 documents')).to.equal(1000);
    expect(await eventually(() => run.couchCount(), (n) => n >= 1000, 120_000, 'CouchDB to hold 1000 documents')).to.equal(1000);

    // While wharf runs: 200 new documents, and 50 of the first ones updated.
    await upstream.bulk({ docs: Array.from({ length: 200 }, (_, i) => ({ _id: `doc-${1001 + i}`, ...order(1001 + i) })) });
    const firstFifty = await upstream.fetch({ keys: ids(1, 50).map((id) => id.slice('couch:'.length)) });
    const updated = firstFifty.rows.map((row) => {
      const doc = (row as { doc: Doc }).doc;
      return { ...doc, status: 'updated', amount: (doc.amount as number) + 10_000 };
    });
    await upstream.bulk({ docs: updated });

    const countUpdated = () =>
      run.es.indices
        .refresh({ index: run.name })
        .then(() => run.es.count({ index: run.name, query: { match: { status: 'updated' } } }))
        .then((r) => r.count);
    expect(await eventually(countUpdated, (n) => n >= 50, 120_000, 'the 50 updates in Elasticsearch')).to.equal(50);
    expect(await eventually(() => run.esCount(), (n) => n >= 1200, 120_000, 'the 200 new documents')).to.equal(1200);
    expect(await eventually(() => run.couchCount(), (n) => n >= 1200, 120_000, 'the 200 new documents in CouchDB')).to.equal(1200);
    expect(await run.esIds()).to.deep.equal(ids(1, 1200).sort());

    // While wharf runs: 30 documents deleted upstream are deleted in both sinks.
    const doomedThirty = await upstream.fetch({ keys: ids(101, 130).map((id) => id.slice('couch:'.length)) });
    await upstream.bulk({ docs: doomedThirty.rows.map((row) => ({ ...(row as { doc: Doc }).doc, _deleted: true })) });
    const remaining = [...ids(1, 100), ...ids(131, 1200)].sort();
    expect(await eventually(() => run.esIds(), (found) => found.length === remaining.length, 120_000, 'the 30 deletions in Elasticsearch')).to.deep.equal(remaining);
    expect(await eventually(() => run.couchIds(), (found) => found.length === remaining.length, 120_000, 'the 30 deletions in CouchDB')).to.deep.equal(remaining);

    // Contents: the upstream fields plus wharf, without the upstream's _id/_rev.
    const fresh = await run.es.get<Record<string, unknown>>({ index: run.name, id: 'couch:doc-777' });
    const { wharf: meta, ...fields } = fresh._source!;
    expect(fields).to.deep.equal(order(777));
    expect(meta).to.deep.include({ source: 'couch', id: 'couch:doc-777' });
    const sink = run.couch.use<Doc>(run.name);
    const copy = await sink.get('couch:doc-777');
    expect(Object.keys(copy).sort()).to.deep.equal(['_id', '_rev', 'amount', 'customer', 'lines', 'status', 'wharf']);
    expect(copy).to.deep.include(order(777));
    expect(copy.wharf).to.deep.equal(meta);
    expect(copy._rev).to.match(/^1-/);

    const esUpdated = (await run.es.get<Record<string, unknown>>({ index: run.name, id: 'couch:doc-7' }))._source!;
    expect(esUpdated).to.deep.include({ ...order(7), status: 'updated', amount: 10_007 });
    const couchUpdated = await eventually(() => sink.get('couch:doc-7'), (d) => d.status === 'updated', 60_000, 'the update in CouchDB');
    expect(couchUpdated).to.deep.include({ ...order(7), status: 'updated', amount: 10_007 });
    const statuses = () => sink.fetch({ keys: ids(1, 50) }).then((r) => r.rows.map((row) => (row as { doc: Doc }).doc.status));
    await eventually(statuses, (all) => all.every((s) => s === 'updated'), 60_000, 'all 50 updates in CouchDB');

    // A document deleted before wharf started is deleted in both sinks (a tombstone no search sees); design documents never became records.
    expect(await sink.get('couch:doomed').catch((e: { statusCode?: number }) => e.statusCode)).to.equal(404);
    expect((await run.es.count({ index: run.name, query: { ids: { values: ['couch:doomed', 'couch:doc-101'] } } })).count).to.equal(0);
    expect(await run.es.exists({ index: run.name, id: 'couch:_design/reports' })).to.equal(false);

    // The stored cursor has caught up with the upstream's last change.
    const { update_seq: updateSeq } = await upstream.info();
    const zk = await connectZookeeper(localConfig().zookeeper);
    try {
      const cursors = new CursorStore(zk, `/wharf-test/${run.name}`);
      await eventually(() => cursors.load('couch').then((c) => c.cursor), (c) => c === String(updateSeq), 30_000, `the cursor to reach ${String(updateSeq)}`);
    } finally {
      zk.close();
    }

    // An idle feed (longpolls ending empty) is waiting, not failing.
    await new Promise((r) => setTimeout(r, 6000));
    expect(run.wharf!.lines.filter((l) => l.msg === 'poll failed, retrying')).to.deep.equal([]);
  });
});
