/**
 * The whole pipeline on the real stack: an http-json upstream -> source poller -> Kafka ->
 * partition consumers -> Elasticsearch and CouchDB, run by `wharf run`. Every record arrives
 * exactly once in both sinks with the upstream's fields and the wharf object; records added
 * later follow; an item without id and a record Elasticsearch refuses go to the dead-letter
 * topic (the latter still reaches CouchDB); the cursor is stored in ZooKeeper.
 */
import { expect } from 'chai';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createCouchdb } from '../../src/sinks/couchdb/client';
import { createElasticsearch } from '../../src/sinks/elasticsearch/client';
import { storeIndexName } from '../../src/sinks/elasticsearch/store-index';
import { createKafka } from '../../src/kafka/client';
import { connectZookeeper } from '../../src/coordination/zookeeper';
import { CursorStore } from '../../src/coordination/cursor-store';
import { DemoUpstream, demoOrder } from '../../src/demo/upstream-server';
import type { DeadLetter } from '../../src/records/dead-letter';
import { localConfig, localCouchdb, localElasticsearch, quietLogger } from '../helpers/local-stack';
import { uniqueName } from '../helpers/names';
import { eventually } from '../helpers/pipeline';
import { WharfProcess } from '../helpers/wharf-process';

describe('pipeline: http-json -> Kafka -> Elasticsearch and CouchDB (real stack, wharf run)', function () {
  this.timeout(240_000);
  const es = createElasticsearch(localElasticsearch());
  const couch = createCouchdb(localCouchdb());
  const name = uniqueName('e2e');
  let upstream: DemoUpstream;
  let wharf: WharfProcess | undefined;

  after(async () => {
    if (wharf) {
      wharf.signal('SIGKILL');
      await wharf.exited;
    }
    await upstream?.stop();
    await es.indices.delete({ index: storeIndexName(name), ignore_unavailable: true });
    await es.close();
    await couch.db.destroy(name).catch(() => undefined);
  });

  it('delivers every upstream record exactly once into both sinks, follows new records, and dead-letters what cannot be delivered', async () => {
    upstream = new DemoUpstream({ port: 0, pageSize: 100 });
    upstream.add(600);
    upstream.records.push({ note: 'no id: cannot become a record' });
    upstream.add(1, () => ({ amount: 'not a number', status: 'poison' }));
    upstream.add(399);
    await upstream.start();

    const base = localConfig();
    const config = {
      kafka: { ...base.kafka, topic: `${name}.records`, dlqTopic: `${name}.dlq`, partitions: 6 },
      zookeeper: { ...base.zookeeper, root: `/wharf-test/${name}` },
      metrics: { port: 0 },
      sources: [{ id: 'orders', type: 'http-json', url: upstream.url, cursorParam: 'since', itemsPath: 'items', nextCursorPath: 'next', idField: 'id', intervalMs: 300 }],
      sinks: [
        { ...localElasticsearch(), index: name, mappings: { properties: { amount: { type: 'integer' }, status: { type: 'keyword' } } } },
        { ...localCouchdb(), db: name },
      ],
      pipeline: { consumers: { count: 2, groupId: `${name}-sinks` } },
    };
    const file = join(mkdtempSync(join(tmpdir(), 'wharf-e2e-')), 'actors.json');
    writeFileSync(file, JSON.stringify(config));
    wharf = new WharfProcess(['run', '--config', file, '--pid-file', `${file}.pid`]);
    await wharf.waitForLog((l) => l.msg === 'wharf healthy', 60_000);

    const esCount = () => es.indices.refresh({ index: name }).then(() => es.count({ index: name })).then((r) => r.count);
    const couchCount = () => couch.use(name).info().then((i) => i.doc_count);
    expect(await eventually(esCount, (n) => n >= 999, 120_000, 'Elasticsearch to hold 999 documents')).to.equal(999);
    expect(await eventually(couchCount, (n) => n >= 1000, 120_000, 'CouchDB to hold 1000 documents')).to.equal(1000);

    const doc = await es.get<Record<string, unknown>>({ index: name, id: 'orders:5' });
    const { wharf: meta, ...fields } = doc._source!;
    expect(fields).to.deep.equal({ id: 5, ...demoOrder(5) });
    expect(meta).to.deep.include({ source: 'orders', id: 'orders:5' });
    // A record from a poller has no version of its own: its Kafka offset is it.
    expect((meta as { version: unknown }).version).to.be.a('string').that.equals((meta as { offset: unknown }).offset);
    const couchDoc = await couch.use<Record<string, unknown>>(name).get('orders:5');
    expect(couchDoc).to.deep.include({ id: 5, ...demoOrder(5) });
    expect(couchDoc.wharf).to.deep.equal(meta);
    expect((await couch.use<Record<string, unknown>>(name).get('orders:602')).status).to.equal('poison');

    // Records appended upstream while wharf runs arrive too, once.
    upstream.add(25);
    expect(await eventually(esCount, (n) => n >= 1024, 60_000, 'the 25 new records')).to.equal(1024);
    expect(await eventually(couchCount, (n) => n >= 1025, 60_000, 'the 25 new records in CouchDB')).to.equal(1025);

    const zk = await connectZookeeper(base.zookeeper);
    expect((await new CursorStore(zk, config.zookeeper.root).load('orders')).cursor).to.equal('1026');
    zk.close();

    wharf.signal('SIGTERM');
    expect(await wharf.exited).to.equal(0);
    wharf = undefined;

    const letters = await readTopic(config.kafka.dlqTopic, 2);
    const byStage = Object.fromEntries(letters.map((l) => [l.stage, l]));
    expect(byStage.intake).to.deep.include({ source: 'orders', error: 'item has no string or number "id"', record: { note: 'no id: cannot become a record' } });
    expect(byStage.search).to.deep.include({ recordId: 'orders:602', source: 'orders' });
    expect(byStage.search.error).to.match(/^document_parsing_exception: .*amount/);
  });
});

async function readTopic(topic: string, count: number): Promise<DeadLetter[]> {
  const kafka = createKafka(localConfig().kafka, quietLogger, uniqueName('dlq-reader'));
  const consumer = kafka.consumer({ groupId: uniqueName('dlq-reader') });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  const letters: DeadLetter[] = [];
  await new Promise<void>((resolve, reject) => {
    consumer
      .run({
        eachMessage: ({ message }) => {
          letters.push(JSON.parse(message.value!.toString()) as DeadLetter);
          if (letters.length >= count) resolve();
          return Promise.resolve();
        },
      })
      .catch(reject);
  });
  await consumer.disconnect();
  return letters;
}
