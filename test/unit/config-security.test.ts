/**
 * The security keys of the configuration: secrets as strings or file references (read, never
 * echoed), whole credential pairs, TLS options that can apply, SASL, API keys, ZooKeeper digest,
 * and the ops listener's bearer token; and the one list of secret key names that the log
 * redaction, `check-config` and configuration errors hide.
 */
import { expect } from 'chai';
import { chmodSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfigFile, parseConfig } from '../../src/config/load';
import type { JsonSchema } from '../../src/config/reference';
import { configJsonSchema } from '../../src/config/schema';
import { hideSecrets } from '../../src/cli/config-commands';
import { ConfigError } from '../../src/errors';
import { hideUrlCredentials, SECRET_FIELDS } from '../../src/util/redaction';
import { REPO_ROOT } from '../helpers/local-stack';

const dir = mkdtempSync(join(tmpdir(), 'wharf-secrets-'));
const file = (name: string, content: string) => {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
};

const good = () => ({
  kafka: { brokers: ['127.0.0.1:9092'] },
  zookeeper: { connect: '127.0.0.1:2181' },
  sinks: [
    { id: 'search', type: 'elasticsearch', node: 'https://127.0.0.1:9200', index: 'orders' },
    { id: 'docs', type: 'couchdb', url: 'http://127.0.0.1:5984', db: 'orders' },
  ] as Array<Record<string, unknown>>,
});

function issuesOf(raw: unknown, env: NodeJS.ProcessEnv = {}): string[] {
  try {
    parseConfig(raw, 'test.json', env);
  } catch (err) {
    expect(err).to.be.instanceOf(ConfigError);
    return (err as ConfigError).issues.map((i) => `${i.path}: ${i.message}`);
  }
  throw new Error('expected a ConfigError');
}

/** Every key path whose schema is a secret (writeOnly), in every branch. */
function secretPaths(schema: JsonSchema, path = ''): string[] {
  if (schema.writeOnly) return [path];
  const own = Object.entries(schema.properties ?? {}).flatMap(([key, child]) => secretPaths(child, path ? `${path}.${key}` : key));
  const nested = [schema.items, typeof schema.additionalProperties === 'object' ? schema.additionalProperties : undefined, ...(schema.oneOf ?? []), ...(schema.anyOf ?? [])];
  return [...own, ...nested.flatMap((n) => (n ? secretPaths(n, path) : []))];
}

