/**
 * The main job as an operator runs it: `wharf run` against the local stack reaches "healthy"
 * and stops cleanly on SIGTERM; with a server missing it retries visibly, then gives up with a
 * non-zero exit; with a broken file it refuses to start.
 */
import { expect } from 'chai';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_CONFIG_FILE, localConfig } from '../helpers/local-stack';
import { packageVersion } from '../helpers/release';
import { WharfProcess } from '../helpers/wharf-process';

function configFile(content: object): string {
  const file = join(mkdtempSync(join(tmpdir(), 'wharf-run-')), 'actors.json');
  writeFileSync(file, JSON.stringify(content));
  return file;
}

describe('wharf run (real stack)', function () {
  this.timeout(90_000);

  it('connects to Kafka, ZooKeeper, Elasticsearch, CouchDB and HDFS, logs "wharf healthy", and exits 0 on SIGTERM', async () => {
    const wharf = new WharfProcess(['run', '--config', DEFAULT_CONFIG_FILE]);
    const healthy = await wharf.waitForLog((l) => l.msg === 'wharf healthy', 60_000);
    expect(wharf.lines.find((l) => l.msg === 'wharf starting')).to.include({ version: packageVersion() });
    const services = (healthy.services as Array<{ service: string }>).map((s) => s.service);
    expect(services).to.deep.equal(['kafka', 'zookeeper', 'sink:search', 'sink:docs', 'sink:archive']);
    expect(wharf.stdout).not.to.contain(localConfig().sinks.find((s) => s.type === 'couchdb')!.password);
    wharf.signal('SIGTERM');
    expect(await wharf.exited).to.equal(0);
    expect(wharf.lines.map((l) => l.msg)).to.include.members(['wharf stopping', 'wharf stopped']);
    expect(wharf.stdout).not.to.match(/Logger configuration/);
  });

  it('retries an unreachable server with growing delays, naming it, then exits 1 when the startup bound passes', async () => {
    const config = localConfig();
    const broken = {
      ...config,
      sinks: config.sinks.map((s) => (s.type === 'elasticsearch' ? { ...s, node: 'http://127.0.0.1:1' } : s)),
      startup: { waitForServicesMs: 4000, healthIntervalMs: 30_000 },
    };
    const wharf = new WharfProcess(['run', '--config', configFile(broken)]);
    expect(await wharf.exited).to.equal(1);
    const retries = wharf.lines.filter((l) => l.msg === 'services not ready yet, retrying');
    expect(retries.length).to.be.greaterThanOrEqual(2);
    expect(String(retries[0].err)).to.contain('sink:search');
    expect(Number(retries[1].retryInMs)).to.be.greaterThan(Number(retries[0].retryInMs));
    const fatal = wharf.lines.find((l) => l.level === 'fatal');
    expect(fatal?.msg).to.equal('wharf could not start');
    expect(String(fatal?.err)).to.match(/gave up after \d+ attempts.*sink:search/);
  });

  it('refuses an invalid file before starting anything: exit 2 and every error on stderr', async () => {
    const wharf = new WharfProcess(['run', '--config', configFile({ kafka: { brokers: [] }, zookeeper: {}, sinks: [], bogus: 1 })]);
    expect(await wharf.exited).to.equal(2);
    expect(wharf.stderr).to.contain('invalid configuration');
    for (const expected of ['kafka.brokers: too small', 'zookeeper.connect: missing', 'sinks: too small', 'bogus: unknown key']) {
      expect(wharf.stderr).to.contain(expected);
    }
    expect(wharf.lines).to.deep.equal([]);
  });
});
