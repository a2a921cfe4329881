import { expect } from 'chai';
import { backoffDelay, failuresAfterQuietPeriod, type BackoffPolicy } from '../../src/retry/backoff';

const policy: BackoffPolicy = { minMs: 100, maxMs: 5000, jitter: 0.5, resetAfterMs: 10_000 };

describe('backoff delay (pure)', () => {
  it('doubles from minMs with each consecutive failure when no jitter is drawn', () => {
    expect([0, 1, 2, 3, 4].map((n) => backoffDelay(policy, n, () => 0))).to.deep.equal([100, 200, 400, 800, 1600]);
  });

  it('never exceeds maxMs, even with the largest jitter and huge failure counts', () => {
    expect(backoffDelay(policy, 6, () => 0.999)).to.equal(5000);
    expect(backoffDelay(policy, 10_000, () => 1)).to.equal(5000);
  });

  it('stretches a delay by at most the jitter fraction', () => {
    expect(backoffDelay(policy, 1, () => 1)).to.equal(300);
    expect(backoffDelay(policy, 1, () => 0.5)).to.equal(250);
  });

  it('treats a negative failure count as the first failure', () => {
    expect(backoffDelay(policy, -3, () => 0)).to.equal(100);
  });

  it('forgets the failure count after a quiet period of resetAfterMs, not before', () => {
    expect(failuresAfterQuietPeriod(policy, 7, 1000, 10_999)).to.equal(7);
    expect(failuresAfterQuietPeriod(policy, 7, 1000, 11_000)).to.equal(0);
  });
});
