import { expect } from 'chai';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseConfigText } from '../../src/config/config-text';
import { loadConfigFile } from '../../src/config/load';
import { ConfigError } from '../../src/errors';

const dir = mkdtempSync(join(tmpdir(), 'wharf-yaml-'));
function file(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

function issuesOf(path: string, env: NodeJS.ProcessEnv): string[] {
  try {
    loadConfigFile(path, env);
  } catch (err) {
    expect(err).to.be.instanceOf(ConfigError);
    return (err as ConfigError).issues.map((i) => `${i.path}: ${i.message}`);
  }
  throw new Error('expected a ConfigError');
}

const YAML_CONFIG = `# wharf on this host
kafka:
  brokers: ["\${KAFKA_HOST:-127.0.0.1}:\${KAFKA_PORT:-9092}"]   # flow style takes placeholders too
  partitions: \${PARTITIONS}
zookeeper:
  connect: 127.0.0.1:2181
metrics:
  port: \${METRICS_PORT:-9464}
sinks:
  - id: docs
    type: couchdb
    url: http://127.0.0.1:5984
    db: orders
    username: wharf
    password: "\${COUCH_PASSWORD}"
`;

describe('YAML configuration and interpolation before parsing', () => {
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('reads YAML with comments; numbers come from the environment, defaults apply, quoted values stay text', () => {
    const config = loadConfigFile(file('wharf.yaml', YAML_CONFIG), { PARTITIONS: '12', METRICS_PORT: '19464', COUCH_PASSWORD: '4711' });
    expect(config.kafka.brokers).to.deep.equal(['127.0.0.1:9092']);
    expect(config.kafka.partitions).to.equal(12);
    expect(config.metrics.port).to.equal(19464);
    const docs = config.sinks[0] as { password?: unknown };
    expect(docs.password).to.equal('4711');
  });

  it('never lets a value become structure: a secret with ": ", " #", quotes and newlines stays one string', () => {
    const secret = 'a: b # not a comment\n- "x" \'y\' {z}';
    const config = loadConfigFile(file('secret.yaml', YAML_CONFIG.replace('"${COUCH_PASSWORD}"', '${COUCH_PASSWORD}')), { PARTITIONS: '3', COUCH_PASSWORD: secret });
    expect((config.sinks[0] as { password?: unknown }).password).to.equal(secret);
  });

  it('types an unquoted placeholder as YAML types a plain scalar, and keeps a quoted one a string', () => {
    const text = 'a: ${N}\nb: "${N}"\nc: ${T:-true}\nd: ${E:-}\ne: x${N}\nf: ${H}\ng: [${N}, \'${N}\']\nh: $${N}\n';
    const { raw, issues } = parseConfigText(text, 'yaml', { N: '42', H: '0x1F' });
    expect(issues).to.deep.equal([]);
    expect(raw).to.deep.equal({ a: 42, b: '42', c: true, d: null, e: 'x42', f: 31, g: [42, '42'], h: '${N}' });
  });

  it('does the same in JSON: bare placeholders are typed, placeholders in strings stay strings', () => {
    const text = '{"a": ${N}, "b": "${N}", "c": ${T:-false}, "d": "$${N}", "e": "q\\"${S}"}';
    const { raw, issues } = parseConfigText(text, 'json', { N: '7', S: '"}' });
    expect(issues).to.deep.equal([]);
    expect(raw).to.deep.equal({ a: 7, b: '7', c: false, d: '${N}', e: 'q""}' });
  });

  it('names the key of a missing variable and of a value that should have been quoted, never echoing the secret', () => {
    const text = YAML_CONFIG.replace('"${COUCH_PASSWORD}"', '${COUCH_PASSWORD}');
    expect(issuesOf(file('missing.yaml', text), { COUCH_PASSWORD: '12345' })).to.deep.equal([
      'kafka.partitions: environment variable PARTITIONS is not set and "${PARTITIONS}" gives no default',
      'kafka.partitions: expected number, got "${PARTITIONS}"',
      'sinks[0].password: expected a non-empty string or {"file": "/absolute/path"}, got [redacted] (from ${COUCH_PASSWORD} written without quotes: quote it, "${COUCH_PASSWORD}", to keep it text)',
    ]);
  });

  it('gives the quoting hint only where text was expected', () => {
    const text = YAML_CONFIG.replace('${METRICS_PORT:-9464}', '${METRICS_PORT}');
    expect(issuesOf(file('port.yaml', text), { PARTITIONS: '3', METRICS_PORT: '99999', COUCH_PASSWORD: 'x' })).to.deep.equal([
      'metrics.port: too big: expected number to be <=65535, got 99999',
    ]);
  });

  it('explains a file that is not YAML with its line, and refuses a repeated key', () => {
    expect(issuesOf(file('broken.yml', 'kafka:\n  brokers: [a\n'), {})[0]).to.match(/^: not valid YAML: .* at line \d+, column \d+$/);
    expect(issuesOf(file('twice.yaml', 'kafka: {}\nkafka: {}\n'), {})[0]).to.match(/not valid YAML: Map keys must be unique/);
  });
});
