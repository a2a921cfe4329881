/** Kafka is usable when the cluster describes itself (brokers and controller). */
import { serviceCheck, type ServiceCheck } from '../health/check';
import type { Logger } from '../log';
import { KafkaClient, withAdmin } from './client';
import type { KafkaConfig } from './config';

export function kafkaCheck(config: KafkaConfig, log: Logger): ServiceCheck {
  const client = new KafkaClient(config, log, 'health');
  return serviceCheck('kafka', config.brokers.join(','), () =>
    withAdmin(
      client,
      async (admin) => {
        const cluster = await admin.describeCluster();
        return `${cluster.brokers.length} broker(s), controller ${cluster.controller ?? 'unknown'}`;
      },
      { retry: { retries: 1, initialRetryTime: 200 } },
    ),
  );
}
