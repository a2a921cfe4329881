/** The source lease against the real ZooKeeper: one holder at a time, hand-over when its session ends. */
import { expect } from 'chai';
import { connectZookeeper } from '../../src/coordination/zookeeper';
import { SourceLease, type LeaseHolder } from '../../src/coordination/source-lease';
import { localConfig } from '../helpers/local-stack';
import { uniqueName } from '../helpers/names';

describe('source lease (real ZooKeeper)', function () {
  this.timeout(60_000);
  const config = { ...localConfig().zookeeper, sessionTimeoutMs: 4000 };
  const root = `/wharf-test/${uniqueName('lease')}`;

  it('lets one session hold a source; another stands by and takes over when the first session closes', async () => {
    const first = await connectZookeeper(config);
    const second = await connectZookeeper(config);
    const never = new AbortController().signal;
    expect(await new SourceLease(first, root, 'orders', 'first').acquire(never, () => undefined)).to.equal(true);
    let standby: LeaseHolder | undefined;
    let acquiredAt = 0;
    const waiting = new SourceLease(second, root, 'orders', 'second').acquire(never, (holder) => (standby = holder)).then((held) => {
      acquiredAt = Date.now();
      return held;
    });
    await new Promise((r) => setTimeout(r, 500));
    expect(acquiredAt).to.equal(0);
    expect(standby?.instance).to.equal('first');
    const closedAt = Date.now();
    first.close();
    expect(await waiting).to.equal(true);
    expect(acquiredAt - closedAt).to.be.lessThan(10_000);
    second.close();
  });

  it('acquires at once what it already holds, releases on request, and stops waiting when aborted', async () => {
    const a = await connectZookeeper(config);
    const b = await connectZookeeper(config);
    const never = new AbortController().signal;
    const leaseA = new SourceLease(a, root, 'files', 'a');
    expect(await leaseA.acquire(never, () => undefined)).to.equal(true);
    expect(await leaseA.acquire(never, () => undefined)).to.equal(true);
    const abort = new AbortController();
    const waiting = new SourceLease(b, root, 'files', 'b').acquire(abort.signal, () => undefined);
    abort.abort();
    expect(await waiting).to.equal(false);
    await leaseA.release();
    expect(await new SourceLease(b, root, 'files', 'b').acquire(never, () => undefined)).to.equal(true);
    a.close();
    b.close();
  });
});
