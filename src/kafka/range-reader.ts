/**
 * Reads a fixed range of a topic through a consumer group of its own: for each partition, from
 * a start offset up to the partition's end as it was when the read began. The group's offsets
 * are set to the starts first and committed after each handled batch, so an interrupted read
 * resumes where it stopped and a finished one is not repeated. Used by `wharf replay` and
 * `wharf dlq replay`; wharf's own consumer group is never touched.
 */
import type { Admin, Kafka, KafkaMessage } from 'kafkajs';

export interface PartitionRange {
  partition: number;
  /** First offset to read. */
  from: bigint;
  /** End of the range (exclusive): the partition's end when the read was planned. */
  to: bigint;
}

export const rangeSize = (ranges: readonly PartitionRange[]): number => ranges.reduce((sum, r) => sum + Number(r.to > r.from ? r.to - r.from : 0n), 0);

/** Starts where `groupId` last committed (or the partition's start), ends at the current end. */
export async function rangesFromGroup(admin: Admin, topic: string, groupId: string): Promise<PartitionRange[]> {
  const [ends, committed] = await Promise.all([admin.fetchTopicOffsets(topic), admin.fetchOffsets({ groupId, topics: [topic] })]);
  const done = new Map((committed[0]?.partitions ?? []).map((p) => [p.partition, BigInt(p.offset)]));
  return ends
    .map((p) => ({ partition: p.partition, from: maxOf(done.get(p.partition) ?? -1n, BigInt(p.low)), to: BigInt(p.high) }))
    .sort((a, b) => a.partition - b.partition);
}

/** Starts at the first offset written at or after `timestamp`, ends at the current end. */
export async function rangesFromTime(admin: Admin, topic: string, timestamp: number): Promise<PartitionRange[]> {
  const [ends, starts] = await Promise.all([admin.fetchTopicOffsets(topic), admin.fetchTopicOffsetsByTimestamp(topic, timestamp)]);
  const startOf = new Map(starts.map((p) => [p.partition, BigInt(p.offset)]));
  return ends
    .map((p) => {
      const from = startOf.get(p.partition);
      // -1: nothing at or after the timestamp in this partition.
      return { partition: p.partition, from: from === undefined || from < 0n ? BigInt(p.high) : maxOf(from, BigInt(p.low)), to: BigInt(p.high) };
    })
    .sort((a, b) => a.partition - b.partition);
}

export interface RangeReadOptions {
  topic: string;
  groupId: string;
  ranges: readonly PartitionRange[];
  /** Handles one batch of one partition (offsets ascending); the batch is committed after it resolves. */
  onBatch(partition: number, messages: KafkaMessage[]): Promise<void>;
  /** A read that must leave no trace (a listing, a dry run): the group is deleted afterwards. */
  throwawayGroup?: boolean;
}

export async function readRanges(kafka: Kafka, options: RangeReadOptions): Promise<void> {
  const { topic, groupId, ranges } = options;
  if (!ranges.some((r) => r.to > r.from)) return;
  const admin = kafka.admin();
  await admin.connect();
  try {
    await admin.setOffsets({ groupId, topic, partitions: ranges.map((r) => ({ partition: r.partition, offset: r.from.toString() })) });
    await consumeRanges(kafka, options);
  } finally {
    if (options.throwawayGroup) await admin.deleteGroups([groupId]).catch(() => undefined);
    await admin.disconnect();
  }
}

async function consumeRanges(kafka: Kafka, options: RangeReadOptions): Promise<void> {
  const { topic, groupId, ranges } = options;
  const pending = new Map(ranges.filter((r) => r.to > r.from).map((r) => [r.partition, r]));
  const consumer = kafka.consumer({ groupId, maxWaitTimeInMs: 500 });
  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    await new Promise<void>((resolve, reject) => {
      consumer
        .run({
          autoCommit: false,
          eachBatch: async ({ batch }) => {
            const range = pending.get(batch.partition);
            if (!range) return;
            const wanted = batch.messages.filter((m) => BigInt(m.offset) >= range.from && BigInt(m.offset) < range.to);
            if (wanted.length > 0) {
              await options.onBatch(batch.partition, wanted);
              const next = BigInt(wanted[wanted.length - 1].offset) + 1n;
              await consumer.commitOffsets([{ topic, partition: batch.partition, offset: next.toString() }]);
              if (next >= range.to) pending.delete(batch.partition);
            }
            if (pending.size === 0) resolve();
          },
        })
        .catch(reject);
    });
  } finally {
    await consumer.disconnect();
  }
}

const maxOf = (a: bigint, b: bigint) => (a > b ? a : b);
