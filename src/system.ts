/**
 * wharf's assembly: configuration -> actor system -> running service, and its shutdown.
 *
 *   1. load and validate the whole configuration (nothing starts on an invalid file: exit 2);
 *   2. start the comedy actor system (src/supervisors) with wharf's own signal handling;
 *   3. wait, with backoff and a bound, until Kafka, ZooKeeper and every sink answer, logging each
 *      failed attempt; then log "wharf healthy" (or exit 1 so that systemd restarts wharf);
 *   4. keep checking the servers and log every change, until SIGTERM/SIGINT stop it (exit 0).
 *
 * The pipeline actors (source pollers, Kafka producer, partition consumers, sink writers) and
 * their supervision tree are assembled here as they land; see README "Architecture".
 */
import type { WharfConfig } from './config/schema';
import { loadConfigFile } from './config/load';
import { describeError, ServiceUnavailableError } from './errors';
import type { CheckResult } from './health/service-checks';
import { getProcessLogger, type Logger, type LogLevel } from './log';
import { retryWithBackoff } from './retry';
import { createActorSystem, type ActorRef, type ActorSystem } from './supervisors/actor-system';
import { DEFAULT_BACKOFF } from './supervisors/backoff';
import ServiceHealthActor from './actors/service-health-actor';

/** How long a stop may take before wharf exits anyway. */
const STOP_BOUND_MS = 20_000;

export class WharfSystem {
  private healthTimer?: NodeJS.Timeout;
  private lastHealth = new Map<string, boolean>();

  private constructor(
    readonly config: WharfConfig,
    private readonly log: Logger,
    private readonly actors: ActorSystem,
    private readonly health: ActorRef,
  ) {}

  static async start(config: WharfConfig, log: Logger, signal?: AbortSignal): Promise<WharfSystem> {
    const actors = createActorSystem({ logLevel: config.log.level });
    try {
      const root = await actors.rootActor();
      const health = await root.createChild(ServiceHealthActor, { mode: 'in-memory', customParameters: { config } });
      const system = new WharfSystem(config, log, actors, health);
      await system.waitUntilHealthy(signal);
      return system;
    } catch (err) {
      await actors.destroy().catch(() => undefined);
      throw err;
    }
  }

  async checkServices(): Promise<CheckResult[]> {
    return (await this.health.sendAndReceive('check')) as CheckResult[];
  }

  private async waitUntilHealthy(signal?: AbortSignal): Promise<void> {
    const results = await retryWithBackoff(
      async () => {
        const checked = await this.checkServices();
        const failing = checked.filter((r) => !r.ok);
        if (failing.length > 0) {
          throw new ServiceUnavailableError(failing.map((r) => r.service).join(', '), failing.map((r) => r.detail).join('; '));
        }
        return checked;
      },
      {
        what: 'waiting for Kafka, ZooKeeper and the sinks',
        policy: { ...DEFAULT_BACKOFF, minMs: 500, maxMs: 10_000 },
        deadlineMs: this.config.startup.waitForServicesMs,
        signal,
        onRetry: ({ attempt, delayMs, error }) =>
          this.log.warn({ attempt, retryInMs: delayMs, err: describeError(error) }, 'services not ready yet, retrying'),
      },
    );
    results.forEach((r) => this.lastHealth.set(r.service, true));
    this.log.info({ services: results.map(({ service, endpoint, detail }) => ({ service, endpoint, detail })) }, 'wharf healthy');
    this.healthTimer = setInterval(() => void this.recheck(), this.config.startup.healthIntervalMs);
  }

  /** Logs every change of a server's health; running components do their own retrying. */
  private async recheck(): Promise<void> {
    const results = await this.checkServices().catch((err: unknown) => {
      this.log.error({ err: describeError(err) }, 'health check failed to run');
      return [];
    });
    for (const r of results) {
      if (this.lastHealth.get(r.service) === r.ok) continue;
      this.lastHealth.set(r.service, r.ok);
      if (r.ok) this.log.info({ service: r.service, detail: r.detail }, 'service reachable again');
      else this.log.warn({ service: r.service, endpoint: r.endpoint, err: r.detail }, 'service unreachable');
    }
  }

  async stop(): Promise<void> {
    clearInterval(this.healthTimer);
    await this.actors.destroy();
  }
}

/**
 * Runs wharf until SIGTERM/SIGINT. Resolves with the process exit code: 0 after a clean stop,
 * 1 when the servers never became reachable, 2 when the configuration is invalid.
 */
export async function runWharf(configFile: string): Promise<number> {
  const config = loadConfigFile(configFile);
  const log = getProcessLogger((process.env.WHARF_LOG_LEVEL as LogLevel | undefined) ?? config.log.level);
  log.info({ config: configFile, sinks: config.sinks.map((s) => `${s.id} (${s.type})`) }, 'wharf starting');

  const stopping = new AbortController();
  const stopRequested = new Promise<string>((resolve) => {
    const onSignal = (name: string) => {
      stopping.abort();
      resolve(name);
    };
    process.once('SIGTERM', () => onSignal('SIGTERM'));
    process.once('SIGINT', () => onSignal('SIGINT'));
  });
  process.on('SIGHUP', () => log.warn('SIGHUP received: hot reload arrives with the supervision tree; configuration unchanged'));

  let system: WharfSystem;
  try {
    system = await WharfSystem.start(config, log, stopping.signal);
  } catch (err) {
    if (stopping.signal.aborted) {
      log.info('stopped before services were ready');
      return 0;
    }
    log.fatal({ err: describeError(err) }, 'wharf could not start');
    return 1;
  }

  const signal = await stopRequested;
  log.info({ signal }, 'wharf stopping');
  const bound = setTimeout(() => {
    log.error({ boundMs: STOP_BOUND_MS }, 'stop took too long; exiting anyway');
    process.exit(1);
  }, STOP_BOUND_MS).unref();
  await system.stop();
  clearTimeout(bound);
  log.info('wharf stopped');
  return 0;
}
