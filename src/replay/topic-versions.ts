/**
 * What the records topic says each sink should hold, for `wharf verify`: per record id, the
 * newest version Kafka still has (records/version.ts: the greatest, whatever order it came in)
 * and the hash of the document it becomes (`toDocument`, hashed by `contentHash`, so Kafka
 * position and ingest time do not count), plus where that message stands, to read it again
 * for a repair. Memory is one small entry per id, never a document. Each entry also remembers
 * which sinks were seen holding it (a bit per sink), so what is missing is what is left unseen.
 */
import type { KafkaClient } from '../kafka/client';
import { rangesFromGroup, readRanges, type PartitionRange } from '../kafka/range-reader';
import { contentHash, toDocument } from '../records/document';
import { compareVersions } from '../records/version';
import { fromMessage } from '../records/wire-record';
import type { SinkRecord } from '../records/sink-record';

export interface TopicEntry {
  version: string;
  hash: string;
  partition: number;
  offset: string;
  /** The newest version is a deletion: a sink must hold nothing live for the id. */
  deleted: boolean;
  /** Bit i set: sink number i holds this id (any version). */
  seen: number;
}

export class TopicVersions {
  readonly entries = new Map<string, TopicEntry>();
  /** Messages that are not wharf records (they are dead letters, never in a sink). */
  unreadable = 0;
  messages = 0;

  add(record: SinkRecord): void {
    this.messages++;
    const kept = this.entries.get(record.id);
    // The same version twice (a dead letter produced again): the first is kept, the content is the same.
    if (kept && compareVersions(record.version, kept.version) <= 0) return;
    this.entries.set(record.id, { version: record.version, hash: contentHash(toDocument(record)), partition: record.partition, offset: record.offset, deleted: record.deleted === true, seen: 0 });
  }
}

/** The topic's retained range: every partition from its start to its current end. */
export function retainedRange(client: KafkaClient, groupId: string): Promise<PartitionRange[]> {
  return rangesFromGroup(client, client.config.topic, groupId); // a new group: from each partition's start
}

/** Reads `ranges` of the records topic through the throwaway group `groupId`. */
export async function readTopicVersions(client: KafkaClient, groupId: string, ranges: PartitionRange[], onProgress: (count: number) => void): Promise<TopicVersions> {
  const versions = new TopicVersions();
  await readRanges(client, {
    topic: client.config.topic,
    groupId,
    ranges,
    throwawayGroup: true,
    onBatch: (partition, messages) => {
      for (const message of messages) {
        let record: SinkRecord;
        try {
          record = fromMessage(message.value, partition, message.offset);
        } catch {
          versions.messages++;
          versions.unreadable++;
          continue;
        }
        versions.add(record);
      }
      onProgress(messages.length);
      return Promise.resolve();
    },
  });
  return versions;
}
