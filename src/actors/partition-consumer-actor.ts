/**
 * A partition consumer: one member of the sinks' Kafka consumer group. Each batch of a
 * partition goes through the one delivery path (pipeline/delivery.ts): written to every sink,
 * refused records dead-lettered, and only then committed. While a sink is unavailable the
 * partition's batch waits and retries (Kafka holds the backlog); on a rebalance or stop
 * mid-batch the batch is given up uncommitted, so whoever gets the partition next starts from
 * the last acknowledged offset.
 *
 * A consumer restarted by its supervisor replaced one that died, most often without leaving its
 * group (a crash, a SIGKILL). It joins only once the dead member's session has expired: joining
 * at once would start a rebalance that pauses every partition of every member until that
 * expiry (the eager assigner), and joining just after it would make a second one. Waiting, the
 * other members go on consuming their partitions until the expiry, then pause only for two
 * short rebalances (the expiry's, then this join's). The dead member's partitions wait for the
 * expiry either way. `consumers.restartJoinDelayMs` sets the wait.
 *
 * Settings: `{ kafka, sinks, consumers }` (sections of the wharf configuration).
 */
import type { PipelineConfig } from '../config/service-schema';
import { KafkaClient } from '../kafka/client';
import type { KafkaConfig } from '../kafka/config';
import { RecordConsumer } from '../kafka/record-consumer';
import { RecordProducer } from '../kafka/record-producer';
import { ensureWharfTopics } from '../kafka/topics';
import { publishDeadLetters } from '../pipeline/dead-letters';
import { Delivery } from '../pipeline/delivery';
import { createSinkWriter, type SinkConfig } from '../sinks/registry';
import { WharfActor } from './wharf-actor';

/** Past the dead member's session timeout: the broker checks expiry on its own clock, not ours. */
const JOIN_MARGIN_MS = 1000;

interface ConsumerSettings {
  kafka: KafkaConfig;
  sinks: SinkConfig[];
  consumers: Omit<PipelineConfig['consumers'], 'count'>;
}

export default class PartitionConsumerActor extends WharfActor<ConsumerSettings> {
  private consumer?: RecordConsumer;
  private dlq?: RecordProducer;
  private delivery?: Delivery;

  protected override async start({ kafka, sinks, consumers }: ConsumerSettings): Promise<void> {
    const client = new KafkaClient(kafka, this.log, this.id);
    await ensureWharfTopics(client);
    this.dlq = new RecordProducer(client);
    await this.dlq.connect();
    this.delivery = new Delivery({
      topic: kafka.topic,
      sinks: sinks.map(createSinkWriter),
      publishDeadLetters: (letters) => publishDeadLetters(this.dlq!, kafka.dlqTopic, letters),
      retry: consumers.retry,
      log: this.log,
    });
    this.consumer = new RecordConsumer(client, {
      groupId: consumers.groupId,
      topic: kafka.topic,
      partitionsConcurrently: Math.max(1, Math.min(kafka.partitions, 4)),
      sessionTimeoutMs: consumers.sessionTimeoutMs,
      heartbeatIntervalMs: consumers.heartbeatIntervalMs,
      joinDelayMs: this.restarts > 0 ? (consumers.restartJoinDelayMs ?? consumers.sessionTimeoutMs + JOIN_MARGIN_MS) : 0,
      onFatal: (err) => this.fatal(err, 'the Kafka consumer stopped for good'),
    });
    await this.consumer.start(async (batch) => {
      const outcome = await this.delivery!.deliver(batch);
      return outcome.delivered ? batch.messages[batch.messages.length - 1].offset : null;
    });
  }

  protected override async stop(): Promise<void> {
    const stopped = await this.consumer?.stop();
    if (stopped && !stopped.left) this.log.warn({ groupId: this.settings.consumers.groupId }, 'consumer did not leave its group in time (a rebalance in flight); the broker expires it after the session timeout');
    await this.dlq?.disconnect();
    await this.delivery?.close();
  }
}
