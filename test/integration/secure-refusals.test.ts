/**
 * Refusals through the secured stack are clear errors that lose nothing: a wrong password (Kafka
 * SASL, Elasticsearch, CouchDB), an expired and a revoked Elasticsearch API key, an unknown CA,
 * and a Kafka user without write access each make their sink, Kafka or the source unavailable:
 * /readyz answers 503 naming the component and the cause (one line, never a stack trace), the
 * log says the same, and once the operator fixes it every record arrives in both sinks.
 */
import { expect } from 'chai';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { eventually, expectSinksHoldNewest, PipelineRun } from '../helpers/pipeline';
import { EsKeys, secretFile, securedStack, type MintedKey } from '../helpers/secure-pipeline';
import { secureEnv } from '../helpers/secure-stack';
import { WharfProcess } from '../helpers/wharf-process';

interface Readiness {
  ready: boolean;
  reasons: string[];
}

/** /readyz as the operator's Prometheus or probe sees it, with the bearer token. */
async function readyz(run: PipelineRun, token: string): Promise<{ status: number; body: Readiness }> {
  const response = await fetch(`${await run.wharf!.opsUrl()}/readyz`, { headers: { authorization: `Bearer ${token}` } });
  return { status: response.status, body: (await response.json()) as Readiness };
}

/** Waits until /readyz is 503 with a reason matching each pattern; returns those reasons. */
async function refusedWith(run: PipelineRun, token: string, patterns: RegExp[], what: string): Promise<string[]> {
  const answer = await eventually(
    () => readyz(run, token),
    (r) => r.status === 503 && patterns.every((p) => r.body.reasons.some((reason) => p.test(reason))),
    90_000,
    what,
  );
  for (const reason of answer.body.reasons) expect(reason, 'a reason is one line, never a stack trace').not.to.match(/\n|\s at /);
  return patterns.map((p) => answer.body.reasons.find((reason) => p.test(reason))!);
}

/** No log line of wharf carries a stack trace. */
function expectNoStack(wharf: WharfProcess): void {
  const stacks = wharf.stdout.split('\n').filter((line) => /\\n\s+at |"stack":/.test(line));
  expect(stacks, 'log lines with a stack trace').to.deep.equal([]);
}

