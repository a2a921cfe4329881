/**
 * Two wharf instances with the same configuration (two machines, in production): exactly one
 * polls the source while the other stands by; when the polling instance dies, the other takes
 * the source over from the stored cursor, and its consumers take over the partitions.
 */
import { expect } from 'chai';
import { eventually, expectSinksHoldNewest, PipelineRun } from '../helpers/pipeline';
import { WharfProcess } from '../helpers/wharf-process';

const expectedIds = (count: number) => Array.from({ length: count }, (_, i) => `orders:${i + 1}`).sort();

describe('two wharf instances sharing a source (real stack)', function () {
  this.timeout(300_000);
  const run = new PipelineRun();
  let second: WharfProcess | undefined;

  after(async () => {
    second?.signal('SIGTERM');
    await Promise.race([second?.exited, new Promise((r) => setTimeout(r, 30_000))]);
    await run.stop();
  });

  it('polls each source from one instance only, and hands it over with no gap when that instance is SIGKILLed', async () => {
    run.upstream.add(1000);
    await run.start({ zookeeper: { sessionTimeoutMs: 4000 } });
    await run.wharf!.waitForLog((l) => l.msg === 'this instance polls the source', 30_000);
    second = new WharfProcess(['run', '--config', run.configFile, '--pid-file', `${run.configFile}.second.pid`]);
    await second.waitForLog((l) => l.msg === 'wharf healthy', 60_000);
    const standby = await second.waitForLog((l) => l.msg === 'another instance polls this source; standing by', 30_000);
    expect(standby.holder).to.match(/:\d+$/);
    await eventually(() => run.esCount(), (n) => n === 1000, 120_000, 'the first 1000 in Elasticsearch');

    run.upstream.add(1000);
    run.wharf!.signal('SIGKILL'); // its actor processes exit as their parent's channel closes
    // The hand-over takes the ZooKeeper session timeout (4 s here), then the watch fires.
    await second.waitForLog((l) => l.msg === 'this instance polls the source', 60_000);
    run.upstream.add(1000);

    expect(await eventually(() => run.esCount(), (n) => n >= 3000, 180_000, 'all 3000 in Elasticsearch')).to.equal(3000);
    expect(await eventually(() => run.couchCount(), (n) => n >= 3000, 180_000, 'all 3000 in CouchDB')).to.equal(3000);
    expect(await run.esIds()).to.deep.equal(expectedIds(3000));
    await expectSinksHoldNewest(run);
  });
});
