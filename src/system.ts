/**
 * wharf's assembly: configuration -> supervision tree -> running service, and its shutdown.
 *
 *   1. load and validate the whole configuration (nothing starts on an invalid file: exit 2);
 *   2. start the comedy actor system and the supervision tree built from the configuration
 *      (service/topology.ts): wharf's own health group first, then the pipeline, then the
 *      operator's groups;
 *   3. wait, with backoff and a bound, until Kafka, ZooKeeper and every sink answer
 *      (service/health-monitor.ts); then log "wharf healthy" (or exit 1 so that systemd
 *      restarts wharf);
 *   4. run until a signal (service/signals.ts): SIGHUP (or POST /reload) reloads the
 *      configuration (only the actors whose settings changed restart, service/reload.ts);
 *      SIGTERM/SIGINT drain: groups stop in reverse order
 *      (intake first), each child within its shutdown timeout, all within actors.drainMs, then
 *      exit 0. If the root supervisor gives up (restart intensity exceeded), wharf exits 1 and
 *      systemd restarts it.
 *
 * Where every piece lives: docs/architecture.md.
 */
import { dirname, resolve } from 'node:path';
import { buildInfo } from './build-info';
import type { WharfConfig } from './config/schema';
import { describeError } from './errors';
import { getProcessLogger, type Logger, type LogLevel } from './log';
import { METRICS } from './metrics/catalog';
import { MetricsMerger } from './metrics/merge';
import { gauge, snapshotMetrics, startProcessMetrics } from './metrics/process-registry';
import { HealthMonitor } from './service/health-monitor';
import { loadWharfConfig } from './service/load-config';
import { OpsServer, type Readiness } from './service/ops-server';
import { readiness } from './service/readiness';
import { ConfigReloader, type ReloadOutcome } from './service/reload';
import { ServiceMetrics } from './service/service-metrics';
import { ServiceSignals } from './service/signals';
import { countSupervisionEvent } from './service/supervision-metrics';
import { topologySpec } from './service/topology';
import { createActorSystem, type ActorSystem } from './supervisors/actor-system';
import { reportSupervisionEvent } from './supervisors/events';
import type { SupervisorSpec } from './supervisors/spec';
import { Supervisor, type TreeNode } from './supervisors/supervisor';
import { exitOnUncaughtErrors } from './supervisors/uncaught-errors';

export class WharfSystem {
  readonly health: HealthMonitor;
  private readonly metrics: ServiceMetrics;
  private readonly reloader: ConfigReloader;
  /** Resolves with a reason when the root supervisor gives up. */
  readonly escalated: Promise<string>;

  private constructor(
    spec: SupervisorSpec,
    configFile: string,
    private readonly log: Logger,
    private readonly actors: ActorSystem,
    private readonly tree: Supervisor,
    config: WharfConfig,
  ) {
    this.escalated = new Promise((resolveEscalation) => (tree.onEscalate = resolveEscalation));
    this.health = new HealthMonitor(tree, config, log);
    this.metrics = new ServiceMetrics(tree, config, log);
    this.reloader = new ConfigReloader(tree, configFile, config, spec, log.child({ component: 'reload' }));
  }

  /** `booting` gets the system once its tree runs, before the servers answered: readiness can then say why not. */
  static async start(config: WharfConfig, configFile: string, log: Logger, signal?: AbortSignal, booting?: (system: WharfSystem) => void): Promise<WharfSystem> {
    const actors = createActorSystem({ logLevel: config.log.level });
    const spec = topologySpec(config, dirname(resolve(configFile)));
    const tree = new Supervisor(spec, {
      parentActor: await actors.rootActor(),
      report: (event) => {
        reportSupervisionEvent(log.child({ component: 'supervision' }), event);
        countSupervisionEvent(event);
      },
    });
    const system = new WharfSystem(spec, configFile, log, actors, tree, config);
    try {
      await tree.start();
      booting?.(system);
      await system.health.waitUntilHealthy(signal);
      return system;
    } catch (err) {
      await system.stop();
      throw err;
    }
  }

  topology(): TreeNode {
    return this.tree.describe();
  }

