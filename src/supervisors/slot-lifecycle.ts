/**
 * Starting and stopping the child of a slot, each step reported as an event. A failed start is
 * handed to the supervisor like any exit, after the current lane task; so is a started child's
 * exit, with the run (incarnation) it belongs to, so that a late report of an earlier run is
 * recognised as stale.
 */
import { describeError } from '../errors';
import type { ExitKind } from './decider';
import type { SupervisionEventSink } from './events';
import { RunningWorker } from './running-worker';
import type { Slot } from './slots';
import type { Supervisor } from './supervisor';

export interface SlotHost {
  readonly id: string;
  readonly report: SupervisionEventSink;
  readonly parentActor: Parameters<typeof RunningWorker.start>[0];
  /** Creates and starts a nested supervisor for the slot's spec; its escalation goes to `exited` with this incarnation. */
  startNested(slot: Slot, incarnation: number): Promise<Supervisor>;
  exited(slot: Slot, incarnation: number, exit: ExitKind, detail: string): void;
}

export async function startSlot(host: SlotHost, slot: Slot): Promise<void> {
  const incarnation = ++slot.incarnation;
  slot.state = 'starting';
  try {
    slot.running = slot.spec.kind === 'worker' ? await startWorker(host, slot, incarnation) : await host.startNested(slot, incarnation);
    slot.state = 'running';
    host.report({
      type: 'child_started',
      supervisor: host.id,
      child: slot.spec.id,
      actorPid: slot.running instanceof RunningWorker ? slot.running.pid : undefined,
      restarts: slot.restarts,
    });
  } catch (err) {
    slot.running = undefined;
    slot.state = 'exited';
    slot.lastError = describeError(err);
    host.report({ type: 'child_start_failed', supervisor: host.id, child: slot.spec.id, error: slot.lastError });
    // Handled after the current sequence, like any exit: intensity, strategy, backoff.
    queueMicrotask(() => host.exited(slot, incarnation, 'start-failed', slot.lastError ?? ''));
  }
}

async function startWorker(host: SlotHost, slot: Slot, incarnation: number): Promise<RunningWorker> {
  if (slot.spec.kind !== 'worker') throw new Error('not a worker');
  const running = await RunningWorker.start(host.parentActor, slot.spec, slot.restarts);
  running.onExit = (exit, detail) => {
    if (slot.running === running) host.exited(slot, incarnation, exit, detail);
  };
  return running;
}

/** Stops the slots' children one after another (callers pass them in reverse start order), each within its shutdown bound. */
export async function stopSlots(host: SlotHost, slots: readonly Slot[]): Promise<void> {
  for (const slot of slots) {
    const running = slot.running;
    if (!running) {
      // A child waiting for its restart stays 'restarting' until that restart is cancelled.
      if (!slot.pending) slot.state = 'stopped';
      continue;
    }
    slot.state = 'stopping';
    await running.stop();
    // A nested supervisor starts again with the children it has now (reloads, scaling).
    if (!(running instanceof RunningWorker)) slot.spec = running.currentSpec();
    slot.running = undefined;
    slot.state = 'stopped';
    host.report({ type: 'child_stopped', supervisor: host.id, child: slot.spec.id });
  }
}
