/**
 * A supervisor: starts its children (workers or nested supervisors) in order, watches them,
 * restarts them by its strategy with backoff, and escalates when restarting does not help.
 * The semantics are stated in spec.ts; the decisions are the pure functions of decider.ts and
 * backoff.ts. Restarts are serialized: one restart sequence at a time per supervisor.
 */
import { basename } from 'node:path';
import { ChildUnavailableError, describeError } from '../errors';
import { sleep } from '../retry/retry';
import { backoffDelay, failuresAfterQuietPeriod } from '../retry/backoff';
import { childrenToRestart, recordRestart, shouldRestart, type ExitKind } from './decider';
import type { SupervisionEventSink } from './events';
import { RunningWorker } from './running-worker';
import type { ChildSpec, SupervisorSpec } from './spec';

type ChildState = 'stopped' | 'starting' | 'running' | 'restarting' | 'stopping' | 'exited';

interface Slot {
  spec: ChildSpec;
  state: ChildState;
  running?: RunningWorker | Supervisor;
  restarts: number;
  lastError?: string;
}

export interface SupervisorContext {
  parentActor: Parameters<typeof RunningWorker.start>[0];
  report: SupervisionEventSink;
}

export interface TreeNode {
  id: string;
  kind: 'supervisor' | 'worker';
  state: ChildState;
  /** A worker's actor kind: the name of its module ("partition-consumer", or an operator's module). */
  actor?: string;
  mode?: string;
  pid?: number;
  restarts: number;
  lastError?: string;
  children?: TreeNode[];
}

export class Supervisor {
  private readonly slots: Slot[];
  private history: number[] = [];
  private failures = 0;
  private lastFailureAt = 0;
  private stopping = false;
  private work: Promise<void> = Promise.resolve();
  private readonly abort = new AbortController();
  /** Set by the parent (or the system at the root): called once, when this supervisor gives up. */
  onEscalate: (reason: string) => void = () => undefined;

  constructor(
    readonly spec: SupervisorSpec,
    private readonly ctx: SupervisorContext,
  ) {
    this.slots = spec.children.map((child) => ({ spec: child, state: 'stopped', restarts: 0 }));
  }

  get id(): string {
    return this.spec.id;
  }

  /** Starts every child in order. A child that fails to start is handled like a crash. */
  async start(): Promise<void> {
    await this.serialized(async () => {
      for (const slot of this.slots) {
        if (this.stopping) return;
        await this.startSlot(slot);
      }
    });
  }

  /** Stops every child in reverse order, each within its shutdown timeout. */
  async stop(): Promise<void> {
    if (this.stopping) return this.work;
    this.stopping = true;
    this.abort.abort();
    await this.work.catch(() => undefined);
    await this.stopSlots([...this.slots].reverse());
    this.ctx.report({ type: 'supervisor_stopped', supervisor: this.id });
  }

  /** Appends a child and starts it (hot reload: a new group, or a group scaled up). */
  async addChild(spec: ChildSpec): Promise<void> {
    await this.serialized(async () => {
      if (this.stopping) return;
      const slot: Slot = { spec, state: 'stopped', restarts: 0 };
      this.slots.push(slot);
      this.spec.children.push(spec);
      await this.startSlot(slot);
    });
  }

  /** Stops a child and forgets it (hot reload: a group removed, or scaled down). */
  async removeChild(childId: string): Promise<void> {
    await this.serialized(async () => {
      const slot = this.slots.find((s) => s.spec.id === childId);
      if (!slot) return;
      await this.stopSlots([slot]);
      this.slots.splice(this.slots.indexOf(slot), 1);
      this.spec.children.splice(this.spec.children.findIndex((c) => c.id === childId), 1);
    });
  }

  /** Stops a child and starts it again from a new spec, in the same place. */
  async replaceChild(spec: ChildSpec): Promise<void> {
    await this.serialized(async () => {
      const slot = this.slots.find((s) => s.spec.id === spec.id);
      if (!slot || this.stopping) return;
      await this.stopSlots([slot]);
      slot.spec = spec;
      this.spec.children[this.spec.children.findIndex((c) => c.id === spec.id)] = spec;
      await this.startSlot(slot);
    });
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
    return {
      id: this.id,
      kind: 'supervisor',
      state: this.stopping ? 'stopping' : 'running',
      restarts: 0,
      children: this.slots.map((slot) =>
        slot.running instanceof Supervisor
          ? { ...slot.running.describe(), state: slot.state, restarts: slot.restarts, lastError: slot.lastError }
          : {
              id: slot.spec.id,
              kind: slot.spec.kind,
              state: slot.state,
              actor: slot.spec.kind === 'worker' ? basename(slot.spec.module).replace(/(\.js)?$/, '').replace(/-actor$/, '') : undefined,
              mode: slot.spec.kind === 'worker' ? slot.spec.mode : undefined,
              pid: slot.running?.pid,
              restarts: slot.restarts,
              lastError: slot.lastError,
            },
      ),
    };
  }

