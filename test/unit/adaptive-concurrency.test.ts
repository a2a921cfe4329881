/** The AIMD controller of a sink's bulk requests (pure, on a fake clock) and the limiter holding its slots. */
import { expect } from 'chai';
import { ADAPTIVE_DEFAULTS, AdaptiveConcurrencySchema } from '../../src/sinks/adaptive/config';
import { AimdController, type Adjustment, type BackPressure, type ControllerSettings } from '../../src/sinks/adaptive/controller';
import { RequestLimiter } from '../../src/sinks/adaptive/limiter';
import { bulkChunks } from '../../src/sinks/elasticsearch/writer';
import type { SinkRecord } from '../../src/records/sink-record';

const settings: ControllerSettings = { ...ADAPTIVE_DEFAULTS, initial: 1, min: 1, max: 10, minBatchSize: 50, maxBatchSize: 500, maxRttOverFloor: 0 };

/** A controller on a clock the test moves. */
function controller(overrides: Partial<ControllerSettings> = {}) {
  const clock = { t: 0 };
  const c = new AimdController({ ...settings, ...overrides }, () => clock.t);
  /** One period: requests start (reaching the limit or not) and answer after `rtts` ms; the last answer comes once the period is over and ends it. */
  const period = (rtts: Array<number | undefined>, { reached = true, backPressure }: { reached?: boolean; backPressure?: BackPressure } = {}): Adjustment | undefined => {
    if (reached) c.started(c.limit);
    for (const rtt of rtts.slice(0, -1)) expect(c.completed(rtt), 'adjusts only once the period has ended').to.equal(undefined);
    clock.t += 60_000;
    return c.completed(rtts[rtts.length - 1], backPressure);
  };
  return { c, clock, period };
}

describe('adaptive concurrency controller (AIMD, pure)', () => {
  it('grows the limit by one per period while responses stay at the baseline and requests reach the limit, up to max', () => {
    const { c, period } = controller({ max: 4 });
    expect([c.limit, c.batchSize]).to.deep.equal([1, 500]);
    const limits = [1, 2, 3, 4, 5].map(() => (period([100]), c.limit));
    expect(limits).to.deep.equal([2, 3, 4, 4, 4]);
    expect(c.baselineMs).to.equal(100);
  });

  it('does not grow the limit when the period\'s requests never reached it: the limit is not what holds them back', () => {
    const { c, period } = controller();
    period([100], { reached: false });
    period([100], { reached: false });
    expect(c.limit).to.equal(1);
  });

  it('adjusts once a period: the first response of a period ends the previous one, the others only add to its mean', () => {
    const { c, clock } = controller();
    c.started(1);
    expect(c.completed(100)).to.deep.equal({ change: 'increase', of: 'limit' });
    clock.t += 50;
    c.started(2);
    expect(c.completed(100)).to.equal(undefined);
    expect(c.completed(100)).to.equal(undefined);
    clock.t += 60;
    expect(c.completed(100)).to.deep.equal({ change: 'increase', of: 'limit' });
    expect(c.limit).to.equal(3);
  });

  it('multiplies the limit by decreaseRatio on a 429 (truncated, never under min), then shrinks the request size down to minBatchSize', () => {
    const { c, period } = controller({ initial: 10, decreaseRatio: 0.5, min: 2 });
    period([100]);
    expect(period([100], { backPressure: 'rejected' })).to.deep.equal({ change: 'decrease', of: 'limit', cause: 'rejected' });
    expect(c.limit).to.equal(5);
    period([100], { backPressure: 'rejected' });
    expect(c.limit).to.equal(2);
    expect(period([100], { backPressure: 'overloaded' })).to.deep.equal({ change: 'decrease', of: 'size', cause: 'overloaded' });
    expect([c.limit, c.batchSize]).to.deep.equal([2, 250]);
    period([100], { backPressure: 'rejected' });
    period([100], { backPressure: 'rejected' });
    expect(c.batchSize).to.equal(62);
    period([100], { backPressure: 'rejected' });
    expect(c.batchSize).to.equal(50);
    expect(period([100], { backPressure: 'rejected' }), 'nothing left to decrease').to.equal(undefined);
  });

  it('grows the request size back by a tenth of its range before it grows the limit again', () => {
    const { c, period } = controller({ initial: 2, min: 2, max: 3, decreaseRatio: 0.5 });
    period([100]);
    expect(c.limit).to.equal(3);
    period([100], { backPressure: 'rejected' });
    period([100], { backPressure: 'rejected' });
    period([100], { backPressure: 'rejected' });
    expect([c.limit, c.batchSize]).to.deep.equal([2, 125]);
    const steps = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10].map(() => (period([100]), `${c.limit}x${c.batchSize}`));
    expect(steps).to.deep.equal(['2x170', '2x215', '2x260', '2x305', '2x350', '2x395', '2x440', '2x485', '2x500', '3x500']);
  });

  it('decreases when a period\'s mean response time exceeds baseline + rttDeviationScale deviations, and keeps still under it', () => {
    const { c, period } = controller({ initial: 8, rttDeviationScale: 2 });
    period([100]);
    expect(c.limit).to.equal(9);
    // No deviation yet: anything slower than the baseline is over it.
    expect(period([110, 130])).to.deep.equal({ change: 'decrease', of: 'limit', cause: 'latency' });
    expect(c.limit).to.equal(8);
    // Baseline 108, deviation about 9.8: up to about 127.6 is within.
    expect(period([125])).to.equal(undefined);
    expect(c.limit).to.equal(8);
    // Baseline 114.8, deviation about 11.3: 140 is over about 137.3.
    expect(period([140])).to.deep.equal({ change: 'decrease', of: 'limit', cause: 'latency' });
    expect(c.limit).to.equal(7);
  });

  it('decreases the limit (never the size) when the response time per record passes maxRttOverFloor times the lowest seen: requests queue in the server', () => {
    const { c, clock } = controller({ initial: 3, min: 4, rttDeviationScale: 100, maxRttOverFloor: 2 });
    const period = (rttMs: number, records: number) => {
      c.started(c.limit);
      clock.t += 60_000;
      return c.completed(rttMs, undefined, records);
    };
    period(100, 10);
    expect(period(60, 10), 'faster: the floor is 6 ms a record').to.deep.equal({ change: 'increase', of: 'limit' });
    expect(c.limit).to.equal(5);
    expect(period(110, 10), '11 ms a record: slower than the baseline, under twice the floor').to.equal(undefined);
    expect(period(130, 10), '13 ms a record: over twice the floor (6.03 after its drift)').to.deep.equal({ change: 'decrease', of: 'limit', cause: 'queueing' });
    expect(c.limit).to.equal(4);
    expect(period(130, 10), 'at min: the size is the server\'s pace, not shrunk').to.equal(undefined);
    expect([c.limit, c.batchSize]).to.deep.equal([4, 500]);
    const off = controller({ initial: 3, rttDeviationScale: 100, maxRttOverFloor: 0 });
    off.period([100]);
    off.period([60]);
    expect(off.period([130]), 'maxRttOverFloor 0: the rule is off').to.equal(undefined);
  });

  it('counts a timeout as back pressure without letting it into the baseline', () => {
    const { c, period } = controller({ initial: 5 });
    period([100]);
    expect(period([undefined], { backPressure: 'timeout' })).to.deep.equal({ change: 'decrease', of: 'limit', cause: 'timeout' });
    expect(c.limit).to.equal(5);
    expect(c.baselineMs).to.equal(100);
  });
});

