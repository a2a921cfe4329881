/**
 * Secrets in the configuration never reach the log, whatever happens: a run at trace level
 * with a source that keeps failing (its URL carries credentials, its header a token) and a
 * CouchDB sink with a password; then, through the secured stack, every kind of secret (Kafka SASL
 * password, Elasticsearch API key, CouchDB password, ZooKeeper digest, ops token, an upstream's
 * header, URL and Basic credentials; from files and from the environment, right and wrong) at
 * trace level, searched for in every output: the logs, /topology, /readyz, /metrics, `wharf
 * status`, `wharf check-config` (text and --json) and a command's error.
 */
import { expect } from 'chai';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { localConfig, localCouchdb } from '../helpers/local-stack';
import { freePort, uniqueName } from '../helpers/names';
import { eventually, PipelineRun } from '../helpers/pipeline';
import { secretFile, securedStack } from '../helpers/secure-pipeline';
import { secureEnv } from '../helpers/secure-stack';
import { WharfProcess } from '../helpers/wharf-process';

describe('secrets in the configuration (real stack)', function () {
  this.timeout(120_000);

  it('never appear in the log of any wharf process, at trace level, through failures and a stop', async () => {
    const name = uniqueName('secrets');
    const closedPort = await freePort();
    const base = localConfig();
    const couch = localCouchdb();
    const file = join(mkdtempSync(join(tmpdir(), 'wharf-secrets-')), 'actors.json');
    writeFileSync(
      file,
      JSON.stringify({
        log: { level: 'trace', redact: ['customerKey'] },
        kafka: { ...base.kafka, topic: `${name}.records`, dlqTopic: `${name}.dlq` },
        zookeeper: { ...base.zookeeper, root: `/wharf-test/${name}` },
        metrics: { port: 0 },
        sources: [
          // Nothing listens there: every poll fails and is logged.
          { id: 'failing', type: 'http-json', url: `http://reader:url-secret-7731@127.0.0.1:${closedPort}/feed`, headers: { authorization: 'Bearer header-secret-7731' }, intervalMs: 200 },
        ],
        sinks: [{ ...couch, db: name }],
        pipeline: { consumers: { count: 1, groupId: `${name}-sinks` } },
      }),
    );
    const wharf = new WharfProcess(['run', '--config', file]);
    await wharf.waitForLog((l) => l.msg === 'wharf healthy', 60_000);
    await wharf.waitForLog((l) => l.msg === 'poll failed, retrying' && Number(l.attempt) >= 3, 30_000);
    const check = new WharfProcess(['check-config', file]);
    await check.exited;
    wharf.signal('SIGTERM');
    expect(await wharf.exited).to.equal(0);

    const everything = `${wharf.stdout}\n${wharf.stderr}\n${check.stdout}\n${check.stderr}`;
    expect(wharf.lines.some((l) => l.level === 'trace' || l.level === 'debug'), 'trace/debug lines were written').to.equal(true);
    for (const secret of ['url-secret-7731', 'header-secret-7731', couch.password!]) {
      const leaks = everything.split('\n').filter((line) => line.includes(secret));
      expect(leaks, `log lines containing ${secret}`).to.deep.equal([]);
    }
    const failure = wharf.lines.find((l) => l.msg === 'poll failed, retrying')!;
    expect(failure.err).to.contain(`GET http://127.0.0.1:${closedPort}/feed failed: fetch failed: connect ECONNREFUSED`);
  });

  it('never appear in any output through the secured stack, right or wrong, at trace level, through refusals, a reload and a stop', async function () {
    this.timeout(300_000);
    const env = secureEnv();
    const stack = securedStack({}, env);
    const dir = stack.credentials;
    const closedPort = await freePort();
    const wrong = { kafka: 'wrong-kafka-4417', couch: 'wrong-couch-4417' };
    const own = { header: 'header-token-4417', url: 'url-secret-4417', basic: 'basic-secret-4417' };
    const run = new PipelineRun({ ...stack, sections: { ...stack.sections, log: { level: 'trace' } } });
    const outputs: string[] = [];
    const token = { authorization: `Bearer ${stack.opsToken}` };
    const collect = async () => {
      const ops = await run.wharf!.opsUrl();
      for (const path of ['/topology', '/readyz', '/metrics']) outputs.push(await fetch(`${ops}${path}`, { headers: token }).then((r) => r.text()));
      for (const args of [['status', '--url', ops, '--config', run.configFile], ['status', '--json', '--url', ops, '--config', run.configFile]]) {
        const status = new WharfProcess(args);
        await status.exited;
        outputs.push(status.stdout, status.stderr);
      }
    };
    try {
      run.upstream.add(20);
      await run.start({
        source: { username: 'reader', password: secretFile(dir, 'basic', own.basic), headers: { authorization: secretFile(dir, 'header', `Bearer ${own.header}`) } },
        moreSources: [
          { id: 'failing', type: 'http-json', url: `http://reader:${own.url}@127.0.0.1:${closedPort}/feed`, intervalMs: 200 },
          // Refused: a wrong password for the secured CouchDB's changes feed.
          { id: 'users', type: 'couchdb-changes', url: env.WHARF_COUCHDB_URL, db: 'users', username: env.WHARF_COUCHDB_ADMIN_USERNAME, password: wrong.couch, tls: { caFile: env.WHARF_COUCHDB_CA } },
        ],
      });
      await eventually(() => run.couchCount(), (n) => n === 20, 60_000, '20 in CouchDB');
      await run.wharf!.waitForLog((l) => l.msg === 'poll refused, retrying: an operator must fix the cause' && String(l.err).includes('credentials refused'), 30_000);
      await collect();
      for (const args of [['check-config', run.configFile], ['check-config', '--json', run.configFile]]) {
        const check = new WharfProcess(args);
        expect(await check.exited, check.stderr).to.equal(0);
        outputs.push(check.stdout, check.stderr);
      }
      // The resolved configuration was printed, its secrets hidden.
      expect(outputs.at(-2)).to.contain('"apiKey": "[redacted]"').and.contain('"digest": "[redacted]"').and.contain('"token": "[redacted]"');

      // A wrong Kafka password by reload: the consumers and pollers are refused, and say so.
      const kafka = run.config.kafka as { sasl: object };
      run.config = { ...run.config, kafka: { ...kafka, sasl: { ...kafka.sasl, password: secretFile(dir, 'kafka-wrong', wrong.kafka) } } };
      run.writeConfig();
      run.wharf!.signal('SIGHUP');
      await run.wharf!.waitForLog((l) => l.msg === 'Kafka refused the consumer, retrying: an operator must fix the cause', 60_000);
      await collect();
      const dlq = new WharfProcess(['dlq', 'list', '--config', run.configFile]);
      expect(await dlq.exited).to.equal(1);
      // One line of its own besides the file it read (kafkajs's error lines, JSON, go to stderr too).
      expect(dlq.stderr).to.contain(`wharf: configuration ${run.configFile}\n`);
      expect(dlq.stderr.split('\n').filter((l) => l.startsWith('wharf: ') && !l.startsWith('wharf: configuration '))).to.have.length(1).and.to.satisfy((lines: string[]) =>
        /^wharf: Kafka refused the SASL credentials \(SASL SCRAM SHA512 authentication failed: .*\): check kafka\.sasl$/.test(lines[0]),
      );
      outputs.push(dlq.stdout, dlq.stderr);
      run.wharf!.signal('SIGTERM');
      expect(await run.wharf!.exited).to.equal(0);
    } finally {
      await run.stop();
    }

    const everything = [run.wharf!.stdout, run.wharf!.stderr, ...outputs].join('\n');
    expect(run.wharf!.lines.some((l) => l.level === 'trace' || l.level === 'debug'), 'trace/debug lines were written').to.equal(true);
    const [, esKeySecret] = Buffer.from(env.WHARF_ES_API_KEY, 'base64').toString().split(':');
    const secrets = {
      'Kafka SASL password': env.WHARF_KAFKA_SASL_PASSWORD,
      'wrong Kafka SASL password': wrong.kafka,
      'Elasticsearch API key': env.WHARF_ES_API_KEY,
      'Elasticsearch API key secret': esKeySecret,
      'CouchDB password': env.WHARF_COUCHDB_ADMIN_PASSWORD,
      'wrong CouchDB password': wrong.couch,
      'ZooKeeper digest password': env.WHARF_ZK_DIGEST.split(':')[1],
      'ops token': stack.opsToken,
      'header token': own.header,
      'URL password': own.url,
      'Basic password': own.basic,
    };
    for (const [what, secret] of Object.entries(secrets)) {
      expect(secret.length, what).to.be.greaterThan(8);
      const leaks = everything.split('\n').filter((line) => line.includes(secret));
      expect(leaks, `output lines containing the ${what}`).to.deep.equal([]);
    }
  });
});
