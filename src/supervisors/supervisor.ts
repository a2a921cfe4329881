/**
 * A supervisor: starts its children (workers, nested supervisors, dynamic groups) in order,
 * watches them, restarts them by its strategy with per-child backoff, and escalates when
 * restarting does not help. The semantics are stated in spec.ts; the decisions are the pure
 * functions of decider.ts, slots.ts and retry/backoff.ts; specs are checked by check-spec.ts.
 *
 * One serialized lane per supervisor orders everything that starts or stops a child: start,
 * stop, reloads (add, replace, remove, scale) and the two halves of a restart (stop the siblings
 * the strategy names; later, start them). The backoff wait between those halves happens outside
 * the lane, so a child in a long backoff holds up neither its siblings nor a reload.
 */
import { ChildUnavailableError, describeError } from '../errors';
import { checkChildSpecs, checkGroupCount, checkSupervisorSpec, InvalidChildSpecError, refuseInGroup } from './check-spec';
import { childrenToRestart, recordRestart, shouldRestart, type ExitKind } from './decider';
import type { SupervisionEventSink } from './events';
import { RunningWorker } from './running-worker';
import { SerialMailbox } from './serial-mailbox';
import { startSlot, stopSlots, type SlotHost } from './slot-lifecycle';
import { newSlot, nextBackoff, PendingRestart, type Slot } from './slots';
import { deepFreeze, groupWorker, isGroupSpec, scaledGroup, type ChildSpec, type SupervisorSpec } from './spec';
import { describeSupervisor, type TreeNode } from './tree-node';

export type { TreeNode } from './tree-node';

export interface SupervisorContext {
  parentActor: Parameters<typeof RunningWorker.start>[0];
  report: SupervisionEventSink;
}

export class Supervisor {
  private readonly slots: Slot[];
  private history: number[] = [];
  private stopping = false;
  private shutdown?: Promise<void>;
  /** Orders every start and stop of a child (start, stop, reloads, restarts); a failed task rejects its caller only. */
  private readonly lane = new SerialMailbox();
  /** The size last asked of scale(): a group stopped meanwhile restarts at that size. */
  private requestedCount?: number;
  private readonly host: SlotHost;
  private readonly pending = new Set<PendingRestart>();
  /** Set by the parent (or the system at the root): called once, when this supervisor gives up. */
  onEscalate: (reason: string) => void = () => undefined;

  /** Checks the whole spec first: an invalid one throws InvalidChildSpecError and starts nothing. */
  constructor(
    /** The spec this supervisor was started from; `currentSpec()` includes reloads and scaling since. */
    readonly spec: SupervisorSpec,
    private readonly ctx: SupervisorContext,
  ) {
    checkSupervisorSpec(spec);
    this.slots = spec.children.map(newSlot);
    this.host = {
      id: spec.id,
      report: ctx.report,
      parentActor: ctx.parentActor,
      startNested: (slot, incarnation) => this.startSupervisor(slot, incarnation),
      exited: (slot, incarnation, exit, detail) => this.childExited(slot, incarnation, exit, detail),
    };
  }

  get id(): string {
    return this.spec.id;
  }

  /** Starts every child in order. A child that fails to start is handled like a crash. */
  async start(): Promise<void> {
    await this.lane.run(async () => {
      for (const slot of this.slots) {
        if (this.stopping) return;
        await startSlot(this.host, slot);
      }
    });
  }

  /** Cancels every waiting restart and stops every child in reverse order, each within its shutdown timeout. */
  stop(): Promise<void> {
    return this.shutDown();
  }

  /** Appends a child and starts it (hot reload: a new group). */
  async addChild(spec: ChildSpec): Promise<void> {
    refuseInGroup(this.spec, 'addChild');
    checkChildSpecs([spec]);
    await this.lane.run(async () => {
      if (this.stopping) return;
      checkChildSpecs([...this.slots.map((s) => s.spec), spec]);
      const slot = newSlot(spec);
      this.slots.push(slot);
      await startSlot(this.host, slot);
    });
  }

  /** Stops a child and forgets it (hot reload: a group removed); a restart it waits for is cancelled. */
  async removeChild(childId: string): Promise<void> {
    refuseInGroup(this.spec, 'removeChild');
    await this.lane.run(async () => {
      const slot = this.slots.find((s) => s.spec.id === childId);
      if (!slot) return;
      await this.retire(slot);
    });
  }

