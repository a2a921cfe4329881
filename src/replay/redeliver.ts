/**
 * `wharf replay --from <time>`: re-delivers what Kafka still holds from a point in time to the
 * sinks again (after a sink lost data, or an index was rebuilt). It reads through a consumer
 * group of its own, `<groupId>-replay-<sink|all>`, whose offsets are first moved to the first
 * record written at or after that time, and every batch goes through the pipeline's one
 * delivery path (pipeline/delivery.ts): same writers, same ids, same dead letters, same retry
 * policy, bounded here by `sinkDeadlineMs`. Progress is committed per batch, so a new run
 * continues; the running wharf (its own group, its own offsets) goes on undisturbed.
 */
import type { PipelineConfig } from '../config/service-schema';
import type { KafkaClient } from '../kafka/client';
import { readRanges, type PartitionRange } from '../kafka/range-reader';
import type { RecordProducer } from '../kafka/record-producer';
import type { Logger } from '../log';
import { publishDeadLetters } from '../pipeline/dead-letters';
import { Delivery } from '../pipeline/delivery';
import { createSinkWriter, type SinkConfig } from '../sinks/registry';

export const redeliveryGroupId = (consumerGroupId: string, sink?: string) => `${consumerGroupId}-replay-${sink ?? 'all'}`;

export interface RedeliveryOutcome {
  written: Record<string, number>;
  /** Records a sink already held a newer or the same version of (a replay of what it has). */
  stale: Record<string, number>;
  deadLettered: number;
}

export async function redeliver(options: {
  client: KafkaClient;
  producer: RecordProducer;
  sinks: SinkConfig[];
  consumers: Pick<PipelineConfig['consumers'], 'retry'>;
  groupId: string;
  ranges: PartitionRange[];
  log: Logger;
  sinkDeadlineMs: number;
  onProgress: (count: number) => void;
}): Promise<RedeliveryOutcome> {
  const { config } = options.client;
  const delivery = new Delivery({
    topic: config.topic,
    sinks: options.sinks.map(createSinkWriter),
    publishDeadLetters: (letters) => publishDeadLetters(options.producer, config.dlqTopic, letters),
    retry: options.consumers.retry,
    deadlineMs: options.sinkDeadlineMs,
    log: options.log,
  });
  const zero = () => Object.fromEntries(options.sinks.map((s) => [s.id, 0]));
  const outcome: RedeliveryOutcome = { written: zero(), stale: zero(), deadLettered: 0 };
  try {
    await readRanges(options.client, {
      topic: config.topic,
      groupId: options.groupId,
      ranges: options.ranges,
      onBatch: async (partition, messages, signal) => {
        const delivered = await delivery.deliver({ partition, messages, signal });
        if (!delivered.delivered) throw new Error(`re-delivery of partition ${partition} was interrupted`);
        for (const [sink, count] of Object.entries(delivered.written)) outcome.written[sink] += count;
        for (const [sink, count] of Object.entries(delivered.stale)) outcome.stale[sink] += count;
        outcome.deadLettered += delivered.deadLettered;
        options.onProgress(messages.length);
      },
    });
  } finally {
    await delivery.close();
  }
  return outcome;
}
