/**
 * A partition consumer SIGKILLed while records flow, on the real stack: the other partitions
 * pause only for the (short) session timeout plus one rebalance, and a SIGTERM while the group
 * rebalances still drains and exits 0; in both cases every record arrives in both sinks.
 * Bounds are generous (the machine is shared); bench/recovery.ts measures the real figures.
 */
import { expect } from 'chai';
import { eventually, expectedIds, expectSinksHoldNewest, PipelineRun } from '../helpers/pipeline';
import { DeliveryWatch, killConsumer, SteadyFeed, sigtermDuringRebalance } from '../helpers/recovery';

async function expectEveryRecordInBothSinks(run: PipelineRun, count: number): Promise<void> {
  await eventually(() => run.esCount(), (n) => n >= count, 180_000, `all ${count} in Elasticsearch`);
  await eventually(() => run.couchCount(), (n) => n >= count, 180_000, `all ${count} in CouchDB`);
  expect(await run.esIds()).to.deep.equal(expectedIds(count));
  expect(await run.couchIds()).to.deep.equal(expectedIds(count));
  await expectSinksHoldNewest(run);
}

describe('partition consumer SIGKILLed under a steady feed (real stack)', function () {
  this.timeout(300_000);
  const run = new PipelineRun();
  const feed = new SteadyFeed(run);
  const watch = new DeliveryWatch(run);

  after(async () => {
    feed.stop();
    watch.stop();
    await run.stop();
  });

  it('pauses delivery into Elasticsearch for well under the old 30 s session timeout, then delivers every record to both sinks', async () => {
    run.upstream.add(200);
    await run.start();
    await eventually(() => run.esCount(), (n) => n >= 200, 90_000, 'the first 200 in Elasticsearch');
    feed.start();
    watch.start();
    await new Promise((r) => setTimeout(r, 3000));
    const { killedAt } = await killConsumer(run);
    await new Promise((r) => setTimeout(r, 20_000));
    const gap = watch.longestGap(killedAt, Date.now());
    const partitionGap = watch.longestPartitionGap(killedAt, Date.now());
    feed.stop();
    watch.stop();
    expect(gap, `longest pause of all delivery after the kill: ${gap} ms`).to.be.below(15_000);
    // The dead consumer's partitions wait for its session (6 s) to expire, then move.
    expect(partitionGap, `longest pause of one partition after the kill: ${partitionGap} ms`).to.be.below(18_000);
    await expectEveryRecordInBothSinks(run, feed.added);
  });
});

describe('SIGTERM while the consumer group rebalances (real stack)', function () {
  this.timeout(300_000);
  const run = new PipelineRun();
  const feed = new SteadyFeed(run);

  after(async () => {
    feed.stop();
    await run.stop();
  });

  it('exits 0 within the drain bound, and once restarted delivers every record to both sinks', async () => {
    run.upstream.add(200);
    await run.start();
    await eventually(() => run.esCount(), (n) => n >= 200, 90_000, 'the first 200 in Elasticsearch');
    feed.start();
    const { code, exitMs } = await sigtermDuringRebalance(run);
    feed.stop();
    expect(run.wharf!.lines.filter((l) => l.msg === 'drain took too long; exiting anyway')).to.deep.equal([]);
    expect(code, `exit after ${exitMs} ms`).to.equal(0);
    expect(exitMs).to.be.below(15_000);
    await run.restart();
    await expectEveryRecordInBothSinks(run, feed.added);
  });
});
