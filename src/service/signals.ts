/**
 * The service's life under its manager's signals: SIGHUP reloads (one reload at a time, in
 * order); SIGTERM/SIGINT stop, waiting for a reload in flight first; the drain is bounded by
 * actors.drainMs (plus a margin), after which wharf exits 1 anyway rather than hang.
 */
import type { Logger } from '../log';

export interface StopReason {
  signal?: string;
  /** Set when the supervision tree gave up instead. */
  escalation?: string;
}

export class ServiceSignals {
  private readonly stopping = new AbortController();
  private reloading = Promise.resolve();
  private readonly stopRequested: Promise<string>;

  constructor(
    private readonly log: Logger,
    reload: () => Promise<void>,
  ) {
    this.stopRequested = new Promise((resolveStop) => {
      const onSignal = (name: string) => {
        this.stopping.abort();
        resolveStop(name);
      };
      process.once('SIGTERM', () => onSignal('SIGTERM'));
      process.once('SIGINT', () => onSignal('SIGINT'));
    });
    process.on('SIGHUP', () => {
      log.info('SIGHUP received: reloading configuration');
      this.reloading = this.reloading.then(reload);
    });
  }

  /** Aborts when a stop signal arrives (e.g. while waiting for the servers at boot). */
  get signal(): AbortSignal {
    return this.stopping.signal;
  }

  /** Resolves with why the service stops: a signal, or the tree's escalation. */
  untilStop(escalated: Promise<string>): Promise<StopReason> {
    return Promise.race([this.stopRequested.then((signal) => ({ signal })), escalated.then((escalation) => ({ escalation }))]);
  }

  /** Lets a reload in flight finish, then runs the drain; exits 1 if both take longer than drainMs plus a margin. */
  async drain(drainMs: number, stop: () => Promise<void>): Promise<void> {
    const bound = setTimeout(() => {
      this.log.error({ drainMs }, 'drain took too long; exiting anyway');
      process.exit(1);
    }, drainMs + 5000).unref();
    try {
      await this.reloading;
      await stop();
    } finally {
      clearTimeout(bound);
    }
  }
}
