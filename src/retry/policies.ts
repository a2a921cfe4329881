/**
 * Every retry policy wharf uses, in one table: what is retried, how soon and how far apart.
 * Delays grow as backoff.ts says; an upstream's or server's own Retry-After wins over them.
 * Two of them are defaults an operator can override in the configuration: `supervisorRestart`
 * (`*.supervisor.backoff`) and `sinkBatch` (`pipeline.consumers.retry`).
 *
 * Bounds are per use: a running pipeline retries until it succeeds or stops (intake and delivery
 * must never give up on their own: Kafka holds the backlog); boot, CLI jobs and item retries
 * inside one sink write have a deadline or an attempt limit, named where they are used.
 */
import type { BackoffPolicy } from './backoff';

const policy = (minMs: number, maxMs: number): BackoffPolicy => ({ minMs, maxMs, jitter: 0.2, resetAfterMs: 60_000 });

export const RETRY_POLICIES = {
  /** A supervisor restarting a failed child (per child; see src/supervisors/spec.ts). */
  supervisorRestart: policy(200, 30_000),
  /** Boot waiting for Kafka, ZooKeeper and every sink (bounded by startup.waitForServicesMs). */
  serviceStartup: policy(500, 10_000),
  /** A batch whose sink is unavailable: the partition waits, nothing is skipped. */
  sinkBatch: policy(500, 30_000),
  /** Items a sink answered 408/429/5xx for, within one batch write (bounded by the sink's maxAttempts). */
  sinkItems: policy(100, 5000),
  /** A poll that failed (upstream or Kafka), unless the upstream asked for a Retry-After. */
  sourcePoll: policy(500, 60_000),
  /** A partition consumer joining Kafka (topics, producer, group): retried until it succeeds or the consumer stops. */
  kafkaJoin: policy(500, 30_000),
  /** ZooKeeper: a session, a cursor load, the source lease. */
  coordination: policy(200, 30_000),
  /** An acknowledged request to an actor that is restarting or did not answer in time. */
  actorCall: policy(25, 1000),
} as const satisfies Record<string, BackoffPolicy>;

export type RetryPolicyName = keyof typeof RETRY_POLICIES;
