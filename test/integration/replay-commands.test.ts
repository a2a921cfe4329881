/**
 * The operator's repair tools on a running pipeline (real stack): `wharf dlq replay` after
 * fixing the cause of a dead letter, and `wharf replay --from` after a sink lost its data.
 */
import { expect } from 'chai';
import { storeIndexName } from '../../src/sinks/elasticsearch/store-index';
import { eventually, PipelineRun, startWithPoison } from '../helpers/pipeline';
import { cli, jsonLines } from '../helpers/wharf-process';

describe('wharf dlq replay and wharf replay --from (real stack)', function () {
  this.timeout(300_000);
  const run = new PipelineRun();
  const startedAt = new Date(Date.now() - 1000).toISOString();
  /** After the upstream's 100 records were in Kafka, before `dlq replay` produced one again. */
  let afterIntake = '';

  after(() => run.stop());

  it('dlq replay sends a dead letter through the pipeline again once its cause is fixed, once only', async () => {
    await startWithPoison(run);
    afterIntake = new Date().toISOString();

    const dry = await cli('dlq', 'replay', '--dry-run', '--config', run.configFile);
    expect(dry.exitCode).to.equal(0);
    expect(jsonLines(dry.stdout).at(-1)).to.include({ dryRun: true, considered: 1, wouldReplay: 1 });
    expect(await run.esCount()).to.equal(99);

    // The operator's fix: let Elasticsearch keep documents whose amount is not a number.
    await run.es.indices.putMapping({ index: run.name, properties: { amount: { type: 'integer', ignore_malformed: true } } });
    const replay = await cli('dlq', 'replay', '--config', run.configFile);
    expect(replay.exitCode, replay.stderr).to.equal(0);
    expect(jsonLines(replay.stdout).at(-1)).to.include({ dryRun: false, considered: 1, replayed: 1, notReplayable: 0 });
    expect(await eventually(() => run.esCount(), (n) => n === 100, 60_000, 'the replayed record in Elasticsearch')).to.equal(100);
    const replayed = (await run.es.get<{ status: string; wharf: { offset: string; version: string } }>({ index: run.name, id: 'orders:50' }))._source!;
    expect(replayed.status).to.equal('poison');
    // Produced again at a later offset, with the version it had when it first entered Kafka (CouchDB holds that one).
    const original = (await run.couch.use<{ wharf: { offset: string; version: string } }>(run.name).get('orders:50')).wharf;
    expect(original.version).to.equal(original.offset);
    expect(replayed.wharf.version).to.equal(original.version);
    expect(Number(replayed.wharf.offset)).to.be.greaterThan(Number(original.offset));

    const again = await cli('dlq', 'replay', '--config', run.configFile);
    expect(jsonLines(again.stdout).at(-1)).to.include({ considered: 0, replayed: 0 });
  });

  it('replay --from re-delivers to one sink what Kafka holds since a time, leaving the other sink untouched', async () => {
    const couchRevBefore = (await run.couch.use(run.name).get('orders:1'))._rev;
    // The index lost and recreated by the operator with its mappings (the ignore_malformed fix
    // included) but without the alias: wharf puts the alias back on the store index.
    const store = storeIndexName(run.name);
    const mappings = (await run.es.indices.getMapping({ index: store }))[store].mappings;
    await run.es.indices.delete({ index: store });
    await run.es.indices.create({ index: store, mappings });

    const dry = await cli('replay', '--from', startedAt, '--sink', 'search', '--dry-run', '--config', run.configFile);
    expect(dry.exitCode, dry.stderr).to.equal(0);
    const plan = jsonLines(dry.stdout);
    // 100 records from the upstream, plus the one the dead-letter replay produced again.
    expect(plan.at(-1)).to.include({ dryRun: true, records: 101 });
    expect(plan.slice(0, -1).reduce((sum, p) => sum + Number(p.records), 0)).to.equal(101);
    expect(await run.es.indices.exists({ index: run.name })).to.equal(false);

    const replay = await cli('replay', '--from', startedAt, '--sink', 'search', '--config', run.configFile);
    expect(replay.exitCode, replay.stderr).to.equal(0);
    // orders:50 twice (as it first came, and as the dead-letter replay produced it), one version: the second is stale.
    expect(jsonLines(replay.stdout).at(-1)).to.deep.include({ records: 101, written: { search: 100 }, stale: { search: 1 }, deadLettered: 0 });
    expect(replay.stderr).to.contain('101/101 records (100%)');
    expect(await run.esCount()).to.equal(100);
    expect((await run.couch.use(run.name).get('orders:1'))._rev).to.equal(couchRevBefore);

    const badSink = await cli('replay', '--from', startedAt, '--sink', 'nope', '--config', run.configFile);
    expect(badSink.exitCode).to.equal(2);
    expect(badSink.stderr).to.contain('no sink "nope"');
    const badTime = await cli('replay', '--from', 'yesterday', '--config', run.configFile);
    expect(badTime.exitCode).to.equal(2);
    expect(badTime.stderr).to.contain('--from: expected an ISO time such as 2026-11-26T08:00:00Z or a time ago such as 2h, 30m, 1d, got "yesterday"');
  });

  it('replay takes a time ago, --to and --source: only the window, only the source, through the same delivery', async () => {
    const dry = await cli('replay', '--from', '1h', '--to', afterIntake, '--source', 'orders', '--dry-run', '--config', run.configFile);
    expect(dry.exitCode, dry.stderr).to.equal(0);
    // The 100 upstream records; the record `dlq replay` produced later is after --to.
    expect(jsonLines(dry.stdout).at(-1)).to.include({ dryRun: true, to: afterIntake, source: 'orders', records: 100 });

    const replay = await cli('replay', '--from', '1h', '--to', afterIntake, '--source', 'orders', '--sink', 'docs', '--config', run.configFile);
    expect(replay.exitCode, replay.stderr).to.equal(0);
    const outcome = jsonLines(replay.stdout).at(-1) as { written: Record<string, number>; stale: Record<string, number> };
    expect(outcome).to.include({ source: 'orders', records: 100, deadLettered: 0 });
    expect(outcome.written.docs + outcome.stale.docs, 'each of the 100 acknowledged by CouchDB once').to.equal(100);
    expect(replay.stderr).to.match(/100\/100 records \(100%\), \d+ records\/s, took \d+ s/);

    const badSource = await cli('replay', '--from', '1h', '--source', 'nope', '--config', run.configFile);
    expect(badSource.exitCode).to.equal(2);
    expect(badSource.stderr).to.contain('no source "nope"');
    const backwards = await cli('replay', '--from', '1h', '--to', '2h', '--config', run.configFile);
    expect(backwards.exitCode).to.equal(2);
    expect(backwards.stderr).to.contain('--to (');
  });
});
