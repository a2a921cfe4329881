/**
 * The whole pipeline from a directory of NDJSON files, run by `wharf run` on the real stack:
 * every line arrives exactly once in Elasticsearch and CouchDB, under its idField or, without
 * one, under its file identity and byte offset; lines appended while wharf runs follow, across a
 * rotation by rename; a malformed line reaches the dead-letter topic naming file and offset; the
 * cursor in ZooKeeper ends at the end of every file.
 */
import { expect } from 'chai';
import { createHash } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { KafkaClient } from '../../src/kafka/client';
import { connectZookeeper } from '../../src/coordination/zookeeper';
import { CursorStore } from '../../src/coordination/cursor-store';
import { listDeadLetters, planDlqList, type ListedDeadLetter } from '../../src/replay/dlq-list';
import { localConfig, quietLogger } from '../helpers/local-stack';
import { uniqueName } from '../helpers/names';
import { NdjsonDir } from '../helpers/ndjson-dir';
import { eventually, PipelineRun } from '../helpers/pipeline';

const event = (n: number) => ({ id: `ev-${n}`, n, kind: n % 2 === 0 ? 'even' : 'odd', text: `event ${n} · ünïcødé` });
const events = (from: number, count: number) => Array.from({ length: count }, (_, i) => event(from + i));

/** The id the source gives a line without idField: `<first-line fingerprint>:<offset>` (no other file has that first line). */
function positionId(path: string, offset: number): string {
  const content = readFileSync(path);
  const fingerprint = createHash('sha256').update(content.subarray(0, content.indexOf(0x0a) + 1)).digest('hex').slice(0, 16);
  return `${fingerprint}:${offset}`;
}

describe('pipeline: ndjson-files -> Kafka -> Elasticsearch and CouchDB (real stack, wharf run)', function () {
  this.timeout(240_000);
  const run = new PipelineRun();
  const dir = new NdjsonDir();

  after(async () => {
    await run.stop();
    dir.cleanup();
  });

  it('delivers every line exactly once into both sinks, follows appends and a rotation, and dead-letters a malformed line', async () => {
    dir.append('events-a.ndjson', events(1, 250));
    dir.append('events-a.ndjson', [{ note: 'no id: identified by its position' }]);
    const noIdOffset = statSync(dir.file('events-a.ndjson')).size - Buffer.byteLength('{"note":"no id: identified by its position"}\n');
    dir.append('events-a.ndjson', events(251, 250));
    dir.append('events-b.ndjson', events(501, 300));
    const malformedOffset = statSync(dir.file('events-b.ndjson')).size;
    dir.appendRaw('events-b.ndjson', '{"id":"ev-broken",\n');
    dir.append('events-b.ndjson', events(801, 200));
    dir.touch('events-a.ndjson', Date.now() / 1000 - 60);

    await run.start({ sources: [{ id: 'files', type: 'ndjson-files', path: dir.path, pattern: 'events-*.ndjson*', idField: 'id', intervalMs: 300 }] });
    expect(await eventually(() => run.esCount(), (n) => n >= 1001, 120_000, 'Elasticsearch to hold 1001 documents')).to.equal(1001);
    expect(await eventually(() => run.couchCount(), (n) => n >= 1001, 120_000, 'CouchDB to hold 1001 documents')).to.equal(1001);

    // Appended, then rotated by rename before or after wharf saw the appends; a new file follows.
    dir.append('events-b.ndjson', events(1001, 200));
    dir.rename('events-b.ndjson', 'events-b.ndjson.1');
    dir.append('events-b.ndjson', events(1201, 100));
    expect(await eventually(() => run.esCount(), (n) => n >= 1301, 60_000, 'the 300 new lines in Elasticsearch')).to.equal(1301);
    expect(await eventually(() => run.couchCount(), (n) => n >= 1301, 60_000, 'the 300 new lines in CouchDB')).to.equal(1301);

    const noIdRecord = `files:${positionId(dir.file('events-a.ndjson'), noIdOffset)}`;
    const expectedIds = [...events(1, 1300).map((e) => `files:${e.id}`), noIdRecord];
    expect(await run.esIds()).to.deep.equal(expectedIds.sort());

    const esDoc = await run.es.get<Record<string, unknown>>({ index: run.name, id: 'files:ev-1234' });
    const { wharf: meta, ...fields } = esDoc._source!;
    expect(fields).to.deep.equal(event(1234));
    expect(meta).to.deep.include({ source: 'files', id: 'files:ev-1234' });
    const couchDoc = await run.couch.use<Record<string, unknown>>(run.name).get('files:ev-1234');
    expect(couchDoc).to.deep.include(event(1234));
    expect(couchDoc.wharf).to.deep.equal(meta);
    const noId = await run.couch.use<Record<string, unknown>>(run.name).get(noIdRecord);
    expect(noId).to.deep.include({ note: 'no id: identified by its position' });

    const zk = await connectZookeeper(localConfig().zookeeper);
    const cursor = JSON.parse((await new CursorStore(zk, `/wharf-test/${run.name}`).load('files')).cursor!) as { files: Record<string, { name: string; offset: number; ino: string; tail: string }> };
    zk.close();
    const ends = ['events-a.ndjson', 'events-b.ndjson', 'events-b.ndjson.1'].map((name) => ({ name, offset: statSync(dir.file(name)).size }));
    expect(Object.values(cursor.files).map(({ name, offset }) => ({ name, offset })).sort((a, b) => a.name.localeCompare(b.name))).to.deep.equal(ends);

    run.wharf!.signal('SIGTERM');
    expect(await run.wharf!.exited).to.equal(0);

    const kafka = new KafkaClient(localConfig().kafka, quietLogger, uniqueName('dlq-reader'));
    const [topic, groupId] = [`${run.name}.dlq`, uniqueName('dlq-reader')];
    const letters: ListedDeadLetter[] = [];
    const onLetter = (letter: object) => letters.push(letter as ListedDeadLetter);
    await listDeadLetters(kafka, await planDlqList(kafka, topic, groupId), { topic, groupId, filter: {}, follow: false, signal: new AbortController().signal, onLetter });
    expect(letters).to.have.length(1);
    expect(letters[0]).to.deep.include({ source: 'files', stage: 'intake', record: '{"id":"ev-broken",' });
    expect(letters[0].error).to.match(new RegExp(`^invalid JSON in events-b\\.ndjson at byte ${malformedOffset}: `));
  });
});
