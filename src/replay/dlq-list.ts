/**
 * Reads the whole dead-letter topic as it is now (from its start to its current end) through a
 * throwaway consumer group, for `wharf dlq list`; no other group's offsets move.
 */
import type { Kafka } from 'kafkajs';
import type { DeadLetter } from '../records/dead-letter';
import { rangesFromGroup, readRanges } from '../kafka/range-reader';

export interface ListedDeadLetter extends DeadLetter {
  dlq: { partition: number; offset: string };
}

export async function listDeadLetters(kafka: Kafka, topic: string, groupId: string): Promise<ListedDeadLetter[]> {
  const admin = kafka.admin();
  await admin.connect();
  let ranges;
  try {
    if (!(await admin.listTopics()).includes(topic)) return [];
    ranges = await rangesFromGroup(admin, topic, groupId); // a new group: from each partition's start
  } finally {
    await admin.disconnect();
  }
  const letters: ListedDeadLetter[] = [];
  await readRanges(kafka, {
    topic,
    groupId,
    ranges,
    throwawayGroup: true,
    onBatch: (partition, messages) => {
      for (const message of messages) letters.push({ ...(JSON.parse(message.value!.toString()) as DeadLetter), dlq: { partition, offset: message.offset } });
      return Promise.resolve();
    },
  });
  return letters.sort((a, b) => a.dlq.partition - b.dlq.partition || Number(BigInt(a.dlq.offset) - BigInt(b.dlq.offset)));
}
