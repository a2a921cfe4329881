/**
 * Checks that every server wharf depends on answers: Kafka, ZooKeeper and each sink.
 * Message `check` runs all checks concurrently and replies with one result per server.
 * Settings: `{ config }`: the kafka, zookeeper and sinks sections of the configuration.
 */
import { runCheck, serviceChecks, type CheckedConfig, type CheckResult, type ServiceCheck } from '../health/service-checks';
import { WharfActor } from './wharf-actor';

export default class ServiceHealthActor extends WharfActor<{ config: CheckedConfig }> {
  private checks: ServiceCheck[] = [];

  protected override start({ config }: { config: CheckedConfig }): void {
    this.checks = serviceChecks(config, this.log);
  }

  async check(): Promise<CheckResult[]> {
    return Promise.all(this.checks.map(runCheck));
  }
}
