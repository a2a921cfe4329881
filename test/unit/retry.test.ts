import { expect } from 'chai';
import { OperationAbortedError, RetriesExhaustedError, WharfError } from '../../src/errors';
import type { BackoffPolicy } from '../../src/retry/backoff';
import { retry, type RetryInfo } from '../../src/retry/retry';
import { withTimeout } from '../../src/retry/timeout';

const FAST: BackoffPolicy = { minMs: 1, maxMs: 4, jitter: 0, resetAfterMs: 1000 };

/** An operation that fails `times` times with `error`, then answers "ok". */
function failing(times: number, error: () => Error = () => new Error('down')) {
  const calls: number[] = [];
  const operation = (attempt: number) => {
    calls.push(attempt);
    return calls.length <= times ? Promise.reject(error()) : Promise.resolve('ok');
  };
  return { operation, calls };
}

describe('the one retry loop', () => {
  it('retries failures with the policy\'s growing delays and reports each one with its delay', async () => {
    const { operation, calls } = failing(3);
    const seen: RetryInfo[] = [];
    expect(await retry(operation, { what: 'x', policy: FAST, onRetry: (info) => seen.push(info) })).to.equal('ok');
    expect(calls).to.deep.equal([1, 2, 3, 4]);
    expect(seen.map((s) => [s.attempt, s.delayMs])).to.deep.equal([
      [1, 1],
      [2, 2],
      [3, 4],
    ]);
  });

  it('rethrows a non-retriable WharfError at once', async () => {
    const bad = new WharfError('bad data', { retriable: false });
    const { operation, calls } = failing(5, () => bad);
    const err = await retry(operation, { what: 'x', policy: FAST }).catch((e: unknown) => e);
    expect(err).to.equal(bad);
    expect(calls).to.have.length(1);
  });

  it('waits what an error asks for (Retry-After) instead of the computed delay', async () => {
    const throttled = new WharfError('429', { retriable: true, retryAfterMs: 30 });
    const { operation } = failing(1, () => throttled);
    const seen: RetryInfo[] = [];
    const started = Date.now();
    await retry(operation, { what: 'x', policy: FAST, onRetry: (info) => seen.push(info) });
    expect(seen[0].delayMs).to.equal(30);
    expect(Date.now() - started).to.be.at.least(25);
  });

  it('gives up after maxAttempts with RetriesExhaustedError carrying the count and the last cause', async () => {
    const { operation, calls } = failing(10);
    const err = await retry(operation, { what: 'writing to sink s', policy: FAST, maxAttempts: 3 }).catch((e: unknown) => e);
    expect(err).to.be.instanceOf(RetriesExhaustedError);
    expect((err as RetriesExhaustedError).attempts).to.equal(3);
    expect((err as Error).message).to.equal('writing to sink s: gave up after 3 attempts: down');
    expect(calls).to.deep.equal([1, 2, 3]);
  });

  it('gives up when the next wait would pass the deadline', async () => {
    const { operation } = failing(10);
    // A clock that only the waits move: a busy machine's late timers cannot change the count.
    const realNow = Date.now;
    let now = 0;
    Date.now = () => now;
    try {
      const wait = (ms: number) => ((now += ms), Promise.resolve());
      const err = await retry(operation, { what: 'x', policy: { ...FAST, minMs: 50, maxMs: 50 }, deadlineMs: 120, wait }).catch((e: unknown) => e);
      expect(err).to.be.instanceOf(RetriesExhaustedError);
      expect((err as RetriesExhaustedError).attempts).to.equal(3);
    } finally {
      Date.now = realNow;
    }
  });

  it('stops with OperationAbortedError when its signal fires during a wait, without another attempt', async () => {
    const controller = new AbortController();
    const { operation, calls } = failing(10);
    setTimeout(() => controller.abort(), 20);
    const err = await retry(operation, { what: 'x', policy: { ...FAST, minMs: 10_000, maxMs: 10_000 }, signal: controller.signal }).catch((e: unknown) => e);
    expect(err).to.be.instanceOf(OperationAbortedError);
    expect(calls).to.deep.equal([1]);
  });

  it('retries only what retryOn accepts, and waits through the given wait function', async () => {
    const { operation, calls } = failing(1, () => new TypeError('a bug'));
    const err = await retry(operation, { what: 'x', policy: FAST, retryOn: (e) => !(e instanceof TypeError) }).catch((e: unknown) => e);
    expect(err).to.be.instanceOf(TypeError);
    expect(calls).to.have.length(1);
    const waits: number[] = [];
    const again = failing(2);
    await retry(again.operation, { what: 'x', policy: FAST, wait: (ms) => (waits.push(ms), Promise.resolve()) });
    expect(waits).to.deep.equal([1, 2]);
  });

  it('bounds a wait with withTimeout, rejecting with the error it builds', async () => {
    const never = new Promise<never>(() => undefined);
    const err = await withTimeout(never, 10, () => new Error('no answer within 10 ms')).catch((e: unknown) => e);
    expect((err as Error).message).to.equal('no answer within 10 ms');
    expect(await withTimeout(Promise.resolve(7), 10, () => new Error('x'))).to.equal(7);
  });
});
