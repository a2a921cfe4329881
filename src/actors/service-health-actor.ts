/**
 * Checks that every server wharf depends on answers: Kafka, ZooKeeper and each sink (each
 * check is defined by its component: kafka/health.ts, coordination/health.ts, the sink types).
 * Message `check` runs all checks concurrently and replies with one result per server.
 * Settings: `{ config }`: the kafka, zookeeper and sinks sections of the configuration.
 */
import type { WharfConfig } from '../config/schema';
import { zookeeperCheck } from '../coordination/health';
import { runCheck, type CheckResult, type ServiceCheck } from '../health/check';
import { kafkaCheck } from '../kafka/health';
import { sinkHealthCheck } from '../sinks/registry';
import { WharfActor } from './wharf-actor';

export type CheckedConfig = Pick<WharfConfig, 'kafka' | 'zookeeper' | 'sinks'>;

export default class ServiceHealthActor extends WharfActor<{ config: CheckedConfig }> {
  private checks: ServiceCheck[] = [];

  protected override start({ config }: { config: CheckedConfig }): void {
    this.checks = [kafkaCheck(config.kafka, this.log), zookeeperCheck(config.zookeeper), ...config.sinks.map(sinkHealthCheck)];
  }

  async check(): Promise<CheckResult[]> {
    return Promise.all(this.checks.map(runCheck));
  }
}
