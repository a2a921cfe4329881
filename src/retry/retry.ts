/**
 * wharf's one retry loop. An operation is retried with backoff until it succeeds, throws a
 * non-retriable WharfError (rethrown at once), runs out of attempts or deadline
 * (RetriesExhaustedError), or its signal aborts (OperationAbortedError). An error's own
 * `retryAfterMs` (an upstream's or server's Retry-After) replaces the computed delay. Each failed
 * attempt is reported through `onRetry` with the delay chosen, so an unreachable server is always
 * visible in logs and metrics, never a silent hang. Errors that are not WharfErrors count as
 * retriable: a library's unknown failure is treated as an outage, not as bad data.
 */
import { OperationAbortedError, RetriesExhaustedError, WharfError } from '../errors';
import { backoffDelay, type BackoffPolicy } from './backoff';

export interface RetryInfo {
  /** 1 for the first failure. */
  attempt: number;
  delayMs: number;
  error: unknown;
}

export interface RetryOptions {
  /** What is being done, for the error when retrying gives up ("writing to sink search"). */
  what: string;
  policy: BackoffPolicy;
  /** All attempts together may not take longer; no bound when absent. */
  deadlineMs?: number;
  /** At most this many attempts; no bound when absent. */
  maxAttempts?: number;
  signal?: AbortSignal;
  onRetry?: (info: RetryInfo) => void;
  /** Which failures are retried (default: every error but a non-retriable WharfError); others are rethrown at once. */
  retryOn?: (error: unknown) => boolean;
  /** How to wait between attempts (default: sleep); e.g. a Kafka consumer keeps its heartbeats. */
  wait?: (ms: number, signal?: AbortSignal) => Promise<void>;
}

export async function retry<T>(operation: (attempt: number) => Promise<T>, options: RetryOptions): Promise<T> {
  const deadline = options.deadlineMs === undefined ? Infinity : Date.now() + options.deadlineMs;
  const wait = options.wait ?? sleep;
  for (let attempt = 1; ; attempt++) {
    if (options.signal?.aborted) throw new OperationAbortedError(options.what);
    try {
      return await operation(attempt);
    } catch (error) {
      if (!(options.retryOn ?? isRetriable)(error)) throw error;
      if (options.signal?.aborted) throw new OperationAbortedError(options.what, error);
      const delayMs = retryDelay(options.policy, attempt, error);
      if (attempt >= (options.maxAttempts ?? Infinity) || Date.now() + delayMs > deadline) {
        throw new RetriesExhaustedError(options.what, attempt, error);
      }
      options.onRetry?.({ attempt, delayMs, error });
      await wait(delayMs, options.signal);
    }
  }
}

export function isRetriable(error: unknown): boolean {
  return !(error instanceof WharfError) || error.retriable;
}

/** The delay after the `attempt`-th failure: the error's Retry-After, else the policy's backoff. */
export function retryDelay(policy: BackoffPolicy, attempt: number, error: unknown): number {
  const asked = error instanceof WharfError ? error.retryAfterMs : undefined;
  return asked ?? backoffDelay(policy, attempt - 1);
}

export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done(): void {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}
