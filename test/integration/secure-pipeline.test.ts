/**
 * The pipeline and the operator's commands end to end through the secured stack: Kafka over
 * SASL_SSL (SCRAM-SHA-512, the stack's CA), Elasticsearch over https with an API key that has
 * exactly the privileges docs/security.md lists, CouchDB over https with its admin, ZooKeeper with
 * digest credentials and creator-only znodes, the ops listener behind a bearer token; every
 * secret given to wharf as a file reference. `wharf status`, `dlq list`, `dlq replay`, `replay
 * --from` and `verify` all run against it.
 */
import { expect } from 'chai';
import zookeeper from 'node-zookeeper-client';
import { connectZookeeper, zkCall } from '../../src/coordination/zookeeper';
import { storeIndexName } from '../../src/sinks/elasticsearch/store-index';
import { eventually, expectSinksHoldNewest, PipelineRun, startWithPoison } from '../helpers/pipeline';
import { EsKeys, securedStack, type MintedKey } from '../helpers/secure-pipeline';
import { secureEnv } from '../helpers/secure-stack';
import { cli, jsonLines } from '../helpers/wharf-process';

describe('the pipeline and its commands through the secured stack', function () {
  this.timeout(300_000);
  const env = secureEnv();
  const keys = new EsKeys(env);
  const startedAt = new Date(Date.now() - 1000).toISOString();
  let key: MintedKey;
  let run: PipelineRun;
  let opsToken: string;

  before(async () => {
    const probe = securedStack({}, env);
    key = await keys.mint(`wharf-test-${Date.now()}`, probe.prefix);
    const stack = securedStack({ apiKey: key.encoded }, env);
    opsToken = stack.opsToken;
    run = new PipelineRun(stack);
  });

  after(async () => {
    await run.stop();
    await keys.invalidate(key.id);
  });

  it('delivers every record into both sinks, and dlq list, dlq replay, replay --from and verify work through it', async () => {
    await startWithPoison(run);

    // The ops endpoints want the token; `wharf status` reads it from the configuration.
    const ops = await run.wharf!.opsUrl();
    expect((await fetch(`${ops}/topology`)).status).to.equal(401);
    expect((await fetch(`${ops}/readyz`, { headers: { authorization: `Bearer ${opsToken}` } })).status).to.equal(200);
    const status = await cli('status', '--url', ops, '--config', run.configFile);
    expect(status.exitCode, status.stderr).to.equal(0);
    expect(status.stdout).to.match(/\nready\n$/);
    const anonymous = await cli('status', '--url', ops);
    expect(anonymous.exitCode).to.equal(2);
    expect(anonymous.stderr).to.contain('refused the request (401): it wants the bearer token of its configuration\'s metrics.token');

    const listed = await cli('dlq', 'list', '--config', run.configFile);
    expect(listed.exitCode, listed.stderr).to.equal(0);
    expect(jsonLines(listed.stdout).map((l) => [l.recordId, l.stage])).to.deep.equal([['orders:50', 'search']]);

    // The operator's fix (as the cluster's administrator), then dlq replay through SASL_SSL.
    await run.es.indices.putMapping({ index: run.name, properties: { amount: { type: 'integer', ignore_malformed: true } } });
    const replay = await cli('dlq', 'replay', '--config', run.configFile);
    expect(replay.exitCode, replay.stderr).to.equal(0);
    expect(jsonLines(replay.stdout).at(-1)).to.include({ dryRun: false, considered: 1, replayed: 1, notReplayable: 0 });
    expect(await eventually(() => run.esCount(), (n) => n === 100, 60_000, 'the replayed record in Elasticsearch')).to.equal(100);

    // Elasticsearch loses its data: the administrator recreates the store index with its mappings
    // (the ignore_malformed fix included) but not the alias; replay --from, with wharf's key
    // (manage), puts the alias back and refills it.
    const store = storeIndexName(run.name);
    const mappings = (await run.es.indices.getMapping({ index: store }))[store].mappings;
    await run.es.indices.delete({ index: store });
    await run.es.indices.create({ index: store, mappings });
    const refill = await cli('replay', '--from', startedAt, '--sink', 'search', '--config', run.configFile);
    expect(refill.exitCode, refill.stderr).to.equal(0);
    // orders:50 twice (as it first came, and as dlq replay produced it), one version: the second is stale.
    expect(jsonLines(refill.stdout).at(-1)).to.deep.include({ records: 101, written: { search: 100 }, stale: { search: 1 }, deadLettered: 0 });
    expect(await run.esCount()).to.equal(100);

    run.upstream.add(20);
    await eventually(() => run.couchCount(), (n) => n === 120, 90_000, '120 in CouchDB');
    await eventually(() => run.esCount(), (n) => n === 120, 90_000, '120 in Elasticsearch');
    await expectSinksHoldNewest(run); // ends with `wharf verify` through the secured stack

    // wharf's znodes are creator-only: a session without the digest cannot read the cursor.
    const stranger = await connectZookeeper({ connect: env.WHARF_ZK_CONNECT, root: '/', sessionTimeoutMs: 10_000 });
    try {
      const root = (run.config.zookeeper as { root: string }).root;
      const refused = await zkCall((cb) => stranger.getData(`${root}/sources/orders/cursor`, cb)).then(() => undefined, (e: unknown) => e);
      expect((refused as { getCode?: () => number }).getCode?.()).to.equal(zookeeper.Exception.NO_AUTH);
    } finally {
      stranger.close();
    }
  });
});
