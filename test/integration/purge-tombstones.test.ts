/**
 * `wharf purge-tombstones` against the real stack: it removes only the Elasticsearch tombstone
 * documents of deletions older than --older-than (live documents and newer tombstones stay),
 * counts them with --dry-run, refuses a purge within the records or dead-letter topic's
 * retention (a replay could bring a deleted document back) unless forced, says a CouchDB sink
 * keeps no tombstones, and exits 2 on a bad duration.
 */
import { expect } from 'chai';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createKafka } from '../../src/kafka/client';
import { createElasticsearch } from '../../src/sinks/elasticsearch/client';
import { storeIndexName } from '../../src/sinks/elasticsearch/store-index';
import { ElasticsearchWriter } from '../../src/sinks/elasticsearch/writer';
import { localConfig, localCouchdb, localElasticsearch, quietLogger } from '../helpers/local-stack';
import { uniqueName } from '../helpers/names';
import { records, tombstones } from '../helpers/records';
import { WharfProcess } from '../helpers/wharf-process';

const HOUR = 3_600_000;

async function cli(...args: string[]): Promise<WharfProcess> {
  const command = new WharfProcess(args);
  await command.exited;
  return command;
}

const jsonLines = (text: string) => text.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Record<string, unknown>);

describe('wharf purge-tombstones (real stack)', function () {
  this.timeout(120_000);
  const name = uniqueName('purge');
  const es = createElasticsearch(localElasticsearch());
  const sink = { ...localElasticsearch(), index: name };
  const admin = createKafka(localConfig().kafka, quietLogger).admin();
  let configFile = '';

  before(async () => {
    await admin.connect();
    // Both topics keep messages for an hour.
    await admin.createTopics({
      waitForLeaders: true,
      topics: [`${name}.records`, `${name}.dlq`].map((topic) => ({ topic, numPartitions: 1, configEntries: [{ name: 'retention.ms', value: String(HOUR) }] })),
    });
    const base = localConfig();
    configFile = join(mkdtempSync(join(tmpdir(), 'wharf-purge-')), 'actors.json');
    writeFileSync(configFile, JSON.stringify({ ...base, kafka: { ...base.kafka, topic: `${name}.records`, dlqTopic: `${name}.dlq` }, sinks: [sink, { ...localCouchdb(), db: name }] }));

    const writer = new ElasticsearchWriter(sink);
    await writer.prepare();
    const daysAgo = (days: number) => new Date(Date.now() - days * 24 * HOUR).toISOString();
    const batch = records('orders', 30, (i) => ({ n: i }));
    // orders:0-9 deleted three days ago, orders:10-19 an hour ago (within a day), orders:20-29 live.
    const old = tombstones(batch.slice(0, 10)).map((r) => ({ ...r, version: '100', ingestedAt: daysAgo(3) }));
    const recent = tombstones(batch.slice(10, 20)).map((r) => ({ ...r, version: '100', ingestedAt: daysAgo(1 / 24) }));
    // In one batch only an id's newest version is sent: the 20 live copies of the deleted ids are stale.
    expect(await writer.write([...batch, ...old, ...recent])).to.deep.include({ written: 30, stale: 20 });
    await writer.close();
  });

  after(async () => {
    await admin.deleteTopics({ topics: [`${name}.records`, `${name}.dlq`] }).catch(() => undefined);
    await admin.disconnect();
    await es.indices.delete({ index: storeIndexName(name), ignore_unavailable: true });
    await es.close();
  });

  const stored = async () => {
    await es.indices.refresh({ index: storeIndexName(name) });
    const found = await es.search<{ wharf: { id: string; deleted?: boolean } }>({ index: storeIndexName(name), size: 100 });
    return found.hits.hits.map((h) => `${h._source!.wharf.id}${h._source!.wharf.deleted ? ' deleted' : ''}`).sort();
  };
  const ids = (from: number, to: number, suffix = '') => Array.from({ length: to - from }, (_, i) => `orders:${from + i}${suffix}`);

  it('refuses a purge within the topics\' retention, naming the topic, and removes nothing', async () => {
    const refused = await cli('purge-tombstones', '--older-than', '30m', '--config', configFile);
    expect(refused.exitCode).to.equal(1);
    expect(refused.stderr).to.contain(`within topic ${name}.records's retention (${HOUR} ms)`);
    expect(await stored()).to.have.length(30);
  });

  it('counts with --dry-run, then removes only the tombstones older than the cutoff; CouchDB keeps none', async () => {
    const dry = await cli('purge-tombstones', '--older-than', '2d', '--dry-run', '--config', configFile);
    expect(dry.exitCode, dry.stderr).to.equal(0);
    expect(jsonLines(dry.stdout).map((l) => [l.sink, l.wouldPurge ?? l.tombstones])).to.deep.equal([
      [sink.id, 10],
      [localCouchdb().id, 'none kept (deletions are the server\'s own)'],
    ]);
    expect(await stored()).to.have.length(30);

    const purge = await cli('purge-tombstones', '--older-than', '2d', '--sink', sink.id, '--config', configFile);
    expect(purge.exitCode, purge.stderr).to.equal(0);
    expect(jsonLines(purge.stdout)).to.have.length(1);
    expect(jsonLines(purge.stdout)[0]).to.include({ sink: sink.id, purged: 10 });
    expect(await stored()).to.deep.equal([...ids(10, 20, ' deleted'), ...ids(20, 30)].sort());

    // Forced within the retention: the recent tombstones go too.
    const forced = await cli('purge-tombstones', '--older-than', '1m', '--force', '--sink', sink.id, '--config', configFile);
    expect(jsonLines(forced.stdout)[0]).to.include({ purged: 10 });
    expect(await stored()).to.deep.equal(ids(20, 30).sort());
  });

  it('exits 2 on a duration it cannot read', async () => {
    const bad = await cli('purge-tombstones', '--older-than', 'a week', '--config', configFile);
    expect(bad.exitCode).to.equal(2);
    expect(bad.stderr).to.contain('--older-than: expected a duration such as 7d');
  });
});
