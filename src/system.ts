/**
 * wharf's assembly: configuration -> supervision tree -> running service, and its shutdown.
 *
 *   1. load and validate the whole configuration (nothing starts on an invalid file: exit 2);
 *   2. start the comedy actor system and the supervision tree built from `actors` in the config
 *      (src/supervisors/topology.ts): wharf's own health group first, then the operator's groups;
 *   3. wait, with backoff and a bound, until Kafka, ZooKeeper and every sink answer, logging each
 *      failed attempt; then log "wharf healthy" (or exit 1 so that systemd restarts wharf);
 *   4. run until a signal: SIGHUP reloads the configuration (only changed groups restart);
 *      SIGTERM/SIGINT drain: groups stop in reverse order (intake first), each child within its
 *      shutdown timeout, all within actors.drainMs, then exit 0. If the root supervisor gives up
 *      (restart intensity exceeded), wharf exits 1 and systemd restarts it.
 *
 * The pipeline actors (source pollers, Kafka producer, partition consumers, sink writers) arrive
 * as built-in actor kinds; see README "Architecture".
 */
import { dirname, resolve } from 'node:path';
import { loadConfigFile } from './config/load';
import type { WharfConfig } from './config/schema';
import { describeError, ServiceUnavailableError } from './errors';
import { canonicalJson } from './util/canonical-json';
import type { CheckResult } from './health/service-checks';
import { getProcessLogger, type Logger, type LogLevel } from './log';
import { retryWithBackoff } from './retry/retry';
import { createKafka } from './kafka/client';
import { OpsServer, type Readiness } from './service/ops-server';
import { METRICS } from './metrics/catalog';
import { MetricsCollector } from './metrics/collector';
import { ConsumerLagProbe } from './kafka/consumer-lag';
import { MetricsMerger } from './metrics/merge';
import { gauge, snapshotMetrics, startProcessMetrics } from './metrics/process-registry';
import { countSupervisionEvent, publishActorStates } from './service/supervision-metrics';
import { createActorSystem, type ActorSystem } from './supervisors/actor-system';
import { DEFAULT_BACKOFF } from './retry/backoff';
import { reportSupervisionEvent } from './supervisors/events';
import { Supervisor, type TreeNode } from './supervisors/supervisor';
import {
  diffGroups,
  groupSpec,
  groupWorkers,
  HEALTH_GROUP,
  systemGroupSpecs,
  topologySpec,
  type TopologyChange,
} from './service/topology';

const READY_CHECK_FRESH_MS = 2000;
const READY_CHECK_TIMEOUT_MS = 5000;

export class WharfSystem {
  private healthTimer?: NodeJS.Timeout;
  private readonly lastHealth = new Map<string, boolean>();
  private lastChecks?: { at: number; results: Promise<CheckResult[]> };
  private readonly collector: MetricsCollector;
  private readonly lag: ConsumerLagProbe;
  /** Resolves with a reason when the root supervisor gives up. */
  readonly escalated: Promise<string>;

  private constructor(
    private config: WharfConfig,
    private readonly configFile: string,
    private readonly log: Logger,
    private readonly actors: ActorSystem,
    private readonly tree: Supervisor,
  ) {
    this.escalated = new Promise((resolveEscalation) => (tree.onEscalate = resolveEscalation));
    this.collector = new MetricsCollector(() => tree.runningWorkers());
    this.collector.start(config.metrics.collectIntervalMs);
    this.lag = new ConsumerLagProbe(createKafka(config.kafka, log, `${config.kafka.clientId}-lag`), config.kafka.topic, config.pipeline.consumers.groupId);
  }

  static async start(config: WharfConfig, configFile: string, log: Logger, signal?: AbortSignal): Promise<WharfSystem> {
    const actors = createActorSystem({ logLevel: config.log.level });
    const root = await actors.rootActor();
    const tree = new Supervisor(topologySpec(config, dirname(resolve(configFile))), {
      parentActor: root,
      report: (event) => {
        reportSupervisionEvent(log.child({ component: 'supervision' }), event);
        countSupervisionEvent(event);
      },
    });
    const system = new WharfSystem(config, configFile, log, actors, tree);
    try {
      await tree.start();
      await system.waitUntilHealthy(signal);
      return system;
    } catch (err) {
      await system.stop();
      throw err;
    }
  }