  renderMetrics(): Promise<string> {
    return this.metrics.render();
  }

  readiness(): Promise<Readiness> {
    return readiness(this.tree.describe(), this.health.recent());
  }

  /** Re-reads the configuration file: an invalid file is refused and changes nothing; only what changed restarts. */
  reload(): Promise<ReloadOutcome> {
    return this.reloader.reload();
  }

  /** Drains: groups stop in reverse start order, each child within its shutdown timeout. */
  async stop(): Promise<void> {
    await this.reloader.idle();
    this.health.stop();
    await this.metrics.stop();
    await this.tree.stop();
    await this.actors.destroy().catch((err: unknown) => this.log.warn({ err: describeError(err) }, 'actor system stop reported an error'));
  }
}

/**
 * Runs wharf until a signal. Resolves with the process exit code: 0 after a clean stop, 1 when
 * the servers never became reachable or the supervision tree gave up, 2 for an invalid
 * configuration (thrown as ConfigError).
 */
export async function runWharf(configFile: string): Promise<number> {
  const config = loadWharfConfig(configFile);
  // Actor processes inherit the environment: this is how they get the level and secret keys.
  process.env.WHARF_LOG_LEVEL ??= config.log.level;
  process.env.WHARF_LOG_REDACT = config.log.redact.join(',');
  const log = getProcessLogger(process.env.WHARF_LOG_LEVEL as LogLevel);
  exitOnUncaughtErrors(log, 'the service manager');
  const info = buildInfo();
  log.info(
    { version: info.version, commit: info.commit, config: configFile, sinks: config.sinks.map((s) => `${s.id} (${s.type})`), groups: config.actors.groups.map((g) => `${g.id} x${g.count}`) },
    'wharf starting',
  );
  startProcessMetrics('root');
  gauge(METRICS.buildInfo).set({ version: info.version, commit: info.commit, node: info.node }, 1);
  let system: WharfSystem | undefined;
  let booting: WharfSystem | undefined;
  const startupMetrics = new MetricsMerger();
  let ops: OpsServer;
  try {
    ops = await OpsServer.listen(config.metrics.host, config.metrics.port, {
      metrics: async () => (system ? system.renderMetrics() : startupMetrics.render(await snapshotMetrics())),
      readiness: async () => system?.readiness() ?? startingReadiness(booting),
      topology: () => system?.topology() ?? { id: 'wharf', kind: 'supervisor', state: 'starting', restarts: 0 },
      reload: async () => system?.reload(),
    }, log, config.metrics.token);
  } catch (err) {
    log.fatal({ host: config.metrics.host, port: config.metrics.port, err: describeError(err) }, 'cannot listen for metrics (config key "metrics"): is another wharf running?');
    return 1;
  }
  log.info({ url: ops.url, endpoints: ['/metrics', '/healthz', '/readyz', '/topology', 'POST /reload'] }, 'ops endpoints listening');
  const signals = new ServiceSignals(log, async () => void (await system?.reload()));
  try {
    try {
      system = await WharfSystem.start(config, configFile, log, signals.signal, (started) => (booting = started));
    } catch (err) {
      if (signals.signal.aborted) {
        log.info('stopped before services were ready');
        return 0;
      }
      log.fatal({ err: describeError(err) }, 'wharf could not start');
      return 1;
    }
    const reason = await signals.untilStop(system.escalated);
    if (reason.escalation) log.fatal({ reason: reason.escalation }, 'supervision tree gave up; exiting so that the service manager restarts wharf');
    else log.info({ signal: reason.signal }, 'wharf stopping');
    await signals.drain(config.actors.drainMs, () => system!.stop());
    if (reason.escalation) return 1;
    log.info('wharf stopped');
    return 0;
  } finally {
    await ops.close();
  }
}

/** Not ready while booting, with the reasons of the servers that do not answer yet (credentials refused, ...). */
async function startingReadiness(booting: WharfSystem | undefined): Promise<Readiness> {
  const reasons = (await booting?.readiness().catch(() => undefined))?.reasons ?? [];
  return { ready: false, reasons: ['starting: waiting for Kafka, ZooKeeper and the sinks', ...reasons] };
}
