/** The poller's pages in flight: acknowledged in any order, committed in order, never past a page not acknowledged. */
import { expect } from 'chai';
import { OrderedCommits } from '../../src/pipeline/ordered-commits';

/** A page's acknowledgement, settled by the test. */
function ack(): { promise: Promise<void>; resolve: () => void; reject: (err: Error) => void } {
  let resolve!: () => void;
  let reject!: (err: Error) => void;
  const promise = new Promise<void>((ok, fail) => {
    resolve = ok;
    reject = fail;
  });
  return { promise, resolve, reject };
}

const tick = () => new Promise((r) => setImmediate(r));

describe('ordered commits (pages in flight)', () => {
  it('commits pages in order, even when a later page is acknowledged first', async () => {
    const committed: number[] = [];
    const window = new OrderedCommits<number>(3, (page) => Promise.resolve(void committed.push(page)));
    const acks = [ack(), ack(), ack()];
    await window.add(acks[0].promise, 1);
    await window.add(acks[1].promise, 2);
    acks[1].resolve();
    const full = window.add(acks[2].promise, 3); // full: waits for page 1
    await tick();
    expect(committed).to.deep.equal([]); // page 2 acknowledged, page 1 not: nothing is committed
    acks[0].resolve();
    await full;
    expect(committed).to.deep.equal([1]);
    acks[2].resolve();
    await window.flush();
    expect(committed).to.deep.equal([1, 2, 3]);
    expect(window.size).to.equal(0);
  });

  it('commits nothing from a failed page on, waits for the pages in flight, then throws the failure', async () => {
    const committed: number[] = [];
    const window = new OrderedCommits<number>(4, (page) => Promise.resolve(void committed.push(page)));
    const acks = [ack(), ack(), ack()];
    await window.add(acks[0].promise, 1);
    await window.add(acks[1].promise, 2);
    await window.add(acks[2].promise, 3);
    acks[0].resolve();
    acks[1].reject(new Error('kafka: producing failed'));
    acks[2].resolve(); // acknowledged after a failed page: still never committed
    let settled = false;
    const flushed = window.flush().finally(() => (settled = true));
    const err = await flushed.then(() => undefined, (e: Error) => e);
    expect(err?.message).to.equal('kafka: producing failed');
    expect(settled).to.equal(true);
    expect(committed).to.deep.equal([1]);
    expect(window.size).to.equal(0);
  });

  it('refuses a new page once a page in flight failed, after every page in flight settled and those acknowledged before it were committed', async () => {
    const committed: number[] = [];
    const window = new OrderedCommits<number>(4, (page) => Promise.resolve(void committed.push(page)));
    const first = ack();
    const second = ack();
    await window.add(first.promise, 1);
    await window.add(second.promise, 2);
    second.reject(new Error('refused'));
    await tick();
    let added = false;
    const adding = window.add(Promise.resolve(), 3).then(() => (added = true));
    await tick();
    expect(added).to.equal(false); // waits for page 1, still in flight
    first.resolve();
    const err = await adding.then(() => undefined, (e: Error) => e);
    expect(err?.message).to.equal('refused');
    expect(committed).to.deep.equal([1]); // page 2 failed: neither it nor page 3 is committed
  });

  it('stops at a commit that fails: later pages are not committed', async () => {
    const committed: number[] = [];
    const window = new OrderedCommits<number>(4, (page) => {
      if (page === 2) return Promise.reject(new Error('cursor conflict'));
      committed.push(page);
      return Promise.resolve();
    });
    for (const page of [1, 2, 3]) await window.add(Promise.resolve(), page);
    const err = await window.flush().then(() => undefined, (e: Error) => e);
    expect(err?.message).to.equal('cursor conflict');
    expect(committed).to.deep.equal([1]);
  });

  it('holds at most `limit` pages', async () => {
    const window = new OrderedCommits<number>(2, () => Promise.resolve());
    await window.add(Promise.resolve(), 1);
    expect(window.size).to.equal(1);
    await window.add(Promise.resolve(), 2);
    expect(window.size).to.equal(1);
    expect(() => new OrderedCommits<number>(0, () => Promise.resolve())).to.throw(RangeError);
  });
});