  async checkServices(timeoutMs = 30_000): Promise<CheckResult[]> {
    const results = (await this.tree.child(HEALTH_GROUP)!.call(`${HEALTH_GROUP}-1`, 'check', null, timeoutMs)) as CheckResult[];
    for (const r of results) gauge(METRICS.serviceUp).set({ service: r.service }, r.ok ? 1 : 0);
    return results;
  }

  topology(): TreeNode {
    return this.tree.describe();
  }

  async metrics(): Promise<string> {
    await this.lag.refresh();
    publishActorStates(this.tree.describe());
    return this.collector.render();
  }

  /**
   * Ready = every actor of the tree is running and every server answered a check in the last
   * couple of seconds. Checks are shared by concurrent probes and bounded, so a probe answers
   * within seconds even when a server hangs.
   */
  async readiness(): Promise<Readiness> {
    const reasons: string[] = [];
    const visit = (node: TreeNode, path: string) => {
      const here = path ? `${path}/${node.id}` : node.id;
      if (node.state !== 'running') reasons.push(`actor ${here} is ${node.state}${node.lastError ? ` (last error: ${node.lastError})` : ''}`);
      node.children?.forEach((child) => visit(child, here));
    };
    visit(this.tree.describe(), '');
    if (!this.lastChecks || Date.now() - this.lastChecks.at > READY_CHECK_FRESH_MS) {
      this.lastChecks = { at: Date.now(), results: this.checkServices(READY_CHECK_TIMEOUT_MS) };
    }
    let services: CheckResult[] = [];
    try {
      services = await this.lastChecks.results;
    } catch (err) {
      reasons.push(`server checks did not complete: ${describeError(err)}`);
    }
    for (const r of services) if (!r.ok) reasons.push(`${r.service} at ${r.endpoint} unreachable: ${r.detail}`);
    return { ready: reasons.length === 0, reasons, services };
  }

  /**
   * Re-reads the configuration file. An invalid file changes nothing (the error is logged);
   * a valid one restarts only the groups whose spec changed, and scales groups whose count did.
   */
  async reload(): Promise<TopologyChange | undefined> {
    let next: WharfConfig;
    try {
      next = loadConfigFile(this.configFile);
    } catch (err) {
      this.log.error({ err: describeError(err) }, 'reload rejected: the running topology stays as it is');
      return undefined;
    }
    const configDir = dirname(resolve(this.configFile));
    const change = diffGroups(this.config.actors.groups, next.actors.groups);
    for (const id of change.removed) await this.tree.removeChild(id);
    for (const id of change.restarted) await this.tree.replaceChild(groupSpec(next.actors.groups.find((g) => g.id === id)!, configDir));
    for (const id of change.scaled) await this.scaleGroup(id, groupWorkers(next.actors.groups.find((g) => g.id === id)!, configDir));
    for (const id of change.added) await this.tree.addChild(groupSpec(next.actors.groups.find((g) => g.id === id)!, configDir));
    // wharf's own groups follow the rest of the file (sources, sinks, Kafka, ...).
    const before = new Map(systemGroupSpecs(this.config).map((g) => [g.id, canonicalJson(g)]));
    for (const spec of systemGroupSpecs(next)) {
      if (before.get(spec.id) !== canonicalJson(spec)) {
        await this.tree.replaceChild(spec);
        change.restarted.push(spec.id);
      }
    }
    this.config = next;
    this.log.info({ ...change }, 'reload applied');
    return change;
  }

