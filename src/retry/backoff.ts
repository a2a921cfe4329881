/**
 * Exponential backoff with jitter, as a pure function (Akka's restartWithBackoff semantics).
 *
 * The n-th consecutive failure (n = 0, 1, 2, ...) waits min(maxMs, minMs * 2^n), stretched by a
 * random factor of up to `jitter` (0.2 = up to 20 % longer) so that many components failing
 * together do not retry in lockstep, and never more than maxMs. After `resetAfterMs` without a
 * failure, the count starts again from zero (see `failuresAfterQuietPeriod`). Every policy wharf
 * uses is named in policies.ts.
 */
export interface BackoffPolicy {
  minMs: number;
  maxMs: number;
  /** 0..1: the largest random stretch of a delay, as a fraction of it. */
  jitter: number;
  /** A quiet period after which the failure count is forgotten. */
  resetAfterMs: number;
}

export function backoffDelay(policy: BackoffPolicy, failures: number, random: () => number = Math.random): number {
  const exponent = Math.min(Math.max(0, failures), 52);
  const base = Math.min(policy.maxMs, policy.minMs * 2 ** exponent);
  return Math.round(Math.min(policy.maxMs, base * (1 + random() * policy.jitter)));
}

/** The failure count to use now, given when the last failure happened. */
export function failuresAfterQuietPeriod(
  policy: BackoffPolicy,
  failures: number,
  lastFailureAt: number,
  now: number,
): number {
  return now - lastFailureAt >= policy.resetAfterMs ? 0 : failures;
}