describe('configuration security keys', () => {
  it('reads a secret from a file reference (one trailing newline dropped), or takes it as a string', () => {
    const config = parseConfig(
      {
        ...good(),
        kafka: { brokers: ['127.0.0.1:9093'], tls: {}, sasl: { mechanism: 'SCRAM-SHA-512', username: 'wharf', password: { file: file('sasl', 'kafka-secret\n') } } },
        zookeeper: { connect: '127.0.0.1:2181', digest: { file: file('zk', 'wharf:zk-secret\n') } },
        sinks: [{ ...good().sinks[0], apiKey: { file: file('es', 'ZXMtc2VjcmV0') } }, { ...good().sinks[1], username: 'wharf', password: '${COUCH_PASSWORD}' }],
        metrics: { token: { file: file('token', 'ops-secret\r\n') } },
      },
      'test.json',
      { COUCH_PASSWORD: 'couch-secret' },
    );
    expect(config.kafka.sasl).to.deep.equal({ mechanism: 'SCRAM-SHA-512', username: 'wharf', password: 'kafka-secret' });
    expect(config.zookeeper.digest).to.equal('wharf:zk-secret');
    expect(config.sinks[0]).to.include({ apiKey: 'ZXMtc2VjcmV0' });
    expect(config.sinks[1]).to.include({ username: 'wharf', password: 'couch-secret' });
    expect(config.metrics.token).to.equal('ops-secret');
  });

  it('refuses an unreadable, empty or relative secret file, naming the key and the path, never the content', () => {
    const unreadable = file('unreadable', 'hidden-secret');
    chmodSync(unreadable, 0o000);
    const raw = good();
    raw.sinks[0].apiKey = { file: join(dir, 'missing') };
    raw.sinks[1] = { ...raw.sinks[1], username: 'wharf', password: { file: file('empty', '\n') } };
    const issues = issuesOf({ ...raw, metrics: { token: { file: 'relative/token' } }, zookeeper: { connect: '127.0.0.1:2181', digest: { file: unreadable } } });
    const readable = process.getuid?.() === 0; // root reads a 000 file anyway
    expect(issues).to.deep.equal([
      ...(readable ? ['zookeeper.digest: expected "user:password"'] : [`zookeeper.digest: cannot read the secret file ${unreadable}: EACCES`]),
      `sinks[0].apiKey: cannot read the secret file ${join(dir, 'missing')}: ENOENT`,
      `sinks[1].password: the secret file ${join(dir, 'empty')} is empty`,
      'metrics.token.file: expected an absolute file path',
    ]);
    expect(issues.join('\n')).not.to.include('hidden-secret');
  });

  it('refuses a username without a password, and a password without a username, in every component that takes them', () => {
    const raw = good();
    raw.sinks[0].username = 'wharf';
    raw.sinks[1].password = 'couch-secret';
    const sources = [
      { id: 'feed', type: 'http-json', url: 'http://127.0.0.1:8700/feed', username: 'reader' },
      { id: 'users', type: 'couchdb-changes', url: 'http://127.0.0.1:5984', db: 'users', username: 'reader' },
    ];
    const issues = issuesOf({ ...raw, sources });
    expect(issues).to.deep.equal([
      'sources[0].password: missing: username is set, so password is required',
      'sources[1].password: missing: username is set, so password is required',
      'sinks[0].password: missing: username is set, so password is required',
      'sinks[1].username: missing: password is set, so username is required',
    ]);
    expect(issues.join('\n')).not.to.include('couch-secret');
    // An unset variable is not a silent "no authentication" either: it names the variable.
    expect(issuesOf({ ...good(), sinks: [{ ...good().sinks[1], username: 'wharf', password: '${COUCH_PASSWORD}' }] })).to.deep.equal([
      'sinks[0].password: environment variable COUCH_PASSWORD is not set and "${COUCH_PASSWORD}" gives no default',
    ]);
  });

  it('checks TLS options: only on https://, a readable CA, certificate and key together, one way to trust the CA', () => {
    const ca = file('ca.pem', '-----BEGIN CERTIFICATE-----\n');
    const raw = good();
    raw.sinks[0].tls = { caFile: ca, caFingerprint: 'AB'.repeat(32) };
    raw.sinks[1].tls = { caFile: ca };
    expect(issuesOf({ ...raw, kafka: { brokers: ['127.0.0.1:9093'], tls: { certFile: ca, caFile: join(dir, 'nope.pem') } } })).to.deep.equal([
      `kafka.tls.caFile: cannot read ${join(dir, 'nope.pem')}: ENOENT`,
      'kafka.tls.keyFile: missing: certFile is set, so keyFile is required',
      'sinks[0].tls.caFingerprint: give either caFile or caFingerprint, not both',
      'sinks[1].tls: only applies to an https:// url, and url is http://',
    ]);
    raw.sinks[0].tls = { caFingerprint: 'not hex' };
    raw.sinks[0].apiKey = 'key';
    raw.sinks[0].username = 'wharf';
    raw.sinks[0].password = 'pw';
    delete raw.sinks[1].tls;
    expect(issuesOf(raw)).to.deep.equal([
      'sinks[0].tls.caFingerprint: expected a SHA-256 fingerprint: 64 hex digits, optionally in pairs separated by ":", got "not hex"',
      'sinks[0].apiKey: give either apiKey or username and password, not both',
    ]);
  });

  it('checks SASL and the ZooKeeper digest, without echoing them', () => {
    expect(
      issuesOf({ ...good(), kafka: { brokers: ['127.0.0.1:9093'], sasl: { mechanism: 'GSSAPI', username: 'wharf' } }, zookeeper: { connect: '127.0.0.1:2181', digest: 'no-colon-secret' } }),
    ).to.deep.equal([
      'kafka.sasl.mechanism: invalid option: expected one of "PLAIN"|"SCRAM-SHA-256"|"SCRAM-SHA-512", got "GSSAPI"',
      'kafka.sasl.password: missing: expected a non-empty string or {"file": "/absolute/path"}',
      'zookeeper.digest: expected "user:password"',
    ]);
  });

  it('refuses an ops listener on another address than loopback without a token, unless insecure is said', () => {
    expect(issuesOf({ ...good(), metrics: { host: '0.0.0.0' } })).to.deep.equal([
      'metrics.host: binds 0.0.0.0, which is not loopback: set metrics.token (a bearer token, best {"file": "..."}) or, knowingly, metrics.insecure: true',
    ]);
    for (const host of ['127.0.0.1', '127.0.0.53', '::1', 'localhost']) expect(parseConfig({ ...good(), metrics: { host } }, 't.json', {}).metrics.host).to.equal(host);
    expect(parseConfig({ ...good(), metrics: { host: '0.0.0.0', token: 't' } }, 't.json', {}).metrics.token).to.equal('t');
    expect(parseConfig({ ...good(), metrics: { host: '10.0.0.5', insecure: true } }, 't.json', {}).metrics.insecure).to.equal(true);
  });

  it('lists every secret key of the schema in SECRET_FIELDS, which the logs, check-config and errors hide', () => {
    const paths = secretPaths(configJsonSchema());
    expect(paths).to.include.members(['kafka.sasl.password', 'zookeeper.digest', 'sinks.apiKey', 'sinks.password', 'sources.headers', 'metrics.token']);
    const names = [...new Set(paths.map((p) => p.slice(p.lastIndexOf('.') + 1)))].sort();
    expect(names.filter((n) => !(SECRET_FIELDS as readonly string[]).includes(n)), 'secret keys missing from SECRET_FIELDS').to.deep.equal([]);
  });

  it('check-config --json hides every secret, each header value and credentials in URLs', () => {
    const config = {
      kafka: { sasl: { username: 'wharf', password: 'kafka-secret' } },
      zookeeper: { digest: 'wharf:zk-secret' },
      sources: [{ url: 'https://reader:url-secret@feed.example.com/x', headers: { authorization: 'Bearer header-secret' } }],
      sinks: [{ apiKey: 'es-secret', node: 'https://es.example.com' }],
      metrics: { token: 'ops-secret' },
    };
    const text = JSON.stringify(config, hideSecrets);
    for (const secret of ['kafka-secret', 'zk-secret', 'url-secret', 'header-secret', 'es-secret', 'ops-secret']) expect(text).not.to.include(secret);
    expect(JSON.parse(text)).to.deep.equal({
      kafka: { sasl: { username: 'wharf', password: '[redacted]' } },
      zookeeper: { digest: '[redacted]' },
      sources: [{ url: 'https://[redacted]@feed.example.com/x', headers: { authorization: '[redacted]' } }],
      sinks: [{ apiKey: '[redacted]', node: 'https://es.example.com' }],
      metrics: { token: '[redacted]' },
    });
    expect(hideUrlCredentials('got "http://u:p@h:1/x" and https://h/y')).to.equal('got "http://[redacted]@h:1/x" and https://h/y');
  });

  it('never echoes URL credentials in a configuration error', () => {
    const raw = good();
    raw.sinks[1].url = 'ftp://wharf:url-secret@127.0.0.1:5984';
    const issues = issuesOf(raw);
    expect(issues.join('\n')).not.to.include('url-secret');
    expect(issues[0]).to.match(/^sinks\[1\]\.url: expected an http:\/\/ or https:\/\/ URL, got "ftp:\/\/\[redacted\]@127\.0\.0\.1:5984"/);
  });

  it('ships config/secure.example.json valid, reading the secured stack through exactly the variables `scripts/stack env --secure` prints', () => {
    const example = join(REPO_ROOT, 'config/secure.example.json');
    const used = [...new Set([...readFileSync(example, 'utf8').matchAll(/\$\{([A-Z0-9_]+)/g)].map((m) => m[1]))].sort();
    expect(used).to.deep.equal([
      'WHARF_COUCHDB_ADMIN_PASSWORD',
      'WHARF_COUCHDB_ADMIN_USERNAME',
      'WHARF_COUCHDB_CA',
      'WHARF_COUCHDB_URL',
      'WHARF_DEMO_PORT',
      'WHARF_ES_API_KEY',
      'WHARF_ES_CA',
      'WHARF_ES_URL',
      'WHARF_KAFKA_BROKERS',
      'WHARF_KAFKA_CA',
      'WHARF_KAFKA_SASL_MECHANISM',
      'WHARF_KAFKA_SASL_PASSWORD',
      'WHARF_KAFKA_SASL_USERNAME',
      'WHARF_ZK_DIGEST',
      'WHARF_ZK_PORT',
    ]);
    const ca = file('stack-ca.pem', '-----BEGIN CERTIFICATE-----\n');
    const env = {
      WHARF_ES_URL: 'https://127.0.0.1:9201', WHARF_ES_CA: ca, WHARF_ES_API_KEY: 'ZXMta2V5',
      WHARF_KAFKA_BROKERS: '127.0.0.1:9094,127.0.0.2:9094', WHARF_KAFKA_CA: ca, WHARF_KAFKA_SASL_MECHANISM: 'SCRAM-SHA-512', WHARF_KAFKA_SASL_USERNAME: 'wharf', WHARF_KAFKA_SASL_PASSWORD: 'pw',
      WHARF_ZK_DIGEST: 'wharf:zk', WHARF_COUCHDB_URL: 'https://127.0.0.1:6984', WHARF_COUCHDB_CA: ca, WHARF_COUCHDB_ADMIN_USERNAME: 'wharf', WHARF_COUCHDB_ADMIN_PASSWORD: 'c',
    };
    const config = loadConfigFile(example, env);
    expect(config.kafka.brokers).to.deep.equal(['127.0.0.1:9094', '127.0.0.2:9094']);
    expect(config.sinks.map((s) => [s.id, s.type === 'elasticsearch' ? s.index : s.type === 'couchdb' ? s.db : s.path])).to.deep.equal([['search', 'orders'], ['docs', 'orders']]);
  });
});
