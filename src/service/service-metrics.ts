/**
 * The service's /metrics: every forked actor's registry collected and merged with the root's
 * (metrics/collector.ts), consumer lag measured from Kafka, and the live tree as gauges.
 */
import type { WharfConfig } from '../config/schema';
import { KafkaClient } from '../kafka/client';
import { ConsumerLagProbe } from '../kafka/consumer-lag';
import type { Logger } from '../log';
import { MetricsCollector, type MetricsSource } from '../metrics/collector';
import type { MetricSnapshot } from '../metrics/process-registry';
import type { RunningWorker } from '../supervisors/running-worker';
import type { Supervisor } from '../supervisors/supervisor';
import { publishActorStates } from './supervision-metrics';

export class ServiceMetrics {
  private readonly collector: MetricsCollector;
  private readonly lag: ConsumerLagProbe;

  constructor(
    private readonly tree: Supervisor,
    config: WharfConfig,
    log: Logger,
  ) {
    // In-memory actors share the root's registry; only forked ones are asked.
    this.collector = new MetricsCollector(() => tree.runningWorkers().filter((w) => w.pid !== undefined).map(metricsSourceOf));
    this.collector.start(config.metrics.collectIntervalMs);
    this.lag = new ConsumerLagProbe(new KafkaClient(config.kafka, log, 'lag'), config.kafka.topic, config.pipeline.consumers.groupId);
  }

  async render(): Promise<string> {
    await this.lag.refresh();
    publishActorStates(this.tree.describe());
    return this.collector.render();
  }

  async stop(): Promise<void> {
    this.collector.stop();
    await this.lag.close();
  }
}

/** A forked actor as a metrics source: it answers `__metrics` (actors/wharf-actor.ts). */
function metricsSourceOf(worker: RunningWorker): MetricsSource {
  return {
    id: worker.spec.id,
    alive: () => worker.alive,
    snapshot: async (timeoutMs) => (await worker.request('__metrics', null, timeoutMs)) as { incarnation: string; metrics: MetricSnapshot },
  };
}
