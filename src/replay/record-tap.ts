/**
 * `wharf tap`: the records of one source as they flow through the records topic, read through a
 * throwaway consumer group (deleted at the end, so no group's offsets move) from each
 * partition's end, or its start, until the signal fires. Records are matched by their key (the
 * record id, `<source>:<upstream id>`) before being parsed.
 */
import type { KafkaClient } from '../kafka/client';
import { rangesAtEnd, rangesFromGroup, readRanges } from '../kafka/range-reader';
import type { SinkRecord } from '../records/sink-record';
import { fromMessage, isKeyOfSource } from '../records/wire-record';

export interface TapOptions {
  source: string;
  groupId: string;
  fromBeginning: boolean;
  signal: AbortSignal;
  /** Once the start offsets are fixed: everything produced from then on will be seen. */
  onReady(partitions: number): void;
  onRecord(record: SinkRecord): void;
}

export async function tapRecords(client: KafkaClient, options: TapOptions): Promise<void> {
  const { topic } = client.config;
  const ranges = options.fromBeginning ? await rangesFromGroup(client, topic, options.groupId) : await rangesAtEnd(client, topic);
  options.onReady(ranges.length);
  await readRanges(client, {
    topic,
    groupId: options.groupId,
    ranges,
    throwawayGroup: true,
    follow: true,
    signal: options.signal,
    onBatch: (partition, messages) => {
      for (const message of messages) {
        if (options.signal.aborted) break;
        if (!isKeyOfSource(message.key, options.source)) continue;
        let record: SinkRecord;
        try {
          record = fromMessage(message.value, partition, message.offset);
        } catch {
          continue; // not a wharf record: the consumers dead-letter it, the tap shows records
        }
        if (record.source === options.source) options.onRecord(record);
      }
      return Promise.resolve();
    },
  });
}