describe('request limiter', () => {
  const config = AdaptiveConcurrencySchema.parse({ initial: 2, max: 2 });

  it('keeps at most the limit in flight and lets the waiting ones go in the order they came', async () => {
    const limiter = new RequestLimiter('limiter-test', config, 100);
    let inFlight = 0;
    let most = 0;
    const order: number[] = [];
    const releases: Array<() => void> = [];
    const request = (n: number) =>
      limiter.run(
        () =>
          new Promise<number>((resolve) => {
            inFlight++;
            most = Math.max(most, inFlight);
            order.push(n);
            releases.push(() => {
              inFlight--;
              resolve(n);
            });
          }),
        () => undefined,
      );
    const all = Promise.all([1, 2, 3, 4, 5].map(request));
    for (let i = 0; i < 5; i++) {
      await new Promise((r) => setImmediate(r));
      releases.shift()?.();
    }
    while (releases.length > 0) {
      await new Promise((r) => setImmediate(r));
      releases.shift()!();
    }
    expect(await all).to.deep.equal([1, 2, 3, 4, 5]);
    expect(order).to.deep.equal([1, 2, 3, 4, 5]);
    expect(most).to.equal(2);
    limiter.close();
  });

  it('passes a failed request\'s error on unchanged, and decreases on the back pressure it is judged to be', async () => {
    const limiter = new RequestLimiter('limiter-test', AdaptiveConcurrencySchema.parse({ initial: 4, max: 4 }), 100);
    const refused = new Error('429');
    let error: unknown;
    await limiter.run(() => Promise.reject(refused), () => 'rejected').catch((err: unknown) => (error = err));
    expect(error).to.equal(refused);
    expect(limiter.limit).to.equal(3);
    limiter.close();
  });

  it('when disabled, keeps max requests of the full batch size whatever the answers', async () => {
    const limiter = new RequestLimiter('limiter-test', AdaptiveConcurrencySchema.parse({ enabled: false, max: 6 }), 300);
    await limiter.run(() => Promise.resolve(1), () => 'rejected');
    expect([limiter.limit, limiter.batchSize]).to.deep.equal([6, 300]);
    limiter.close();
  });

  it('refuses bounds that contradict each other, naming the key', () => {
    const result = AdaptiveConcurrencySchema.safeParse({ min: 5, max: 3, initial: 4 });
    expect(result.success).to.equal(false);
    expect(result.error!.issues.map((i) => `${i.path.join('.')}: ${i.message}`)).to.deep.equal(['min: must be at most max (3), got 5', 'initial: must be from min (5) to max (3), got 4']);
  });
});

describe('elasticsearch bulk chunks', () => {
  const record = (n: number, wireBytes?: number): SinkRecord => ({ id: `s:${n}`, source: 's', ingestedAt: '2026-11-30T12:00:00.000Z', partition: 0, offset: String(n), version: String(n), payload: { n }, wireBytes });

  it('cuts a batch at the request size, or earlier when the estimated bytes would pass maxBulkBytes, never leaving a request empty', () => {
    const sizes = (chunks: SinkRecord[][]) => chunks.map((c) => c.length);
    expect(sizes(bulkChunks(Array.from({ length: 7 }, (_, n) => record(n, 800)), 3, 1_000_000))).to.deep.equal([3, 3, 1]);
    // 800 + 200 bytes a record: three fit in 3000, a fourth does not.
    expect(sizes(bulkChunks(Array.from({ length: 7 }, (_, n) => record(n, 800)), 100, 3000))).to.deep.equal([3, 3, 1]);
    expect(sizes(bulkChunks([record(1, 5000), record(2, 5000)], 100, 3000)), 'a record over the bound goes alone').to.deep.equal([1, 1]);
    expect(bulkChunks([], 10, 3000)).to.deep.equal([]);
  });
});
