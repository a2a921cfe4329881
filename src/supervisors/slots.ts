/**
 * A supervisor's running state for one child (a slot): the spec it runs now, what runs for it,
 * its own backoff (consecutive failures, last failure), and the restart it may be waiting for.
 * Specs stay untouched data; everything that changes lives here.
 *
 * A PendingRestart is one restart decision waiting out its backoff: the failed child and the
 * siblings its strategy stopped with it. It sleeps outside the supervisor's serialized lane and
 * can be cancelled: for one member (that child was replaced, removed or scaled away) or whole
 * (the supervisor stops or escalates).
 */
import { backoffDelay, failuresAfterQuietPeriod, type BackoffPolicy } from '../retry/backoff';
import { sleep } from '../retry/retry';
import type { RunningWorker } from './running-worker';
import type { ChildSpec } from './spec';
import type { Supervisor } from './supervisor';

export type ChildState = 'stopped' | 'starting' | 'running' | 'restarting' | 'stopping' | 'exited';

export interface Slot {
  spec: ChildSpec;
  state: ChildState;
  running?: RunningWorker | Supervisor;
  restarts: number;
  lastError?: string;
  /** Counts starts, so that an exit reported for an earlier run of this slot is recognised as stale. */
  incarnation: number;
  /** This child's consecutive failures, forgotten after the backoff's quiet period. */
  failures: number;
  lastFailureAt: number;
  pending?: PendingRestart;
}

export function newSlot(spec: ChildSpec): Slot {
  return { spec, state: 'stopped', restarts: 0, incarnation: 0, failures: 0, lastFailureAt: 0 };
}

/** Pure: the delay before a restart after a failure at `now`, and the child's backoff state after it. */
export function nextBackoff(
  policy: BackoffPolicy,
  state: { failures: number; lastFailureAt: number },
  now: number,
  random: () => number = Math.random,
): { delayMs: number; failures: number; lastFailureAt: number } {
  const failures = failuresAfterQuietPeriod(policy, state.failures, state.lastFailureAt, now);
  return { delayMs: backoffDelay(policy, failures, random), failures: failures + 1, lastFailureAt: now };
}

export class PendingRestart {
  private readonly members: Set<Slot>;
  private readonly abort = new AbortController();

  /** Takes the slots over: a slot already waiting in another restart leaves it (and this one waits at least as long). */
  constructor(
    slots: readonly Slot[],
    readonly dueAt: number,
  ) {
    this.members = new Set(slots);
    for (const slot of slots) {
      slot.pending?.release(slot);
      slot.pending = this;
      slot.state = 'restarting';
    }
  }

  /** The latest time any of these slots is already due in another pending restart. */
  static dueAfter(slots: readonly Slot[], dueAt: number): number {
    return slots.reduce((latest, slot) => Math.max(latest, slot.pending?.dueAt ?? 0), dueAt);
  }

  get cancelled(): boolean {
    return this.abort.signal.aborted;
  }

  /** Resolves true when the restart is due, false when it was cancelled first. */
  async due(): Promise<boolean> {
    await sleep(Math.max(0, this.dueAt - Date.now()), this.abort.signal);
    return !this.cancelled;
  }

  /** Whether `slot` still waits for this restart. */
  has(slot: Slot): boolean {
    return this.members.has(slot) && slot.pending === this;
  }

  /** `slot` no longer waits for this restart; with no member left, the restart is cancelled. */
  release(slot: Slot): void {
    this.members.delete(slot);
    if (slot.pending === this) slot.pending = undefined;
    if (this.members.size === 0) this.abort.abort();
  }

  cancel(): void {
    for (const slot of [...this.members]) this.release(slot);
    this.abort.abort();
  }
}
