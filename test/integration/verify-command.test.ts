/**
 * `wharf verify` against the real stack: a pipeline runs until both sinks hold every record
 * (some of them updated, so a newer version exists), wharf stops; then documents are removed,
 * altered, made stale and added behind wharf's back, and verify must name exactly those, repair
 * what re-delivery can, and leave the rest reported.
 */
import { expect } from 'chai';
import { writeFileSync } from 'node:fs';
import { sameContent } from '../../src/records/document';
import { localCouchdb, localElasticsearch } from '../helpers/local-stack';
import { eventually, PipelineRun } from '../helpers/pipeline';
import { cli, jsonLines } from '../helpers/wharf-process';

type Doc = Record<string, unknown> & { wharf: { version: string }; status?: string };

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

  after(() => run.stop());

  before(async () => {
    run.upstream.add(60);
    // Newer versions of orders:1..10: the sinks must hold these, and verify expect them.
    run.upstream.add(10, (n) => ({ id: n - 60, amount: 1000 + n, status: 'updated' }));
    await run.start();
    const updatedInCouch = async () => (await db().list({ include_docs: true })).rows.filter((r) => r.doc?.status === 'updated').length;
    await eventually(() => run.couchCount(), (n) => n === 60, 90_000, '60 in CouchDB');
    await eventually(updatedInCouch, (n) => n === 10, 90_000, '10 updated in CouchDB');
    await eventually(() => run.esCount(), (n) => n === 60, 90_000, '60 in Elasticsearch');
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
    const perSink = { checked: 60, matching: 60, missing: 0, stale: 0, differs: 0, newer: 0, unexpected: 0 };
    expect(lines[0]).to.deep.equal({ summary: { records: 60, messages: 70, unreadable: 0, sinks: { [SEARCH]: perSink, [COUCH]: perSink } } });
    expect(verify.stderr).to.contain('70/70 messages (100%)');
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
    const stranger = { id: 9999, amount: 5, wharf: { source: 'orders', id: 'orders:9999', version: '0', partition: 0, offset: '0', ingestedAt: new Date().toISOString() } };
    await run.es.index({ index: run.name, id: 'orders:9999', version: 0, version_type: 'external', document: stranger, refresh: true });

    const expected = [
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
        messages: 70,
        unreadable: 0,
        sinks: {
          [SEARCH]: { checked: 61, matching: 59, missing: 0, stale: 0, differs: 1, newer: 0, unexpected: 1 },
          [COUCH]: { checked: 60, matching: 57, missing: 1, stale: 1, differs: 1, newer: 0, unexpected: 0 },
        },
      },
    });

    const onlyCouch = await cli('verify', '--json', '--sink', COUCH, '--config', run.configFile);
    expect(onlyCouch.exitCode).to.equal(1);
    expect(jsonLines(onlyCouch.stdout).slice(0, -1).sort(byId)).to.deep.equal(expected.filter((d) => d.sink === COUCH));

    const repair = await cli('verify', '--repair', '--json', '--config', run.configFile);
    // The unexpected document is reported, never deleted: something still differs.
    expect(repair.exitCode, repair.stderr).to.equal(1);
    expect(jsonLines(repair.stdout).at(-1)).to.deep.equal({ repaired: { requested: { [SEARCH]: 1, [COUCH]: 3 }, written: { [SEARCH]: 1, [COUCH]: 3 }, stale: { [SEARCH]: 0, [COUCH]: 0 }, deadLettered: 0 } });
    expect((await esDoc('orders:9999')).doc).to.deep.equal(stranger);

    for (const id of ['orders:3', 'orders:5', 'orders:7', 'orders:9']) {
      const inCouch = await db().get(id);
      const inEs = await esDoc(id);
      expect(sameContent(inCouch, original.get(id)!), `${id} in CouchDB`).to.equal(true);
      expect(sameContent(inEs.doc, original.get(id)!), `${id} in Elasticsearch`).to.equal(true);
      expect(inCouch.status).to.equal('updated');
      expect(inEs.version).to.equal(original.get(id)!.wharf.version);
    }

    await run.es.delete({ index: run.name, id: 'orders:9999', refresh: true });
    const again = await cli('verify', '--config', run.configFile);
    expect(again.exitCode, again.stdout + again.stderr).to.equal(0);
    expect(again.stdout).to.contain(`${SEARCH}: checked 60, matching 60; missing 0, stale 0, differs 0, newer 0, unexpected 0`);
    expect(again.stdout).to.contain(`${COUCH}: checked 60, matching 60; missing 0, stale 0, differs 0, newer 0, unexpected 0`);
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