  private async scaleGroup(id: string, workers: ReturnType<typeof groupWorkers>): Promise<void> {
    const group = this.tree.child(id)!;
    const wanted = new Set(workers.map((w) => w.id));
    for (const childId of group.childIds().reverse()) if (!wanted.has(childId)) await group.removeChild(childId);
    const present = new Set(group.childIds());
    for (const spec of workers) if (!present.has(spec.id)) await group.addChild(spec);
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

  /** Drains: groups stop in reverse start order, each child within its shutdown timeout. */
  async stop(): Promise<void> {
    clearInterval(this.healthTimer);
    this.collector.stop();
    await this.lag.close();
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
  const config = loadConfigFile(configFile);
  // Actor processes inherit the environment: this is how they get the level and secret keys.
  process.env.WHARF_LOG_LEVEL ??= config.log.level;
  process.env.WHARF_LOG_REDACT = config.log.redact.join(',');
  const log = getProcessLogger(process.env.WHARF_LOG_LEVEL as LogLevel);
  log.info(
    { config: configFile, sinks: config.sinks.map((s) => `${s.id} (${s.type})`), groups: config.actors.groups.map((g) => `${g.id} x${g.count}`) },
    'wharf starting',
  );

  startProcessMetrics('root');
  let system: WharfSystem | undefined;
  let ops: OpsServer;
  const startupMetrics = new MetricsMerger();
  try {
    ops = await OpsServer.listen(
      config.metrics.host,
      config.metrics.port,
      {
        metrics: async () => (system ? system.metrics() : startupMetrics.render(await snapshotMetrics())),
        readiness: async () => (system ? system.readiness() : { ready: false, reasons: ['starting: waiting for Kafka, ZooKeeper and the sinks'] }),
        topology: () => system?.topology() ?? { id: 'wharf', kind: 'supervisor', state: 'starting', restarts: 0 },
      },
      log,
    );
  } catch (err) {
    log.fatal({ host: config.metrics.host, port: config.metrics.port, err: describeError(err) }, 'cannot listen for metrics (config key "metrics"): is another wharf running?');
    return 1;
  }
  log.info({ url: ops.url, endpoints: ['/metrics', '/healthz', '/readyz', '/topology'] }, 'ops endpoints listening');
  try {
    return await superviseUntilStopped(config, configFile, log, (started) => (system = started));
  } finally {
    await ops.close();
  }
}

async function superviseUntilStopped(config: WharfConfig, configFile: string, log: Logger, onStarted: (system: WharfSystem) => void): Promise<number> {
  const stopping = new AbortController();
  const stopRequested = new Promise<string>((resolveStop) => {
    const onSignal = (name: string) => {
      stopping.abort();
      resolveStop(name);
    };
    process.once('SIGTERM', () => onSignal('SIGTERM'));
    process.once('SIGINT', () => onSignal('SIGINT'));
  });
  let system: WharfSystem | undefined;
  let reloading = Promise.resolve();
  process.on('SIGHUP', () => {
    log.info('SIGHUP received: reloading configuration');
    reloading = reloading.then(async () => void (await system?.reload()));
  });

  try {
    system = await WharfSystem.start(config, configFile, log, stopping.signal);
    onStarted(system);
  } catch (err) {
    if (stopping.signal.aborted) {
      log.info('stopped before services were ready');
      return 0;
    }
    log.fatal({ err: describeError(err) }, 'wharf could not start');
    return 1;
  }

  const outcome = await Promise.race([
    stopRequested.then((signal) => ({ signal })),
    system.escalated.then((reason) => ({ reason })),
  ]);
  const bound = setTimeout(() => {
    log.error({ drainMs: config.actors.drainMs }, 'drain took too long; exiting anyway');
    process.exit(1);
  }, config.actors.drainMs + 5000).unref();
  await reloading;
  if ('reason' in outcome) {
    log.fatal({ reason: outcome.reason }, 'supervision tree gave up; exiting so that the service manager restarts wharf');
    await system.stop();
    clearTimeout(bound);
    return 1;
  }
  log.info({ signal: outcome.signal }, 'wharf stopping');
  await system.stop();
  clearTimeout(bound);
  log.info('wharf stopped');
  return 0;
}