describe('refusals through the secured stack', function () {
  this.timeout(300_000);
  const env = secureEnv();
  const keys = new EsKeys(env);
  const minted: MintedKey[] = [];
  const runs: PipelineRun[] = [];
  const dir = mkdtempSync(join(tmpdir(), 'wharf-wrong-'));

  async function mint(expiration?: string): Promise<MintedKey> {
    const key = await keys.mint(`wharf-test-${Date.now()}-${minted.length}`, securedStack({}, env).prefix, expiration);
    minted.push(key);
    return key;
  }

  after(async () => {
    for (const run of runs) await run.stop();
    for (const key of minted) await keys.invalidate(key.id).catch(() => undefined);
  });

  it('at start: a wrong Kafka password, an expired API key, an unknown CA and wrong Elasticsearch and CouchDB passwords each name themselves; fixed, nothing is lost', async () => {
    const expired = await mint('1s');
    const good = securedStack({}, env);
    const kafkaSasl = (good.kafka as { sasl: object }).sasl;
    const es = good.elasticsearch as Record<string, unknown>;
    const run = new PipelineRun({
      ...good,
      kafka: { ...good.kafka, sasl: { ...kafkaSasl, password: secretFile(dir, 'kafka-wrong', 'wrong-kafka-password') } },
      sections: { ...good.sections, startup: { waitForServicesMs: 600_000 } },
    });
    runs.push(run);
    run.upstream.add(30);
    const esWithoutKey = Object.fromEntries(Object.entries(es).filter(([key]) => key !== 'apiKey'));
    await new Promise((r) => setTimeout(r, 1500)); // the key has expired
    await run.start({
      waitUntilHealthy: false,
      sinks: [
        run.esSink({ ...es, apiKey: expired.encoded }),
        run.esSink({ ...es, id: 'search-ca', tls: undefined }),
        run.esSink({ ...esWithoutKey, id: 'search-pw', username: env.WHARF_ES_USERNAME, password: 'wrong-es-password' }),
        { ...good.couchdb, db: run.name, password: 'wrong-couchdb-password' },
      ],
    });
    const reasons = await refusedWith(
      run,
      good.opsToken,
      [
        /^kafka unavailable at 127\.0\.0\.1:\d+: Kafka refused the SASL credentials \(SASL SCRAM SHA512 authentication failed: .*\): check kafka\.sasl$/,
        /^sink:search unavailable at https:\/\/127\.0\.0\.1:\d+: credentials refused by Elasticsearch \(401 security_exception: .*expired.*\); check the sink's apiKey \(it may have expired or been invalidated: create a new one\)$/,
        /^sink:search-ca unavailable at https:\/\/127\.0\.0\.1:\d+: the server's certificate is not trusted \(.*\): set tls\.caFile to the CA that signed it$/,
        /^sink:search-pw unavailable at https:\/\/127\.0\.0\.1:\d+: credentials refused by Elasticsearch \(401 security_exception: unable to authenticate user \[wharf\].*\); check the sink's username and password$/,
        /^sink:docs unavailable at https:\/\/127\.0\.0\.1:\d+: credentials refused by CouchDB \(401 .*\); check the sink's username and password$/,
      ],
      'every refusal in /readyz while booting',
    );
    expect((await readyz(run, good.opsToken)).body.reasons[0]).to.equal('starting: waiting for Kafka, ZooKeeper and the sinks');
    console.log(`      /readyz reasons:\n${reasons.map((r) => `        ${r}`).join('\n')}`);
    const retrying = await run.wharf!.waitForLog((l) => l.msg === 'services not ready yet, retrying', 30_000);
    expect(retrying.err).to.contain('Kafka refused the SASL credentials').and.contain('credentials refused by CouchDB');
    run.wharf!.signal('SIGTERM');
    expect(await run.wharf!.exited).to.equal(0);
    expectNoStack(run.wharf!);

    // Fixed: every record the upstream held arrives, once.
    run.config = { ...run.config, kafka: { ...(run.config.kafka as object), sasl: kafkaSasl }, sinks: [run.esSink(es), { ...good.couchdb, db: run.name }] };
    run.writeConfig();
    run.upstream.add(10);
    await run.restart();
    await eventually(() => run.couchCount(), (n) => n === 40, 90_000, '40 in CouchDB');
    await eventually(() => run.esCount(), (n) => n === 40, 90_000, '40 in Elasticsearch');
    await expectSinksHoldNewest(run);
  });

  it('while running: a revoked API key makes the sink unavailable, a Kafka user without write access the source; fixed by reloads, nothing is lost', async () => {
    const revoked = await mint();
    const stack = securedStack({ apiKey: revoked.encoded }, env);
    const run = new PipelineRun(stack);
    runs.push(run);
    run.upstream.add(50);
    await run.start();
    await eventually(() => run.esCount(), (n) => n === 50, 90_000, '50 in Elasticsearch');
    await eventually(() => run.couchCount(), (n) => n === 50, 90_000, '50 in CouchDB');

    // 1. The key is revoked: Elasticsearch waits (Kafka holds its backlog), CouchDB goes on.
    await keys.invalidate(revoked.id);
    run.upstream.add(25);
    const [revokedReason] = await refusedWith(
      run,
      stack.opsToken,
      [/^sink:search unavailable at https:\/\/127\.0\.0\.1:\d+: credentials refused by Elasticsearch \(401 security_exception: .*invalidated.*\); check the sink's apiKey \(it may have expired or been invalidated: create a new one\)$/],
      'the revoked key in /readyz',
    );
    console.log(`      /readyz reason: ${revokedReason}`);
    await eventually(() => run.couchCount(), (n) => n === 75, 90_000, '75 in CouchDB');
    expect(await run.esCount()).to.equal(50);
    const waiting = await eventually(
      () => Promise.resolve(run.wharf!.lines.find((l) => /sink search unavailable: credentials refused by Elasticsearch/.test(String(l.err)))),
      (l) => l !== undefined,
      30_000,
      'a consumer logging the refusal',
    );
    console.log(`      log: ${JSON.stringify({ level: waiting!.level, msg: waiting!.msg, err: waiting!.err })}`);

    // 2. A new key, but a Kafka user that may only read: the backlog reaches Elasticsearch, the source cannot produce.
    const renewed = await mint();
    const reader = { username: env.WHARF_KAFKA_READER_USERNAME, password: secretFile(dir, 'kafka-reader', env.WHARF_KAFKA_READER_PASSWORD) };
    const writerSasl = (run.config.kafka as { sasl: object }).sasl;
    run.config = {
      ...run.config,
      kafka: { ...(run.config.kafka as object), sasl: { ...writerSasl, ...reader } },
      sinks: [run.esSink({ ...stack.elasticsearch, apiKey: secretFile(dir, 'es-renewed', renewed.encoded) }), (run.config.sinks as object[])[1]],
    };
    run.writeConfig();
    const reloads = () => run.wharf!.lines.filter((l) => l.msg === 'reload applied').length;
    run.wharf!.signal('SIGHUP');
    await eventually(() => Promise.resolve(reloads()), (n) => n === 1, 30_000, 'the reload');
    await eventually(() => run.esCount(), (n) => n === 75, 90_000, 'the backlog in Elasticsearch with the new key');
    run.upstream.add(25);
    const [readerReason] = await refusedWith(
      run,
      stack.opsToken,
      [/^source:orders unavailable at http:\/\/127\.0\.0\.1:\d+\/orders: kafka: connecting the producer failed: the Kafka user may not do this on the cluster \(CLUSTER_AUTHORIZATION_FAILED; .*\): grant it the ACLs of docs\/security\.md: Cluster authorization failed \(refused since .*\)$/],
      'the source refused by Kafka in /readyz',
    );
    console.log(`      /readyz reason: ${readerReason}`);
    const refusedPoll = run.wharf!.lines.find((l) => l.msg === 'poll refused, retrying: an operator must fix the cause')!;
    expect(refusedPoll.level).to.equal('error');
    console.log(`      log: ${JSON.stringify({ level: refusedPoll.level, msg: refusedPoll.msg, err: refusedPoll.err })}`);
    expect(await run.couchCount()).to.equal(75);

    // 3. The writer again: the source produces what it could not, and /readyz is 200.
    run.config = { ...run.config, kafka: { ...(run.config.kafka as object), sasl: writerSasl } };
    run.writeConfig();
    run.wharf!.signal('SIGHUP');
    await eventually(() => Promise.resolve(reloads()), (n) => n === 2, 30_000, 'the second reload');
    await eventually(() => run.couchCount(), (n) => n === 100, 90_000, '100 in CouchDB');
    await eventually(() => run.esCount(), (n) => n === 100, 90_000, '100 in Elasticsearch');
    await eventually(() => readyz(run, stack.opsToken), (r) => r.status === 200, 30_000, '/readyz 200 again');
    await expectSinksHoldNewest(run);
    expectNoStack(run.wharf!);
  });
});
