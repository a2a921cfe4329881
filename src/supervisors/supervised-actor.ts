/**
 * The base of every supervised actor, run inside comedy (in the parent process or a forked
 * child). It speaks the supervision protocol:
 *   - `__start(settings)`: the actor's own start(); if it throws, the supervisor kills the
 *     process and counts a failed start (comedy's own initialize() is kept trivial, because a
 *     failing initialize leaves comedy half-created and unkillable);
 *   - `__heartbeat()`: answered by the event loop, so a hung child stops answering;
 *   - comedy's destroy(): the actor's stop(), which finishes in-flight work.
 * A forked child exits as soon as its parent's IPC channel closes (parent SIGKILLed), instead of
 * waiting for comedy's ping timeout, and ignores SIGTERM/SIGINT sent to the whole service: its
 * supervisor stops it, in order, after the work in flight. An error nothing caught is logged and
 * ends the child (uncaught-errors.ts), which its supervisor restarts.
 */
import { describeError } from '../errors';
import { getProcessLogger, type Logger } from '../log';
import { exitOnUncaughtErrors } from './uncaught-errors';

interface SelfActor {
  getCustomParameters(): { id?: string; logLevel?: string; restarts?: number } | undefined;
  getMode(): string;
}

export abstract class SupervisedActor<Settings = Record<string, unknown>> {
  protected id = 'actor';
  protected log: Logger = getProcessLogger();
  protected settings!: Settings;
  /** Whether this actor runs in a process of its own. */
  protected forked = false;
  /** How many times its supervisor restarted this child before this start (0: its first start). */
  protected restarts = 0;

  initialize(selfActor: SelfActor): void {
    const params = selfActor.getCustomParameters() ?? {};
    this.id = params.id ?? this.id;
    this.restarts = params.restarts ?? 0;
    this.log = getProcessLogger().child({ actor: this.id });
    this.forked = selfActor.getMode() === 'forked' && process.send !== undefined;
    if (this.forked) {
      exitOnUncaughtErrors(this.log, 'its supervisor');
      process.once('disconnect', () => process.exit(0));
      // systemd signals every process of the service, and Ctrl-C the whole process group; the
      // parent decides when a child stops (comedy's own handlers would exit at once, mid-work).
      for (const signal of ['SIGTERM', 'SIGINT'] as const) {
        process.removeAllListeners(signal);
        process.on(signal, () => this.log.debug({ signal }, 'signal ignored: the supervisor stops this actor'));
      }
    }
  }

  async __start(settings: Settings): Promise<{ pid: number }> {
    this.settings = settings;
    await this.start(settings);
    return { pid: process.pid };
  }

  __heartbeat(): { pid: number; at: number } {
    return { pid: process.pid, at: Date.now() };
  }

  async destroy(): Promise<void> {
    // Never rejects: comedy's forked worker calls this without a catch, and an unhandled
    // rejection ends the process (uncaught-errors.ts) while its supervisor is stopping it.
    try {
      await this.stop();
    } catch (err) {
      this.log.error({ err: describeError(err) }, 'stop failed; the actor stops anyway');
    }
  }

  /** Acquire resources and begin work. Throwing here is a failed start. */
  protected start(_settings: Settings): Promise<void> | void {}

  /** Finish in-flight work and release resources, within the child's shutdown timeout. */
  protected stop(): Promise<void> | void {}
}
