/**
 * Reads the whole dead-letter topic as it is now (from its start to its current end) through a
 * throwaway consumer group, for `wharf dlq list`; no other group's offsets move.
 */
import type { KafkaClient } from '../kafka/client';
import { rangesFromGroup, readRanges } from '../kafka/range-reader';
import type { DeadLetter } from '../records/dead-letter';

export interface ListedDeadLetter extends DeadLetter {
  dlq: { partition: number; offset: string };
}

export async function listDeadLetters(client: KafkaClient, topic: string, groupId: string): Promise<ListedDeadLetter[]> {
  const ranges = await rangesFromGroup(client, topic, groupId); // a new group: from each partition's start
  const letters: ListedDeadLetter[] = [];
  await readRanges(client, {
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