  /** Stops a child and starts it again from a new spec, in the same place, with a fresh backoff; a restart it waits for is cancelled. */
  async replaceChild(spec: ChildSpec): Promise<void> {
    refuseInGroup(this.spec, 'replaceChild');
    checkChildSpecs([spec]);
    await this.lane.run(async () => {
      const slot = this.slots.find((s) => s.spec.id === spec.id);
      if (!slot || this.stopping) return;
      slot.pending?.release(slot);
      await stopSlots(this.host, [slot]);
      Object.assign(slot, { spec, failures: 0, lastFailureAt: 0 });
      await startSlot(this.host, slot);
    });
  }

  /**
   * Dynamic groups only: grows the group to `count` workers by starting new ones at the end, or
   * shrinks it by stopping the last ones (last first). The other workers are left running.
   */
  async scale(count: number): Promise<void> {
    const spec = this.spec;
    if (!isGroupSpec(spec)) throw new InvalidChildSpecError('dynamic_group', this.id, 'group', undefined, 'a dynamic group (only a group scales)');
    checkGroupCount(count, this.id);
    this.requestedCount = count;
    await this.lane.run(async () => {
      while (this.slots.length > count && !this.stopping) await this.retire(this.slots[this.slots.length - 1]);
      while (this.slots.length < count && !this.stopping) {
        const slot = newSlot(groupWorker(this.id, spec.group.template, this.slots.length + 1));
        this.slots.push(slot);
        await startSlot(this.host, slot);
      }
    });
  }

  /**
   * Scales the dynamic group `childId` to `count` workers: a running group scales at once; one
   * waiting for its restart comes back at that size.
   */
  async scaleChild(childId: string, count: number): Promise<void> {
    await this.lane.run(async () => {
      const slot = this.slots.find((s) => s.spec.id === childId);
      if (!slot || this.stopping) return;
      if (slot.running instanceof Supervisor) return slot.running.scale(count);
      if (!isGroupSpec(slot.spec)) throw new InvalidChildSpecError('dynamic_group', childId, 'group', undefined, 'a dynamic group (only a group scales)');
      checkGroupCount(count, childId);
      slot.spec = scaledGroup(slot.spec, count);
    });
  }

  /** The spec as running now: the start spec with the children added, replaced, removed or scaled since. */
  currentSpec(): SupervisorSpec {
    if (isGroupSpec(this.spec)) return scaledGroup(this.spec, this.stopping ? (this.requestedCount ?? this.slots.length) : this.slots.length);
    const children = this.slots.map((s) => (s.running instanceof Supervisor ? s.running.currentSpec() : s.spec));
    return deepFreeze({ ...this.spec, children });
  }

  /** Ids of the children, in start order. */
  childIds(): string[] {
    return this.slots.map((s) => s.spec.id);
  }

  /** Sends a request to a running worker child; rejects with a retriable error otherwise. */
  async call(childId: string, topic: string, payload: unknown, timeoutMs = 10_000): Promise<unknown> {
    const slot = this.slots.find((s) => s.spec.id === childId);
    if (!slot) throw new ChildUnavailableError(childId, `no such child of ${this.id}`);
    if (slot.state !== 'running' || !(slot.running instanceof RunningWorker)) throw new ChildUnavailableError(childId, slot.state);
    return slot.running.request(topic, payload, timeoutMs);
  }

  /** A nested supervisor, by id. */
  child(childId: string): Supervisor | undefined {
    const running = this.slots.find((s) => s.spec.id === childId)?.running;
    return running instanceof Supervisor ? running : undefined;
  }

  /** Every running worker of this subtree, depth first. */
  runningWorkers(): RunningWorker[] {
    return this.slots.flatMap((slot) =>
      slot.running instanceof Supervisor ? slot.running.runningWorkers() : slot.running instanceof RunningWorker ? [slot.running] : [],
    );
  }

  describe(): TreeNode {
    return describeSupervisor(this.id, this.stopping ? 'stopping' : 'running', this.slots);
  }

  /** A lane task nobody awaits: an unexpected failure in it is this supervisor's failure. */
  private inLane(task: () => Promise<void>): void {
    void this.lane.run(task).catch((err: unknown) => void this.shutDown(`supervisor ${this.id} failed: ${describeError(err)}`));
  }

  private async startSupervisor(slot: Slot, incarnation: number): Promise<Supervisor> {
    if (slot.spec.kind !== 'supervisor') throw new Error('not a supervisor');
    const sub = new Supervisor(slot.spec, this.ctx);
    sub.onEscalate = (reason) => {
      if (slot.running === sub) this.childExited(slot, incarnation, 'crash', `supervisor ${sub.id} escalated: ${reason}`);
    };
    await sub.start();
    // It gave up during its own start: count that as a failed start here.
    if (sub.stopping) throw new Error(`supervisor ${sub.id} escalated while starting`);
    return sub;
  }

