/** Broken configuration files are rejected with every problem at once, each naming its key. */
import { expect } from 'chai';
import { readFileSync, writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseConfig, loadConfigFile } from '../../src/config/load';
import { configJsonSchema } from '../../src/config/schema';
import { ConfigError } from '../../src/errors';
import { DEFAULT_CONFIG_FILE } from '../helpers/local-stack';

const good = () => ({
  kafka: { brokers: ['127.0.0.1:9092'] },
  zookeeper: { connect: '127.0.0.1:2181' },
  sinks: [
    { id: 'search', type: 'elasticsearch', node: 'http://127.0.0.1:9200', index: 'orders' },
    { id: 'docs', type: 'couchdb', url: 'http://127.0.0.1:5984', db: 'orders' },
  ],
});

function issuesOf(raw: unknown, env: NodeJS.ProcessEnv = {}): string[] {
  try {
    parseConfig(raw, 'test.json', env);
  } catch (err) {
    expect(err).to.be.instanceOf(ConfigError);
    expect((err as ConfigError).retriable).to.equal(false);
    return (err as ConfigError).issues.map((i) => `${i.path}: ${i.message}`);
  }
  throw new Error('expected a ConfigError');
}

describe('config validation errors', () => {
  it('accepts a minimal file and fills in every default', () => {
    const config = parseConfig(good(), 'test.json', {});
    expect(config.kafka).to.include({ clientId: 'wharf', topic: 'wharf.records', dlqTopic: 'wharf.dlq', partitions: 6 });
    expect(config.zookeeper).to.include({ root: '/wharf', sessionTimeoutMs: 10_000 });
    expect(config.log.level).to.equal('info');
    expect(config.startup).to.deep.equal({ waitForServicesMs: 120_000, healthIntervalMs: 30_000 });
  });

  it('refuses a backoff whose longest delay is shorter than its first', () => {
    expect(issuesOf({ ...good(), pipeline: { consumers: { retry: { minMs: 5000, maxMs: 100 } } }, actors: { root: { backoff: { minMs: 60_000 } } } })).to.deep.equal([
      'pipeline.consumers.retry.maxMs: must be at least minMs (5000), got 100',
      'actors.root.backoff.maxMs: must be at least minMs (60000), got 30000',
    ]);
  });

  it('defaults the consumers to a 6 s session and 1 s heartbeats, and refuses a session below the broker floor or heartbeats too rare for it', () => {
    expect(parseConfig(good(), 'test.json', {}).pipeline.consumers).to.include({ sessionTimeoutMs: 6000, heartbeatIntervalMs: 1000 });
    expect(issuesOf({ ...good(), pipeline: { consumers: { sessionTimeoutMs: 5000 } } })).to.deep.equal([
      'pipeline.consumers.sessionTimeoutMs: too small: expected number to be >=6000, got 5000',
    ]);
    expect(issuesOf({ ...good(), pipeline: { consumers: { sessionTimeoutMs: 9000, heartbeatIntervalMs: 3000 } } })).to.deep.equal([
      'pipeline.consumers.heartbeatIntervalMs: must be below a third of sessionTimeoutMs (9000), got 3000',
    ]);
  });

  it('names an unknown key with its full path', () => {
    const raw = good();
    Object.assign(raw.kafka, { brokerz: ['x'] });
    expect(issuesOf(raw)).to.deep.equal(['kafka.brokerz: unknown key']);
  });

  it('names a wrong type with the value found', () => {
    const raw = { ...good(), kafka: { brokers: ['127.0.0.1:9092'], partitions: 'six' } };
    expect(issuesOf(raw)).to.deep.equal(['kafka.partitions: expected number, got "six"']);
  });

  it('rejects a negative count', () => {
    const raw = { ...good(), kafka: { brokers: ['127.0.0.1:9092'], partitions: -2 } };
    expect(issuesOf(raw)).to.deep.equal(['kafka.partitions: too small: expected number to be >=1, got -2']);
  });

  it('rejects a duplicate sink id, pointing at the second one', () => {
    const raw = good();
    raw.sinks[1].id = 'search';
    expect(issuesOf(raw)).to.deep.equal(['sinks[1].id: duplicate id "search" (already used by sinks[0])']);
    raw.sinks[0].node = 'not a url';
    expect(issuesOf(raw)).to.deep.equal([
      'sinks[1].id: duplicate id "search" (already used by sinks[0])',
      'sinks[0].node: expected an http:// or https:// URL, got "not a url"',
    ]);
  });

  it('reports a missing required section and an unknown sink type', () => {
    const raw: Record<string, unknown> = good();
    delete raw.zookeeper;
    (raw.sinks as object[]).push({ id: 'x', type: 'solr' });
    expect(issuesOf(raw)).to.deep.equal([
      'zookeeper: missing: expected object',
      `sinks[2].type: invalid discriminator value. Expected 'elasticsearch' | 'couchdb' | 'hdfs', got "solr"`,
    ]);
  });

  it('reports every problem of a file at once, including missing environment variables', () => {
    const raw = good();
    Object.assign(raw.kafka, { brokers: ['no-port'], extra: 1 });
    Object.assign(raw.sinks[1], { username: 'wharf', password: '${COUCH_PASSWORD}' });
    expect(issuesOf(raw)).to.deep.equal([
      'sinks[1].password: environment variable COUCH_PASSWORD is not set and "${COUCH_PASSWORD}" gives no default',
      'kafka.brokers[0]: expected host:port, e.g. "127.0.0.1:9092", got "no-port"',
      'kafka.extra: unknown key',
    ]);
  });

  it('never echoes a secret value in an error', () => {
    const raw = good();
    Object.assign(raw.sinks[1], { username: 'wharf', password: 12345 });
    expect(issuesOf(raw)).to.deep.equal(['sinks[1].password: expected a non-empty string or {"file": "/absolute/path"}, got [redacted]']);
  });

  it('explains a file that is not JSON', () => {
    const dir = mkdtempSync(join(tmpdir(), 'wharf-config-'));
    const file = join(dir, 'broken.json');
    writeFileSync(file, '{ "kafka": ');
    expect(() => loadConfigFile(file)).to.throw(ConfigError, /not valid JSON/);
  });

  it('ships config/actors.json valid and config/actors.schema.json equal to the generated schema', () => {
    expect(() => loadConfigFile(DEFAULT_CONFIG_FILE, {})).not.to.throw();
    const shipped: unknown = JSON.parse(readFileSync(DEFAULT_CONFIG_FILE.replace(/actors\.json$/, 'actors.schema.json'), 'utf8'));
    const regenerate = 'npx tsc -p . && node dist/src/cli.js config-schema > config/actors.schema.json';
    expect(shipped, `config/actors.schema.json is out of date; regenerate it: ${regenerate}`).to.deep.equal(configJsonSchema());
  });
});
