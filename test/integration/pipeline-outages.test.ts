/**
 * Sinks going away while wharf runs, on the real stack: the pollers keep polling into Kafka
 * (the cursor keeps advancing), the partitions wait, and when the sink is back every record
 * arrives, none twice.
 */
import { expect } from 'chai';
import { connectZookeeper } from '../../src/coordination/zookeeper';
import { CursorStore } from '../../src/coordination/cursor-store';
import { localConfig } from '../helpers/local-stack';
import { eventually, expectedIds, expectSinksHoldNewest, PipelineRun, stack } from '../helpers/pipeline';
import { getJson, scrape } from '../helpers/scrape';

type Readiness = { ready: boolean; reasons: string[] };

async function cursorOf(run: PipelineRun): Promise<string | null> {
  const zk = await connectZookeeper(localConfig().zookeeper);
  try {
    return (await new CursorStore(zk, `/wharf-test/${run.name}`).load('orders')).cursor;
  } finally {
    zk.close();
  }
}

for (const sink of ['elasticsearch', 'couchdb'] as const) {
  describe(`pipeline with ${sink} stopped mid-run (real stack)`, function () {
    this.timeout(300_000);
    const run = new PipelineRun();

    after(async () => {
      await stack('up', sink);
      await run.stop();
    });

    it(`keeps polling into Kafka while ${sink} is down, then delivers everything to both sinks exactly once`, async () => {
      run.upstream.add(300);
      await run.start();
      await eventually(() => run.esCount(), (n) => n === 300, 90_000, 'first 300 in Elasticsearch');
      await eventually(() => run.couchCount(), (n) => n === 300, 90_000, 'first 300 in CouchDB');

      const ops = await run.wharf!.opsUrl();
      expect((await getJson<Readiness>(`${ops}/readyz`)).status).to.equal(200);
      await stack('down', sink);
      const sinkId = sink === 'elasticsearch' ? 'search' : 'docs';
      const notReady = await eventually(() => getJson<Readiness>(`${ops}/readyz`), (r) => r.status === 503, 10_000, '/readyz to answer 503');
      expect(notReady.body.ready).to.equal(false);
      expect(notReady.body.reasons.join('\n')).to.contain(`sink:${sinkId}`);
      run.upstream.add(300);
      // Intake goes on: the cursor moves past the new records while the sink is down.
      expect(await eventually(() => cursorOf(run), (c) => c === '600', 60_000, 'the cursor to reach 600')).to.equal('600');
      await eventually(
        () => Promise.resolve(run.wharf!.lines.filter((l) => l.msg === 'sink unavailable; partition waits and retries').length),
        (n) => n > 0,
        60_000,
        'a consumer to report the sink unavailable',
      );
      // Memory stays bounded while Kafka holds the backlog: every wharf process together.
      const rss = [...(await scrape(ops)).entries()].filter(([series]) => series.startsWith('process_resident_memory_bytes')).reduce((sum, [, v]) => sum + v, 0);
      expect(rss).to.be.within(1, 1024 * 1024 * 1024);
      await stack('up', sink);
      await eventually(() => getJson<Readiness>(`${ops}/readyz`), (r) => r.status === 200, 60_000, '/readyz to answer 200 again');

      expect(await eventually(() => run.esCount(), (n) => n >= 600, 120_000, 'all 600 in Elasticsearch')).to.equal(600);
      expect(await eventually(() => run.couchCount(), (n) => n >= 600, 120_000, 'all 600 in CouchDB')).to.equal(600);
      expect(await run.esIds()).to.deep.equal(expectedIds(600));
      await expectSinksHoldNewest(run);
    });
  });
}

describe('pipeline with the Kafka broker stopped mid-run (real stack)', function () {
  this.timeout(300_000);
  const run = new PipelineRun();

  after(async () => {
    await stack('up', 'kafka');
    await run.stop();
  });

  it('retries producing and consuming while the broker is down, then delivers everything exactly once', async () => {
    run.upstream.add(300);
    await run.start();
    await eventually(() => run.esCount(), (n) => n === 300, 90_000, 'first 300 in Elasticsearch');
    await stack('down', 'kafka');
    run.upstream.add(300);
    await eventually(
      () => Promise.resolve(run.wharf!.lines.filter((l) => l.msg === 'poll failed, retrying').length),
      (n) => n > 0,
      60_000,
      'a poller to report the broker unavailable',
    );
    // The lag is unknown while Kafka is down: absent, not its last values.
    const opsUrl = await run.wharf!.opsUrl();
    const lagSeries = async () => [...(await scrape(opsUrl)).entries()].filter(([name]) => name.startsWith('wharf_consumer_lag'));
    const lagOf = (series: Array<[string, number]>) => series.filter(([name]) => name.startsWith('wharf_consumer_lag_records{'));
    await eventually(lagSeries, (s) => lagOf(s).length === 0, 30_000, 'the lag series gone while Kafka is down');
    await stack('up', 'kafka');
    await eventually(() => run.esCount(), (n) => n >= 600, 180_000, 'all 600 in Elasticsearch').catch(async (err) => {
      console.log(run.wharf!.stdout.split('\n').slice(-30).map((l) => l.slice(0, 450)).join('\n'));
      console.log('cursor', await cursorOf(run));
      throw err;
    });
    expect(await run.esCount()).to.equal(600);
    expect(await eventually(() => run.couchCount(), (n) => n >= 600, 180_000, 'all 600 in CouchDB')).to.equal(600);
    expect(await cursorOf(run)).to.equal('600');
    const measured = new Map(await eventually(lagSeries, (s) => lagOf(s).length === 6 && lagOf(s).every(([, lag]) => lag === 0), 30_000, 'the lag of all 6 partitions measured again, 0'));
    expect(measured.get('wharf_consumer_lag_measured_timestamp_seconds')).to.be.closeTo(Date.now() / 1000, 30);
    await expectSinksHoldNewest(run);
  });
});

