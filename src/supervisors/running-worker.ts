/**
 * One running instance of a worker child spec: a comedy actor, in memory or in a forked process,
 * with what comedy lacks added around it:
 *   - exit detection within milliseconds, from the child process's own 'exit' event (comedy
 *     only notices through a 5 s ping) and classified as normal / crash / killed / hung;
 *   - a heartbeat that kills a child whose event loop stopped answering;
 *   - a bounded stop: comedy's destroy(), then SIGKILL after the shutdown timeout;
 *   - requests with a timeout, rejected with retriable typed errors.
 * A WharfActor's own start() runs after comedy created the actor (see wharf-actor.ts).
 */
import type { ChildProcess } from 'node:child_process';
import { ActorRequestError, ActorStartError, describeError } from '../errors';
import { withTimeout } from '../retry/timeout';
import type { ActorRef } from './actor-system';
import type { ExitKind } from './decider';
import { forkingWith } from './fork-flags';
import type { WorkerSpec } from './spec';

/** comedy internals used here and nowhere else: the forked actor's parent-side object. */
interface ComedyForkedParent {
  workerProcess?: ChildProcess;
  exitHandler?: () => void;
  /** comedy clears this 1 s response-timeout interval only on a clean destroy. */
  timeoutWorkerInterval?: NodeJS.Timeout;
  emit(event: 'destroyed'): void;
}

interface ParentActor {
  createChild(definition: string, options: object): Promise<ActorRef>;
}

export type ExitListener = (exit: ExitKind, detail: string) => void;

const START_TIMEOUT_MS = 30_000;

export class RunningWorker {
  /** The forked child's process id (undefined in memory). */
  pid: number | undefined;
  private stopping = false;
  private exited = false;
  private killReason: ExitKind | undefined;
  private heartbeatTimer?: NodeJS.Timeout;
  private readonly exitWaiters: Array<() => void> = [];
  onExit: ExitListener = () => undefined;

  private constructor(
    readonly spec: WorkerSpec,
    private readonly ref: ActorRef,
    private readonly child: ComedyForkedParent | undefined,
  ) {}

  /** `restarts`: how many times the supervisor restarted this child before (the actor may act on it, see SupervisedActor). */
  static async start(parent: ParentActor, spec: WorkerSpec, restarts = 0): Promise<RunningWorker> {
    let ref: ActorRef;
    try {
      const create = () => parent.createChild(`/${spec.module}`, { mode: spec.mode, customParameters: { id: spec.id, restarts } });
      ref = await (spec.mode === 'forked' ? forkingWith(spec.heap, create) : create());
    } catch (err) {
      throw new ActorStartError(spec.id, `comedy could not create it: ${describeError(err)}`, err);
    }
    const inner = (ref as unknown as { actor?: ComedyForkedParent }).actor;
    const running = new RunningWorker(spec, ref, spec.mode === 'forked' ? inner : undefined);
    running.watchProcess();
    try {
      const started = (await running.request('__start', spec.settings, START_TIMEOUT_MS)) as { pid: number };
      // An in-memory actor shares this process; only a forked one has a pid of its own.
      if (running.child) running.pid = started.pid;
    } catch (err) {
      running.kill('start-failed');
      await running.exitedPromise();
      throw new ActorStartError(spec.id, describeError(err), err);
    }
    running.startHeartbeat();
    return running;
  }

  get alive(): boolean {
    return !this.exited && !this.stopping;
  }

  async request(topic: string, payload: unknown, timeoutMs: number): Promise<unknown> {
    try {
      return await withTimeout(this.ref.sendAndReceive(topic, payload), timeoutMs, () => new ActorRequestError(this.spec.id, topic, `no answer within ${timeoutMs} ms`));
    } catch (err) {
      if (err instanceof ActorRequestError) throw err;
      const reason = this.exited ? 'the actor process exited' : describeError(err);
      throw new ActorRequestError(this.spec.id, topic, reason, err);
    }
  }

  /** Stops the actor: its stop() within the shutdown timeout, else SIGKILL. */
  async stop(): Promise<void> {
    if (this.stopping || this.exited) return this.exitedPromise();
    this.stopping = true;
    clearInterval(this.heartbeatTimer);
    const destroyed = await withTimeout(this.ref.destroy(), this.spec.shutdownMs, () => new Error('shutdown timeout')).then(
      () => true,
      () => false,
    );
    if (!destroyed) this.kill('killed');
    if (!this.child) this.markExited();
    await this.exitedPromise();
  }

  /** SIGKILLs a forked child; its exit is then reported with `reason`. */
  kill(reason: ExitKind): void {
    this.killReason ??= reason;
    const processHandle = this.child?.workerProcess;
    if (processHandle?.pid && processHandle.exitCode === null && processHandle.signalCode === null) {
      processHandle.kill('SIGKILL');
    } else if (!this.child) {
      this.markExited();
    }
  }

  exitedPromise(): Promise<void> {
    if (this.exited) return Promise.resolve();
    return new Promise((resolve) => this.exitWaiters.push(resolve));
  }

  private watchProcess(): void {
    const processHandle = this.child?.workerProcess;
    if (!processHandle) return;
    processHandle.once('exit', (code, signal) => {
      const exit: ExitKind = this.killReason ?? (signal ? 'killed' : code === 0 ? 'normal' : 'crash');
      const wasStopping = this.stopping;
      this.markExited();
      // Drop comedy's bookkeeping of the dead child, so its later destroy() does not trip over it
      // and no timer or listener of it outlives it (a long-running wharf restarts children often).
      if (this.child?.exitHandler) process.removeListener('exit', this.child.exitHandler);
      clearInterval(this.child?.timeoutWorkerInterval);
      this.child?.emit('destroyed');
      if (!wasStopping) this.onExit(exit, signal ? `signal ${signal}` : `exit code ${code}`);
    });
  }

  private startHeartbeat(): void {
    if (!this.child) return;
    const { intervalMs, timeoutMs } = this.spec.heartbeat;
    let lastAnswer = Date.now();
    let inFlight = false;
    this.heartbeatTimer = setInterval(() => {
      if (!this.alive) return;
      if (Date.now() - lastAnswer > timeoutMs) {
        clearInterval(this.heartbeatTimer);
        this.kill('hung');
        return;
      }
      if (inFlight) return;
      inFlight = true;
      this.ref.sendAndReceive('__heartbeat').then(
        () => {
          lastAnswer = Date.now();
          inFlight = false;
        },
        () => (inFlight = false),
      );
    }, Math.min(intervalMs, timeoutMs / 2));
  }

  private markExited(): void {
    if (this.exited) return;
    this.exited = true;
    clearInterval(this.heartbeatTimer);
    this.exitWaiters.splice(0).forEach((wake) => wake());
  }
}
