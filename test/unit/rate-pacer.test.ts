/** The sink writers' rate ceiling (sinks/adaptive/rate-pacer.ts), on a fake clock. */
import { expect } from 'chai';
import { OperationAbortedError } from '../../src/errors';
import { AdaptiveConcurrencySchema } from '../../src/sinks/adaptive/config';
import { RequestLimiter } from '../../src/sinks/adaptive/limiter';
import { RatePacer } from '../../src/sinks/adaptive/rate-pacer';

describe('rate pacer (maxDocsPerSecond)', () => {
  it('lets a second\'s worth go at once, then spaces requests at the ceiling', () => {
    let now = 0;
    const pacer = new RatePacer(1000, () => now);
    expect(pacer.take(500)).to.equal(0);
    expect(pacer.take(500)).to.equal(0);
    expect(pacer.take(500), 'the bucket is empty: 500 records cost 500 ms').to.be.closeTo(500, 1e-9);
    now = 500;
    expect(pacer.take(250), 'queued behind the previous debt').to.be.closeTo(250, 1e-9);
  });

  it('refills at the ceiling and never holds more than one second\'s worth', () => {
    let now = 0;
    const pacer = new RatePacer(100, () => now);
    expect(pacer.take(100)).to.equal(0);
    now = 60_000; // a long pause earns no more than the bucket holds
    expect(pacer.take(100)).to.equal(0);
    expect(pacer.take(50)).to.be.closeTo(500, 1e-9);
  });

  it('sends a request larger than the bucket after the wait it costs, instead of never', () => {
    let now = 0;
    const pacer = new RatePacer(10, () => now);
    expect(pacer.take(10)).to.equal(0);
    expect(pacer.take(30)).to.be.closeTo(3000, 1e-9);
    now = 3000;
    expect(pacer.take(1)).to.be.closeTo(100, 1e-9);
  });

  it('averages the ceiling over a long run of back-to-back requests', () => {
    let now = 0;
    const pacer = new RatePacer(2000, () => now);
    let sent = 0;
    while (now < 60_000) {
      now += pacer.take(400);
      sent += 400;
    }
    // 2,000 a second for 60 s, plus the first second's bucket.
    expect(sent).to.be.within(2000 * 61 - 400, 2000 * 61 + 400);
  });

  it('does not send a request whose batch was given up while it waited, and frees its slot and its turn', async () => {
    const limiter = new RequestLimiter('pacer-test', AdaptiveConcurrencySchema.parse({ enabled: false, max: 1 }), 1000, { maxRecordsPerSecond: 1000 });
    const sent: string[] = [];
    const send = (what: string) => () => (sent.push(what), Promise.resolve(what));
    await limiter.run(send('first'), () => undefined, 1000);
    const given = new AbortController();
    const waiting = limiter.run(send('given up'), () => undefined, 60_000, given.signal);
    given.abort();
    const err = await waiting.catch((e: unknown) => e);
    expect(err).to.be.instanceOf(OperationAbortedError);
    // One slot only: this would hang (the test's timeout) if the given-up request had kept it, and wait a minute had it kept its turn.
    await limiter.run(send('next'), () => undefined, 1);
    expect(sent).to.deep.equal(['first', 'next']);
    limiter.close();
  });
});
