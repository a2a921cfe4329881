/** Kafka is usable when the cluster describes itself (brokers and controller) to wharf's principal. */
import { describeError, ServiceUnavailableError, tlsRefusal } from '../errors';
import { serviceCheck, type ServiceCheck } from '../health/check';
import type { Logger } from '../log';
import { KafkaClient, withAdmin } from './client';
import type { KafkaConfig } from './config';
import { kafkaRefusal } from './kafka-errors';

export function kafkaCheck(config: KafkaConfig, log: Logger): ServiceCheck {
  const client = new KafkaClient(config, log, 'health');
  return serviceCheck('kafka', config.brokers.join(','), async () => {
    try {
      return await withAdmin(
        client,
        async (admin) => {
          const cluster = await admin.describeCluster();
          return `${cluster.brokers.length} broker(s), controller ${cluster.controller ?? 'unknown'}`;
        },
        { retry: { retries: 1, initialRetryTime: 200 } },
      );
    } catch (err) {
      throw new ServiceUnavailableError('kafka', kafkaRefusal(err) ?? tlsRefusal(err) ?? describeError(err), err);
    }
  });
}
