/**
 * `wharf verify` against the real stack: a pipeline runs until both sinks hold every record
 * (some of them updated, so a newer version exists, some deleted), wharf stops; then documents
 * are removed, altered, made stale, brought back after their deletion and added behind wharf's
 * back, and verify must name exactly those, repair what re-delivery can, and leave the rest
 * reported.
 */
import { expect } from 'chai';
import { writeFileSync } from 'node:fs';
import { sameContent } from '../../src/records/document';
import { localCouchdb, localElasticsearch } from '../helpers/local-stack';
import { storeIndexName } from '../../src/sinks/elasticsearch/store-index';
import { eventually, expectSinksHoldNewest, PipelineRun } from '../helpers/pipeline';
import { cli, jsonLines } from '../helpers/wharf-process';

type Doc = Record<string, unknown> & { wharf: { version: string; deleted?: boolean }; status?: string };

describe('wharf verify (real stack)', function () {
  this.timeout(300_000);
  const run = new PipelineRun();
  const SEARCH = localElasticsearch().id;
  const COUCH = localCouchdb().id;
  const db = () => run.couch.use<Doc>(run.name);
  const esDoc = async (id: string) => {
    const got = await run.es.get<Doc>({ index: run.name, id });
    return { doc: got._source!, version: String(got._version) };
  };
  const original = new Map<string, Doc>();
  /** The version of an id's deletion, from its Elasticsearch tombstone (one record version in every sink). */
  const tombstoneVersion = async (id: string) => String((await run.es.get({ index: storeIndexName(run.name), id }))._version);

  after(() => run.stop());

  before(async () => {
    run.upstream.add(60);
    // Newer versions of orders:1..10: the sinks must hold these, and verify expect them.
    run.upstream.add(10, (n) => ({ id: n - 60, amount: 1000 + n, status: 'updated' }));
    // Deletions of orders:11..14: tombstones in Elasticsearch's store index, deletions in CouchDB, in neither's listing.
    run.upstream.remove([11, 12, 13, 14]);
    await run.start();
    const updatedInCouch = async () => (await db().list({ include_docs: true })).rows.filter((r) => r.doc?.status === 'updated').length;
    await eventually(() => run.couchCount(), (n) => n === 56, 90_000, '56 in CouchDB');
    await eventually(updatedInCouch, (n) => n === 10, 90_000, '10 updated in CouchDB');
    await eventually(() => run.esCount(), (n) => n === 56, 90_000, '56 in Elasticsearch');
    await eventually(() => run.es.count({ index: run.name, query: { match: { status: 'updated' } } }).then((r) => r.count), (n) => n === 10, 90_000, '10 updated in Elasticsearch');
    run.wharf!.signal('SIGTERM');
    await run.wharf!.exited;
    for (const id of ['orders:3', 'orders:5', 'orders:7', 'orders:9']) original.set(id, await db().get(id));
  });

  it('exits 0 with an all-matching summary when both sinks hold the newest version of every record', async () => {
    const verify = await cli('verify', '--json', '--config', run.configFile);
    expect(verify.exitCode, verify.stderr).to.equal(0);
    const lines = jsonLines(verify.stdout);
    expect(lines).to.have.length(1);
    const perSink = { checked: 60, matching: 60, missing: 0, stale: 0, differs: 0, 'deleted-but-present': 0, newer: 0, unexpected: 0 };
    expect(lines[0]).to.deep.equal({ summary: { records: 60, messages: 74, unreadable: 0, sinks: { [SEARCH]: perSink, [COUCH]: perSink } } });
    expect(verify.stderr).to.contain('74/74 messages (100%)');
    await expectSinksHoldNewest(run);
  });

  it('names exactly the documents removed, altered, made stale and added behind wharf\'s back; --repair puts right all but the unexpected', async () => {
    const removed = await db().get('orders:3');
    await db().destroy('orders:3', removed._rev);
    const altered = await esDoc('orders:5');
    await run.es.index({ index: run.name, id: 'orders:5', version: Number(altered.version), version_type: 'external_gte', document: { ...altered.doc, amount: 1 }, refresh: true });
    const newest = original.get('orders:7')!;
    const older = String(BigInt(newest.wharf.version) - 1n);
    await db().insert({ ...newest, status: 'open', wharf: { ...newest.wharf, version: older } });
    const edited = await db().get('orders:9');
    await db().insert({ ...edited, amount: 2 });
    // Deleted documents back: in CouchDB written over the deletion, in Elasticsearch an older write after its tombstone was purged.
    const deletion = await esDoc('orders:13');
    await db().insert({ ...original.get('orders:3')!, _id: 'orders:12', _rev: undefined, status: 'back', wharf: { ...deletion.doc.wharf, id: 'orders:12', version: '1', deleted: undefined } } as Doc);
    // Elasticsearch forgets a deleted document's version after index.gc_deletes (60 s by default): what a purge and time do.
    await run.es.indices.putSettings({ index: storeIndexName(run.name), settings: { 'index.gc_deletes': '0ms' } });
    await run.es.delete({ index: storeIndexName(run.name), id: 'orders:13', refresh: true });
    // Pruned on a refresh once the engine's coarse clock (200 ms) moved on.
    const writeBack = () =>
      run.es.indices
        .refresh({ index: storeIndexName(run.name) })
        .then(() => run.es.index({ index: run.name, id: 'orders:13', version: 1, version_type: 'external', document: { id: 13, status: 'back', wharf: { ...deletion.doc.wharf, version: '1', deleted: undefined } }, refresh: true }))
        .then(() => true);
    await eventually(writeBack, (done) => done, 10_000, 'the deletion of orders:13 forgotten by Elasticsearch');
    const stranger = { id: 9999, amount: 5, wharf: { source: 'orders', id: 'orders:9999', version: '0', partition: 0, offset: '0', ingestedAt: new Date().toISOString() } };
    await run.es.index({ index: run.name, id: 'orders:9999', version: 0, version_type: 'external', document: stranger, refresh: true });

    const expected = [
      { recordId: 'orders:12', sink: COUCH, kind: 'deleted-but-present', topicVersion: (await tombstoneVersion('orders:12')), sinkVersion: '1' },
      { recordId: 'orders:13', sink: SEARCH, kind: 'deleted-but-present', topicVersion: deletion.version, sinkVersion: '1' },
      { recordId: 'orders:3', sink: COUCH, kind: 'missing', topicVersion: original.get('orders:3')!.wharf.version },
      { recordId: 'orders:5', sink: SEARCH, kind: 'differs', topicVersion: altered.version, sinkVersion: altered.version },
      { recordId: 'orders:7', sink: COUCH, kind: 'stale', topicVersion: newest.wharf.version, sinkVersion: older },
      { recordId: 'orders:9', sink: COUCH, kind: 'differs', topicVersion: edited.wharf.version, sinkVersion: edited.wharf.version },
      { recordId: 'orders:9999', sink: SEARCH, kind: 'unexpected', sinkVersion: '0' },
    ];
    const byId = (a: Record<string, unknown>, b: Record<string, unknown>) => `${String(a.recordId)} ${String(a.sink)}`.localeCompare(`${String(b.recordId)} ${String(b.sink)}`);
    const verify = await cli('verify', '--json', '--config', run.configFile);
    expect(verify.exitCode, verify.stderr).to.equal(1);
    const lines = jsonLines(verify.stdout);
    expect(lines.slice(0, -1).sort(byId)).to.deep.equal(expected);
    expect(lines.at(-1)).to.deep.equal({
      summary: {
        records: 60,
        messages: 74,
        unreadable: 0,
        sinks: {
          [SEARCH]: { checked: 61, matching: 58, missing: 0, stale: 0, differs: 1, 'deleted-but-present': 1, newer: 0, unexpected: 1 },
          [COUCH]: { checked: 60, matching: 56, missing: 1, stale: 1, differs: 1, 'deleted-but-present': 1, newer: 0, unexpected: 0 },
        },
      },
    });

    const onlyCouch = await cli('verify', '--json', '--sink', COUCH, '--config', run.configFile);
    expect(onlyCouch.exitCode).to.equal(1);
    expect(jsonLines(onlyCouch.stdout).slice(0, -1).sort(byId)).to.deep.equal(expected.filter((d) => d.sink === COUCH));

    const repair = await cli('verify', '--repair', '--json', '--config', run.configFile);
    // The unexpected document is reported, never deleted: something still differs.
    expect(repair.exitCode, repair.stderr).to.equal(1);
    expect(jsonLines(repair.stdout).at(-1)).to.deep.equal({ repaired: { requested: { [SEARCH]: 2, [COUCH]: 4 }, written: { [SEARCH]: 2, [COUCH]: 4 }, stale: { [SEARCH]: 0, [COUCH]: 0 }, deadLettered: 0 } });
    expect((await esDoc('orders:9999')).doc).to.deep.equal(stranger);

    for (const id of ['orders:3', 'orders:5', 'orders:7', 'orders:9']) {
      const inCouch = await db().get(id);
      const inEs = await esDoc(id);
      expect(sameContent(inCouch, original.get(id)!), `${id} in CouchDB`).to.equal(true);
      expect(sameContent(inEs.doc, original.get(id)!), `${id} in Elasticsearch`).to.equal(true);
      expect(inCouch.status).to.equal('updated');
      expect(inEs.version).to.equal(original.get(id)!.wharf.version);
    }

    // The deleted documents are deleted again, in both sinks.
    expect((await db().list({ keys: ['orders:12'] })).rows[0].value).to.deep.include({ deleted: true });
    expect((await run.es.get<Doc>({ index: storeIndexName(run.name), id: 'orders:13' }))._source!.wharf).to.deep.include({ deleted: true, version: deletion.version });
    await run.es.indices.refresh({ index: run.name });
    expect(await run.es.count({ index: run.name, query: { ids: { values: ['orders:12', 'orders:13'] } } })).to.deep.include({ count: 0 });

    await run.es.delete({ index: run.name, id: 'orders:9999', refresh: true });
    const again = await cli('verify', '--config', run.configFile);
    expect(again.exitCode, again.stdout + again.stderr).to.equal(0);
    expect(again.stdout).to.contain(`${SEARCH}: checked 60, matching 60; missing 0, stale 0, differs 0, deleted-but-present 0, newer 0, unexpected 0`);
    expect(again.stdout).to.contain(`${COUCH}: checked 60, matching 60; missing 0, stale 0, differs 0, deleted-but-present 0, newer 0, unexpected 0`);
    await expectSinksHoldNewest(run);
  });

  it('exits 2 on a bad configuration file or an unknown sink', async () => {
    const bad = `${run.configFile}.bad.json`;
    writeFileSync(bad, JSON.stringify({ kafka: { brokers: 'not a list' } }));
    const verify = await cli('verify', '--config', bad);
    expect(verify.exitCode).to.equal(2);
    expect(verify.stderr).to.contain('kafka');
    const unknown = await cli('verify', '--sink', 'nope', '--config', run.configFile);
    expect(unknown.exitCode).to.equal(2);
    expect(unknown.stderr).to.contain('no sink "nope"');
  });
});