  /** An exit of a child's run `incarnation`: counts it against the intensity at once, then queues its restart. */
  private childExited(slot: Slot, incarnation: number, exit: ExitKind, detail: string): void {
    if (this.stopping || slot.state === 'stopping' || slot.incarnation !== incarnation || !this.slots.includes(slot)) return;
    // A nested supervisor restarts with the children it has now (reloads, scaling), not its first spec.
    if (slot.running instanceof Supervisor) slot.spec = slot.running.currentSpec();
    slot.state = 'exited';
    slot.running = undefined;
    if (exit !== 'start-failed') {
      slot.lastError = exit === 'normal' ? slot.lastError : detail;
      this.ctx.report({ type: 'child_exited', supervisor: this.id, child: slot.spec.id, exit, detail });
    }
    if (!shouldRestart(slot.spec.restart, exit)) {
      slot.state = 'stopped';
      this.ctx.report({ type: 'child_not_restarted', supervisor: this.id, child: slot.spec.id, exit, restart: slot.spec.restart });
      return;
    }
    const now = Date.now();
    const { flags } = this.spec;
    const intensity = recordRestart(this.history, now, flags);
    this.history = intensity.history;
    if (intensity.exceeded) {
      const last = `${slot.spec.id}: ${slot.lastError ?? 'exited'}`;
      void this.shutDown(`${intensity.history.length} restarts within ${flags.withinMs} ms (max ${flags.maxRestarts}); last: ${last}`);
      return;
    }
    this.inLane(() => this.scheduleRestart(slot, incarnation, now));
  }

  /** In the lane: stops the siblings the strategy names, then lets them wait out the failed child's backoff outside the lane. */
  private async scheduleRestart(failed: Slot, incarnation: number, failedAt: number): Promise<void> {
    // A reload or another restart dealt with this slot since the exit.
    if (this.stopping || failed.incarnation !== incarnation || failed.state !== 'exited' || !this.slots.includes(failed)) return;
    const order = this.slots.filter((s) => s === failed || s.state !== 'stopped').map((s) => s.spec.id);
    const ids = childrenToRestart(this.spec.flags.strategy, order, failed.spec.id);
    const members = this.slots.filter((s) => ids.includes(s.spec.id));
    await stopSlots(this.host, members.filter((s) => s !== failed && s.running).reverse());
    if (this.stopping) return;

    const backoff = nextBackoff(this.spec.flags.backoff, failed, failedAt);
    failed.failures = backoff.failures;
    failed.lastFailureAt = backoff.lastFailureAt;
    const scheduledAt = Date.now();
    const dueAt = PendingRestart.dueAfter(members, scheduledAt + backoff.delayMs);
    const restart = new PendingRestart(members, dueAt);
    this.pending.add(restart);
    this.ctx.report({ type: 'restart_scheduled', supervisor: this.id, child: failed.spec.id, restarting: ids, delayMs: dueAt - scheduledAt });
    void this.startWhenDue(restart);
  }

  /** Outside the lane: waits out the backoff, then queues the start of the members still waiting. */
  private async startWhenDue(restart: PendingRestart): Promise<void> {
    const due = await restart.due();
    this.pending.delete(restart);
    if (!due) return;
    this.inLane(async () => {
      for (const slot of this.slots.filter((s) => restart.has(s))) {
        if (this.stopping) break;
        restart.release(slot);
        slot.restarts++;
        await startSlot(this.host, slot);
      }
      restart.cancel();
    });
  }

  /** In the lane: stops a child for good and drops its slot. */
  private async retire(slot: Slot): Promise<void> {
    slot.pending?.release(slot);
    await stopSlots(this.host, [slot]);
    this.slots.splice(this.slots.indexOf(slot), 1);
  }

  /** Stops or escalates, once: cancels every waiting restart, waits for the lane, stops the children in reverse order. */
  private shutDown(escalation?: string): Promise<void> {
    this.shutdown ??= (async () => {
      this.stopping = true;
      for (const restart of this.pending) restart.cancel();
      this.pending.clear();
      if (escalation !== undefined) this.ctx.report({ type: 'escalated', supervisor: this.id, reason: escalation });
      await this.lane.run(() => stopSlots(this.host, [...this.slots].reverse()));
      if (escalation === undefined) this.ctx.report({ type: 'supervisor_stopped', supervisor: this.id });
      else this.onEscalate(escalation);
    })();
    return this.shutdown;
  }
}
