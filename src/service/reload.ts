/**
 * Configuration reloads (SIGHUP, `wharf reload`, POST /reload), one at a time, in order. The
 * file is read and validated whole first: an invalid one is refused with every problem (key
 * path and message) and the running topology stays as it is. A valid one is applied to the
 * running tree (apply-topology.ts): only the actors whose settings changed restart
 * (docs/reload.md). Sections no actor reads (log, metrics, startup, actors.drainMs, actors.root)
 * are listed as needing a restart of wharf; nothing restarts for them. Each outcome is logged
 * and counted (wharf_config_reloads_total, wharf_config_last_reload_*).
 */
import { dirname, resolve } from 'node:path';
import type { WharfConfig } from '../config/schema';
import { ConfigError, describeError } from '../errors';
import type { Logger } from '../log';
import { METRICS } from '../metrics/catalog';
import { counter, gauge } from '../metrics/process-registry';
import type { SupervisorSpec } from '../supervisors/spec';
import type { Supervisor } from '../supervisors/supervisor';
import { canonicalJson } from '../util/canonical-json';
import { applyTopology } from './apply-topology';
import { loadWharfConfig } from './load-config';
import { topologySpec } from './topology';
import type { TopologyChange } from './topology-diff';

export type ReloadOutcome =
  | ({ outcome: 'applied'; restartNeededFor: string[] } & TopologyChange)
  | { outcome: 'refused'; reasons: string[] };

/** Configuration keys a reload does not apply (read once at start), by their key path. */
const READ_AT_START: ReadonlyArray<{ path: string; of: (c: WharfConfig) => unknown }> = [
  { path: 'log', of: (c) => c.log },
  { path: 'metrics', of: (c) => c.metrics },
  { path: 'startup', of: (c) => c.startup },
  { path: 'actors.drainMs', of: (c) => c.actors.drainMs },
  { path: 'actors.root', of: (c) => c.actors.root },
];

export class ConfigReloader {
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly tree: Supervisor,
    private readonly configFile: string,
    private config: WharfConfig,
    private spec: SupervisorSpec,
    private readonly log: Logger,
  ) {
    counter(METRICS.configReloads).inc({ outcome: 'applied' }, 0);
    counter(METRICS.configReloads).inc({ outcome: 'refused' }, 0);
    gauge(METRICS.configLastReloadSuccessful).set(1);
  }

  /** Re-reads the configuration file and applies it, after any reload in flight. */
  reload(): Promise<ReloadOutcome> {
    const next = this.queue.then(() => this.reloadNow());
    this.queue = next.catch(() => undefined);
    return next;
  }

  /** Resolves when no reload is in flight (before a drain). */
  async idle(): Promise<void> {
    await this.queue;
  }

  private async reloadNow(): Promise<ReloadOutcome> {
    let config: WharfConfig;
    let spec: SupervisorSpec;
    try {
      config = loadWharfConfig(this.configFile);
      spec = topologySpec(config, dirname(resolve(this.configFile)));
    } catch (err) {
      const reasons = err instanceof ConfigError ? err.issues.map((i) => `${i.path || '(root)'}: ${i.message}`) : [describeError(err)];
      this.log.error({ config: this.configFile, reasons }, 'reload refused: the running topology stays as it is');
      return this.counted({ outcome: 'refused', reasons });
    }
    let change: TopologyChange;
    try {
      change = await applyTopology(this.tree, this.spec, spec);
    } catch (err) {
      // Part of it may be applied: the next reload compares against what runs now.
      this.spec = this.tree.currentSpec();
      const reasons = [`applying the configuration failed: ${describeError(err)}`];
      this.log.error({ config: this.configFile, reasons }, 'reload refused: applying it failed part way; reload again to retry');
      return this.counted({ outcome: 'refused', reasons });
    }
    const restartNeededFor = READ_AT_START.filter((key) => canonicalJson(key.of(this.config)) !== canonicalJson(key.of(config))).map((key) => key.path);
    this.spec = spec;
    this.config = config;
    this.log.info({ config: this.configFile, ...change, restartNeededFor }, 'reload applied');
    if (restartNeededFor.length > 0) this.log.warn({ keys: restartNeededFor }, 'changed settings that apply only when wharf restarts');
    return this.counted({ outcome: 'applied', restartNeededFor, ...change });
  }

  private counted(outcome: ReloadOutcome): ReloadOutcome {
    counter(METRICS.configReloads).inc({ outcome: outcome.outcome });
    gauge(METRICS.configLastReloadSuccessful).set(outcome.outcome === 'applied' ? 1 : 0);
    gauge(METRICS.configLastReloadTime).set({ outcome: outcome.outcome }, Date.now() / 1000);
    return outcome;
  }
}
