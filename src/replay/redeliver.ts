/**
 * `wharf replay --from <time>`: re-delivers what Kafka still holds from a point in time to the
 * sinks again (after a sink lost data, or an index was rebuilt). It reads through a consumer
 * group of its own, `<groupId>-replay-<sink|all>`, whose offsets are first moved to the first
 * record written at or after that time, and it writes with the same writers and deterministic
 * ids as the running pipeline, so documents that are already there stay as they are and the
 * running wharf (its own group, its own offsets) goes on undisturbed. Records a sink refuses go
 * to the dead-letter topic, as in the pipeline. A sink that is down is retried with backoff, up
 * to `sinkDeadlineMs`; progress is committed per batch, so a new run continues.
 */
import type { Kafka } from 'kafkajs';
import type { KafkaConfig, SinkConfig } from '../config/schema';
import { describeError } from '../errors';
import { rejectionLetter, sendDeadLetters, unreadableLetter, type DeadLetter } from '../records/dead-letter';
import { readRanges, rangesFromTime, type PartitionRange } from '../kafka/range-reader';
import type { RecordProducer } from '../kafka/record-producer';
import { fromMessage } from '../records/wire-record';
import type { Logger } from '../log';
import { retryWithBackoff } from '../retry/retry';
import { createSinkWriter } from '../sinks/registry';
import type { SinkRecord } from '../sinks/sink-writer';
import { DEFAULT_BACKOFF } from '../retry/backoff';

export const redeliveryGroupId = (consumerGroupId: string, sink?: string) => `${consumerGroupId}-replay-${sink ?? 'all'}`;

export async function planRedelivery(kafka: Kafka, topic: string, from: Date): Promise<PartitionRange[]> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    return await rangesFromTime(admin, topic, from.getTime());
  } finally {
    await admin.disconnect();
  }
}

export interface RedeliveryOutcome {
  written: Record<string, number>;
  deadLettered: number;
}

export async function redeliver(options: {
  kafka: Kafka;
  producer: RecordProducer;
  config: KafkaConfig;
  sinks: SinkConfig[];
  groupId: string;
  ranges: PartitionRange[];
  log: Logger;
  sinkDeadlineMs: number;
  onProgress: (count: number) => void;
}): Promise<RedeliveryOutcome> {
  const { config, log } = options;
  const writers = options.sinks.map(createSinkWriter);
  const outcome: RedeliveryOutcome = { written: Object.fromEntries(writers.map((w) => [w.id, 0])), deadLettered: 0 };
  try {
    for (const writer of writers) await writer.prepare();
    await readRanges(options.kafka, {
      topic: config.topic,
      groupId: options.groupId,
      ranges: options.ranges,
      onBatch: async (partition, messages) => {
        const records: SinkRecord[] = [];
        const letters: DeadLetter[] = [];
        for (const message of messages) {
          try {
            records.push(fromMessage(message.value, partition, message.offset));
          } catch (err) {
            letters.push(unreadableLetter(message.value, describeError(err), config.topic, partition, message.offset));
          }
        }
        for (const writer of writers) {
          const result = await retryWithBackoff(() => writer.write(records), {
            what: `writing to sink ${writer.id}`,
            policy: { ...DEFAULT_BACKOFF, minMs: 500, maxMs: 15_000 },
            deadlineMs: options.sinkDeadlineMs,
            onRetry: ({ attempt, delayMs, error }) => log.warn({ sink: writer.id, attempt, retryInMs: delayMs, err: describeError(error) }, 'sink unavailable, retrying'),
          });
          outcome.written[writer.id] += result.written + result.unchanged;
          letters.push(...result.rejected.map((rejected) => rejectionLetter(rejected, config.topic)));
        }
        if (letters.length > 0) await sendDeadLetters(options.producer, config.dlqTopic, letters);
        outcome.deadLettered += letters.length;
        options.onProgress(messages.length);
      },
    });
  } finally {
    await Promise.all(writers.map((w) => w.close()));
  }
  return outcome;
}