  private serialized(task: () => Promise<void>): Promise<void> {
    this.work = this.work.then(task, task);
    return this.work;
  }

  private async startSlot(slot: Slot): Promise<void> {
    slot.state = 'starting';
    try {
      slot.running = slot.spec.kind === 'worker' ? await this.startWorker(slot) : await this.startSupervisor(slot);
      slot.state = 'running';
      this.ctx.report({
        type: 'child_started',
        supervisor: this.id,
        child: slot.spec.id,
        actorPid: slot.running instanceof RunningWorker ? slot.running.pid : undefined,
        restarts: slot.restarts,
      });
    } catch (err) {
      slot.running = undefined;
      slot.state = 'exited';
      slot.lastError = describeError(err);
      this.ctx.report({ type: 'child_start_failed', supervisor: this.id, child: slot.spec.id, error: slot.lastError });
      // Handled after the current sequence, like any exit: backoff, intensity, strategy.
      queueMicrotask(() => this.childExited(slot, 'start-failed', slot.lastError ?? ''));
    }
  }

  private async startWorker(slot: Slot): Promise<RunningWorker> {
    if (slot.spec.kind !== 'worker') throw new Error('not a worker');
    const running = await RunningWorker.start(this.ctx.parentActor, slot.spec);
    running.onExit = (exit, detail) => {
      if (slot.running === running) this.childExited(slot, exit, detail);
    };
    return running;
  }

  private async startSupervisor(slot: Slot): Promise<Supervisor> {
    if (slot.spec.kind !== 'supervisor') throw new Error('not a supervisor');
    const sub = new Supervisor(slot.spec, this.ctx);
    sub.onEscalate = (reason) => {
      if (slot.running === sub) this.childExited(slot, 'crash', `supervisor ${sub.id} escalated: ${reason}`);
    };
    await sub.start();
    return sub;
  }

  private childExited(slot: Slot, exit: ExitKind, detail: string): void {
    if (this.stopping || slot.state === 'stopping') return;
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
    void this.serialized(() => this.restartAfter(slot));
  }

  private async restartAfter(failed: Slot): Promise<void> {
    if (this.stopping) return;
    const now = Date.now();
    const intensity = recordRestart(this.history, now, this.spec.flags);
    this.history = intensity.history;
    if (intensity.exceeded) {
      await this.escalate(
        `${intensity.history.length} restarts within ${this.spec.flags.withinMs} ms (max ${this.spec.flags.maxRestarts}); last: ${failed.spec.id}: ${failed.lastError ?? 'exited'}`,
      );
      return;
    }
    const order = this.slots.filter((s) => s === failed || s.state !== 'stopped').map((s) => s.spec.id);
    const ids = childrenToRestart(this.spec.flags.strategy, order, failed.spec.id);
    const group = this.slots.filter((s) => ids.includes(s.spec.id));
    await this.stopSlots(group.filter((s) => s !== failed).reverse());

    this.failures = failuresAfterQuietPeriod(this.spec.flags.backoff, this.failures, this.lastFailureAt, now);
    const delayMs = backoffDelay(this.spec.flags.backoff, this.failures);
    this.failures++;
    this.lastFailureAt = now;
    group.forEach((s) => (s.state = 'restarting'));
    this.ctx.report({ type: 'restart_scheduled', supervisor: this.id, child: failed.spec.id, restarting: ids, delayMs });
    await sleep(delayMs, this.abort.signal);
    for (const slot of group) {
      if (this.stopping) return;
      slot.restarts++;
      await this.startSlot(slot);
    }
  }

  private async escalate(reason: string): Promise<void> {
    this.stopping = true;
    this.abort.abort();
    this.ctx.report({ type: 'escalated', supervisor: this.id, reason });
    await this.stopSlots([...this.slots].reverse());
    this.onEscalate(reason);
  }

  private async stopSlots(slots: Slot[]): Promise<void> {
    for (const slot of slots) {
      const running = slot.running;
      if (!running) {
        if (slot.state !== 'stopped') slot.state = 'stopped';
        continue;
      }
      slot.state = 'stopping';
      await running.stop();
      slot.running = undefined;
      slot.state = 'stopped';
      this.ctx.report({ type: 'child_stopped', supervisor: this.id, child: slot.spec.id });
    }
  }
}
