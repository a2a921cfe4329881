/**
 * `wharf replay --from <time> [--to <time>] [--source <id>]`: re-delivers what Kafka still holds
 * from a point in time (up to another) to the sinks again (after a sink lost data, or an index
 * was rebuilt), every record or one source's (matched by the message key, its record id). It
 * reads through a consumer group of its own, `<groupId>-replay-<sink|all>`, whose offsets are
 * first moved to the first record written at or after that time, and every batch goes through the pipeline's one
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
import { Delivery, type DeliveryOutcome } from '../pipeline/delivery';
import { isKeyOfSource } from '../records/wire-record';
import { createSinkWriter, type SinkConfig } from '../sinks/registry';

export const redeliveryGroupId = (consumerGroupId: string, sink?: string) => `${consumerGroupId}-replay-${sink ?? 'all'}`;

export interface RedeliveryOutcome {
  written: Record<string, number>;
  /** Records a sink already held a newer or the same version of (a replay of what it has). */
  stale: Record<string, number>;
  deadLettered: number;
}

/** What every re-delivery job (`wharf replay`, `wharf verify --repair`) is given. */
export interface RedeliveryJob {
  client: KafkaClient;
  producer: RecordProducer;
  consumers: Pick<PipelineConfig['consumers'], 'retry'>;
  log: Logger;
  /** How long a sink that is down is retried before the job gives up (progress is kept). */
  sinkDeadlineMs: number;
  onProgress: (count: number) => void;
}

/** The pipeline's one delivery path into `sinks`, bounded as a CLI job is. */
export function jobDelivery(job: RedeliveryJob, sinks: readonly SinkConfig[], replaceSameVersion = false): Delivery {
  const { config } = job.client;
  return new Delivery({
    topic: config.topic,
    sinks: sinks.map(createSinkWriter),
    publishDeadLetters: (letters) => publishDeadLetters(job.producer, config.dlqTopic, letters),
    retry: job.consumers.retry,
    deadlineMs: job.sinkDeadlineMs,
    replaceSameVersion,
    log: job.log,
  });
}

export function emptyOutcome(sinks: readonly SinkConfig[]): RedeliveryOutcome {
  const zero = () => Object.fromEntries(sinks.map((s) => [s.id, 0]));
  return { written: zero(), stale: zero(), deadLettered: 0 };
}

/** Adds what one delivered batch wrote to a job's outcome. */
export function addDelivered(outcome: RedeliveryOutcome, delivered: Extract<DeliveryOutcome, { delivered: true }>): void {
  for (const [sink, count] of Object.entries(delivered.written)) outcome.written[sink] = (outcome.written[sink] ?? 0) + count;
  for (const [sink, count] of Object.entries(delivered.stale)) outcome.stale[sink] = (outcome.stale[sink] ?? 0) + count;
  outcome.deadLettered += delivered.deadLettered;
}

export async function redeliver(options: RedeliveryJob & { sinks: SinkConfig[]; groupId: string; ranges: PartitionRange[]; source?: string }): Promise<RedeliveryOutcome> {
  const delivery = jobDelivery(options, options.sinks);
  const outcome = emptyOutcome(options.sinks);
  try {
    await readRanges(options.client, {
      topic: options.client.config.topic,
      groupId: options.groupId,
      ranges: options.ranges,
      onBatch: async (partition, messages, signal) => {
        const { source } = options;
        const selected = source === undefined ? messages : messages.filter((m) => isKeyOfSource(m.key, source));
        if (selected.length > 0) {
          const delivered = await delivery.deliver({ partition, messages: selected, signal });
          if (!delivered.delivered) throw new Error(`re-delivery of partition ${partition} was interrupted`);
          addDelivered(outcome, delivered);
        }
        options.onProgress(messages.length);
      },
    });
  } finally {
    await delivery.close();
  }
  return outcome;
}
