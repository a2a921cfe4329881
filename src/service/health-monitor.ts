/**
 * The servers wharf depends on (Kafka, ZooKeeper, every sink), as the service sees them: checked
 * by the health group's actor, published as `wharf_service_up`, waited for at boot (with the
 * serviceStartup policy, bounded by startup.waitForServicesMs), re-checked every
 * healthIntervalMs with one log line per change of state, and shared with readiness probes.
 * Readiness also names each source poller and partition consumer that is refused (its
 * credentials, a permission, a certificate): a failed check `source:<id>` or `consumer:<id>`
 * that no server check would show (a Kafka user may describe the cluster yet not write to the
 * records topic).
 */
import type { WharfConfig } from '../config/schema';
import { ChildUnavailableError, describeError, ServiceUnavailableError } from '../errors';
import type { CheckResult } from '../health/check';
import type { Logger } from '../log';
import { METRICS } from '../metrics/catalog';
import { gauge } from '../metrics/process-registry';
import { RETRY_POLICIES } from '../retry/policies';
import { retry } from '../retry/retry';
import type { Supervisor } from '../supervisors/supervisor';
import { CONSUMERS_GROUP, HEALTH_GROUP, POLLERS_GROUP } from './topology';

const FRESH_MS = 2000;
const PROBE_TIMEOUT_MS = 5000;

export class HealthMonitor {
  private timer?: NodeJS.Timeout;
  private readonly lastState = new Map<string, boolean>();
  private last?: { at: number; results: Promise<CheckResult[]> };

  constructor(
    private readonly tree: Supervisor,
    private readonly config: WharfConfig,
    private readonly log: Logger,
  ) {}

  async check(timeoutMs = 30_000): Promise<CheckResult[]> {
    const group = this.tree.child(HEALTH_GROUP);
    if (!group) throw new ChildUnavailableError(HEALTH_GROUP, 'not running');
    const results = (await group.call(`${HEALTH_GROUP}-1`, 'check', null, timeoutMs)) as CheckResult[];
    for (const r of results) gauge(METRICS.serviceUp).set({ service: r.service }, r.ok ? 1 : 0);
    return results;
  }

  /** Results at most a couple of seconds old, refused sources included; concurrent callers share one bounded check. */
  recent(): Promise<CheckResult[]> {
    if (!this.last || Date.now() - this.last.at > FRESH_MS) {
      const results = Promise.all([this.check(PROBE_TIMEOUT_MS), this.refusedActors()]).then(([servers, actors]) => [...servers, ...actors]);
      this.last = { at: Date.now(), results };
    }
    return this.last.results;
  }

  /** Each poller's and consumer's refusal, if it has one; an actor that does not answer now is left to the tree's own state. */
  private async refusedActors(): Promise<CheckResult[]> {
    const groups = [POLLERS_GROUP, CONSUMERS_GROUP].map((id) => this.tree.child(id)).filter((g) => g !== undefined);
    const calls = groups.flatMap((group) => group.childIds().map((id) => group.call(id, 'refused', null, PROBE_TIMEOUT_MS).catch(() => null)));
    const answers = await Promise.all(calls);
    return answers.filter((a): a is CheckResult => a !== null && typeof a === 'object');
  }

  /** Resolves once every server answered; throws when startup.waitForServicesMs passed first. */
  async waitUntilHealthy(signal?: AbortSignal): Promise<void> {
    const results = await retry(
      async () => {
        const checked = await this.check();
        const failing = checked.filter((r) => !r.ok);
        if (failing.length > 0) throw new ServiceUnavailableError(failing.map((r) => r.service).join(', '), failing.map((r) => r.detail).join('; '));
        return checked;
      },
      {
        what: 'waiting for Kafka, ZooKeeper and the sinks',
        policy: RETRY_POLICIES.serviceStartup,
        deadlineMs: this.config.startup.waitForServicesMs,
        signal,
        onRetry: ({ attempt, delayMs, error }) => this.log.warn({ attempt, retryInMs: delayMs, err: describeError(error) }, 'services not ready yet, retrying'),
      },
    );
    results.forEach((r) => this.lastState.set(r.service, true));
    this.log.info({ services: results.map(({ service, endpoint, detail }) => ({ service, endpoint, detail })) }, 'wharf healthy');
    this.timer = setInterval(() => void this.recheck(), this.config.startup.healthIntervalMs);
  }

  stop(): void {
    clearInterval(this.timer);
  }

  /** Logs every change of a server's health; running components do their own retrying. */
  private async recheck(): Promise<void> {
    const results = await this.check().catch((err: unknown) => {
      this.log.error({ err: describeError(err) }, 'health check failed to run');
      return [];
    });
    for (const r of results) {
      if (this.lastState.get(r.service) === r.ok) continue;
      this.lastState.set(r.service, r.ok);
      if (r.ok) this.log.info({ service: r.service, detail: r.detail }, 'service reachable again');
      else this.log.warn({ service: r.service, endpoint: r.endpoint, err: r.detail }, 'service unreachable');
    }
  }
}
