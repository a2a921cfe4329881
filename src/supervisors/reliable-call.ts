/**
 * Acknowledged request/response to a supervised actor, for anything that must not be lost: the
 * request is retried (with backoff) on every retriable failure — the actor crashed with it in
 * flight, is restarting, or did not answer in time — until it is acknowledged or the deadline
 * passes, which rejects with RetriesExhaustedError. Delivery is at-least-once: a handler may see
 * a request again after a crash, so handlers are idempotent (wharf's writes use deterministic
 * ids). Send batches, not single records: one message across a process boundary costs about as
 * much as a thousand records inside it (bench/supervision.ts).
 */
import { retry } from '../retry/retry';
import { RETRY_POLICIES } from '../retry/policies';
import type { BackoffPolicy } from '../retry/backoff';
import type { Supervisor } from './supervisor';

export interface ReliableCallOptions {
  /** How long one attempt may wait for its answer. */
  timeoutMs: number;
  /** How long all attempts together may take. */
  deadlineMs: number;
  policy?: BackoffPolicy;
  onRetry?: (info: { attempt: number; delayMs: number; error: unknown }) => void;
}

export function reliableCall(
  supervisor: Supervisor,
  childId: string,
  topic: string,
  payload: unknown,
  options: ReliableCallOptions,
): Promise<unknown> {
  return retry(() => supervisor.call(childId, topic, payload, options.timeoutMs), {
    what: `request ${topic} to actor ${childId}`,
    policy: options.policy ?? RETRY_POLICIES.actorCall,
    deadlineMs: options.deadlineMs,
    onRetry: options.onRetry,
  });
}
