/**
 * Reads a fixed range of a topic through a consumer group of its own: for each partition, from
 * a start offset up to the partition's end as it was when the read was planned. The group's
 * offsets are set to the starts first and committed after each handled batch (RecordConsumer),
 * so an interrupted read resumes where it stopped and a finished one is not repeated. Used by
 * `wharf replay`, `wharf dlq` and `wharf tap`; wharf's own consumer group is never touched.
 * A `follow` read goes on past the ends (what is produced meanwhile) until its `signal` fires;
 * any read ends early, keeping what was committed, when its `signal` fires.
 */
import { withAdmin, type KafkaClient } from './client';
import { RecordConsumer, type BatchHandler, type ConsumedMessage } from './record-consumer';

export interface PartitionRange {
  partition: number;
  /** First offset to read. */
  from: bigint;
  /** End of the range (exclusive): the partition's end when the read was planned. */
  to: bigint;
}

export const rangeSize = (ranges: readonly PartitionRange[]): number => ranges.reduce((sum, r) => sum + Number(r.to > r.from ? r.to - r.from : 0n), 0);

/** Starts where `groupId` last committed (or the partition's start), ends at the current end; none if the topic does not exist. */
export function rangesFromGroup(client: KafkaClient, topic: string, groupId: string): Promise<PartitionRange[]> {
  return withAdmin(client, async (admin) => {
    if (!(await admin.listTopics()).includes(topic)) return [];
    const [ends, committed] = await Promise.all([admin.fetchTopicOffsets(topic), admin.fetchOffsets({ groupId, topics: [topic] })]);
    const done = new Map((committed[0]?.partitions ?? []).map((p) => [p.partition, BigInt(p.offset)]));
    return ends
      .map((p) => ({ partition: p.partition, from: maxOf(done.get(p.partition) ?? -1n, BigInt(p.low)), to: BigInt(p.high) }))
      .sort((a, b) => a.partition - b.partition);
  });
}

/** Starts and ends at each partition's current end: only what is produced from now on (with `follow`). */
export function rangesAtEnd(client: KafkaClient, topic: string): Promise<PartitionRange[]> {
  return withAdmin(client, async (admin) =>
    (await admin.fetchTopicOffsets(topic)).map((p) => ({ partition: p.partition, from: BigInt(p.high), to: BigInt(p.high) })).sort((a, b) => a.partition - b.partition),
  );
}

/**
 * Starts at the first offset written at or after `fromMs`; ends before the first one written at
 * or after `toMs`, or at the current end.
 */
export function rangesFromTime(client: KafkaClient, topic: string, fromMs: number, toMs?: number): Promise<PartitionRange[]> {
  return withAdmin(client, async (admin) => {
    const [ends, starts, stops] = await Promise.all([
      admin.fetchTopicOffsets(topic),
      admin.fetchTopicOffsetsByTimestamp(topic, fromMs),
      toMs === undefined ? [] : admin.fetchTopicOffsetsByTimestamp(topic, toMs),
    ]);
    // -1: nothing written at or after the timestamp in this partition, i.e. its end.
    const offsetAt = (found: typeof starts, partition: number, end: bigint) => {
      const offset = found.find((p) => p.partition === partition)?.offset;
      return offset === undefined || BigInt(offset) < 0n ? end : BigInt(offset);
    };
    return ends
      .map((p) => {
        const [low, high] = [BigInt(p.low), BigInt(p.high)];
        const from = maxOf(offsetAt(starts, p.partition, high), low);
        return { partition: p.partition, from, to: maxOf(offsetAt(stops, p.partition, high), from) };
      })
      .sort((a, b) => a.partition - b.partition);
  });
}

export interface RangeReadOptions {
  topic: string;
  groupId: string;
  ranges: readonly PartitionRange[];
  /** Handles one batch of one partition (offsets ascending); the batch is committed after it resolves. */
  onBatch(partition: number, messages: ConsumedMessage[], signal: AbortSignal): Promise<void>;
  /** A read that must leave no trace (a listing, a dry run): the group is deleted afterwards. */
  throwawayGroup?: boolean;
  /** Go on past the ranges' ends, with what is produced meanwhile, until `signal` fires. */
  follow?: boolean;
  /** Ends the read (resolving) before the ranges are done; what was handled stays committed. */
  signal?: AbortSignal;
}

export async function readRanges(client: KafkaClient, options: RangeReadOptions): Promise<void> {
  const { topic, groupId, ranges } = options;
  if (!options.follow && !ranges.some((r) => r.to > r.from)) return;
  try {
    await withAdmin(client, (admin) => admin.setOffsets({ groupId, topic, partitions: ranges.map((r) => ({ partition: r.partition, offset: r.from.toString() })) }));
    await consumeRanges(client, options);
  } finally {
    if (options.throwawayGroup) await withAdmin(client, (admin) => admin.deleteGroups([groupId])).catch(() => undefined);
  }
}

async function consumeRanges(client: KafkaClient, options: RangeReadOptions): Promise<void> {
  const { follow, signal: stop } = options;
  const pending = new Map(options.ranges.filter((r) => follow || r.to > r.from).map((r) => [r.partition, r]));
  let fail: (err: Error) => void = () => undefined;
  let stopped = () => undefined as void;
  const consumer = new RecordConsumer(client, { groupId: options.groupId, topic: options.topic, onFatal: (err) => fail(err) });
  try {
    await new Promise<void>((resolve, reject) => {
      fail = reject;
      stopped = resolve;
      if (stop?.aborted) return resolve();
      stop?.addEventListener('abort', stopped, { once: true });
      const handle: BatchHandler = async ({ partition, messages, signal }) => {
        const range = pending.get(partition);
        const wanted = range ? messages.filter((m) => BigInt(m.offset) >= range.from && (follow || BigInt(m.offset) < range.to)) : [];
        if (wanted.length === 0) return null;
        try {
          await options.onBatch(partition, wanted, signal);
        } catch (err) {
          reject(err instanceof Error ? err : new Error(String(err)));
          return null;
        }
        return wanted[wanted.length - 1].offset;
      };
      const committed = (partition: number, through: string) => {
        if (follow) return;
        const range = pending.get(partition);
        if (range && BigInt(through) + 1n >= range.to) pending.delete(partition);
        if (pending.size === 0) resolve();
      };
      consumer.start(handle, committed).catch(reject);
    });
  } finally {
    stop?.removeEventListener('abort', stopped);
    await consumer.stop();
  }
}

const maxOf = (a: bigint, b: bigint) => (a > b ? a : b);