describe('pipeline with its actor processes SIGKILLed mid-run (real stack)', function () {
  this.timeout(300_000);
  const run = new PipelineRun();

  after(() => run.stop());

  it('loses nothing and duplicates nothing when a partition consumer and the poller are killed while records flow', async () => {
    run.upstream.add(1000);
    await run.start();
    const pidOf = (child: string) => Number(run.wharf!.lines.find((l) => l.event === 'child_started' && l.child === child)?.actorPid);
    await eventually(() => run.esCount(), (n) => n > 0, 60_000, 'the first documents');
    // Intake is not finished when the poller dies: 2000 of the 3000 records appear only after the kill.
    const killedAtCursor = Number(await cursorOf(run));
    process.kill(pidOf('consumers-1'), 'SIGKILL');
    process.kill(pidOf('pollers-orders'), 'SIGKILL');
    run.upstream.add(2000);
    expect(killedAtCursor, 'the cursor when the poller was killed').to.be.below(3000);
    await eventually(
      () => Promise.resolve(run.wharf!.lines.filter((l) => l.event === 'child_started' && (l.child === 'consumers-1' || l.child === 'pollers-orders')).length),
      (n) => n === 4,
      30_000,
      'both to be restarted',
    );
    expect(await eventually(() => run.esCount(), (n) => n >= 3000, 180_000, 'all 3000 in Elasticsearch')).to.equal(3000);
    expect(await eventually(() => run.couchCount(), (n) => n >= 3000, 180_000, 'all 3000 in CouchDB')).to.equal(3000);
    expect(await cursorOf(run)).to.equal('3000');
    expect(await run.esIds()).to.deep.equal(expectedIds(3000));
    await expectSinksHoldNewest(run);
  });
});

describe('pipeline with ZooKeeper stopped mid-run (real stack)', function () {
  this.timeout(300_000);
  const run = new PipelineRun();

  after(async () => {
    await stack('up', 'zookeeper');
    await run.stop();
  });

  it('stops advancing cursors while ZooKeeper is gone, outlives its session timeout, then resumes with nothing lost or duplicated', async () => {
    run.upstream.add(300);
    await run.start({ zookeeper: { sessionTimeoutMs: 4000 } });
    await eventually(() => run.esCount(), (n) => n === 300, 90_000, 'first 300 in Elasticsearch');
    expect(await eventually(() => cursorOf(run), (c) => c === '300', 30_000, 'the cursor at 300')).to.equal('300');
    await stack('down', 'zookeeper');
    run.upstream.add(300);
    await new Promise((r) => setTimeout(r, 10_000)); // longer than the session timeout
    // Fenced: without ZooKeeper the poller cannot confirm its lease, so it produces nothing.
    expect(await run.esCount(), 'records delivered while ZooKeeper was gone').to.equal(300);
    const lost = run.wharf!.lines.filter((l) => l.msg === 'ZooKeeper session lost: polling stops until a new session holds the source');
    expect(lost.length, 'the poller saw its session lost').to.be.at.least(1);
    await stack('up', 'zookeeper');
    await eventually(
      () => Promise.resolve(run.wharf!.lines.filter((l) => l.msg === 'this instance polls the source').length),
      (n) => n >= 2,
      60_000,
      'a new session to hold the source again',
    );
    expect(await eventually(() => run.esCount(), (n) => n >= 600, 180_000, 'all 600 in Elasticsearch')).to.equal(600);
    expect(await eventually(() => run.couchCount(), (n) => n >= 600, 180_000, 'all 600 in CouchDB')).to.equal(600);
    expect(await run.esIds()).to.deep.equal(expectedIds(600));
    expect(await eventually(() => cursorOf(run), (c) => c === '600', 30_000, 'the cursor at 600')).to.equal('600');
    expect(await run.wharf!.opsUrl().then((ops) => fetch(`${ops}/readyz`)).then((r) => r.status)).to.equal(200);
    await expectSinksHoldNewest(run);
  });
});
