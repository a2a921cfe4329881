/**
 * Retries an operation with backoff until it succeeds, a non-retriable error occurs, or a
 * deadline passes. Each failed attempt is reported (for logs and metrics) with the delay chosen,
 * so an unreachable server is always visible, never a silent hang.
 */
import { RetriesExhaustedError, WharfError } from '../errors';
import { backoffDelay, type BackoffPolicy } from './backoff';

export interface RetryOptions {
  what: string;
  policy: BackoffPolicy;
  deadlineMs: number;
  onRetry?: (info: { attempt: number; delayMs: number; error: unknown }) => void;
  signal?: AbortSignal;
}

export async function retryWithBackoff<T>(operation: () => Promise<T>, options: RetryOptions): Promise<T> {
  const deadline = Date.now() + options.deadlineMs;
  for (let attempt = 1; ; attempt++) {
    try {
      return await operation();
    } catch (error) {
      if (error instanceof WharfError && !error.retriable) throw error;
      const delayMs = backoffDelay(options.policy, attempt - 1);
      if (options.signal?.aborted || Date.now() + delayMs > deadline) {
        throw new RetriesExhaustedError(options.what, attempt, error);
      }
      options.onRetry?.({ attempt, delayMs, error });
      await sleep(delayMs, options.signal);
    }
  }
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
