/**
 * Checks that every server wharf depends on answers: Kafka, ZooKeeper and each sink.
 * Message `check` runs all checks concurrently and replies with one result per server.
 */
import type { WharfConfig } from '../config/schema';
import { getProcessLogger } from '../log';
import { runCheck, serviceChecks, type CheckResult, type ServiceCheck } from '../health/service-checks';

interface SelfActor {
  getCustomParameters(): { config: WharfConfig };
}

export default class ServiceHealthActor {
  private checks: ServiceCheck[] = [];

  initialize(selfActor: SelfActor): void {
    const { config } = selfActor.getCustomParameters();
    const log = getProcessLogger(config.log.level).child({ actor: 'service-health' });
    this.checks = serviceChecks(config, log);
  }

  async check(): Promise<CheckResult[]> {
    return Promise.all(this.checks.map(runCheck));
  }
}
