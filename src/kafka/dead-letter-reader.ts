/**
 * Reads the whole dead-letter topic as it is now (from its start to its current end), without
 * committing anything, for `wharf dlq list`.
 */
import type { Kafka } from 'kafkajs';
import type { DeadLetter } from './dead-letter';

export interface ListedDeadLetter extends DeadLetter {
  dlq: { partition: number; offset: string };
}

export async function listDeadLetters(kafka: Kafka, topic: string, groupId: string): Promise<ListedDeadLetter[]> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    if (!(await admin.listTopics()).includes(topic)) return [];
    const ends = (await admin.fetchTopicOffsets(topic)).filter((p) => BigInt(p.high) > BigInt(p.low));
    if (ends.length === 0) return [];
    const remaining = new Map(ends.map((p) => [p.partition, BigInt(p.high)]));
    const letters: ListedDeadLetter[] = [];
    const consumer = kafka.consumer({ groupId, maxWaitTimeInMs: 500 });
    await consumer.connect();
    try {
      await consumer.subscribe({ topic, fromBeginning: true });
      await new Promise<void>((resolve, reject) => {
        consumer
          .run({
            autoCommit: false,
            eachMessage: ({ partition, message }) => {
              const end = remaining.get(partition);
              if (end !== undefined && BigInt(message.offset) < end) {
                letters.push({ ...(JSON.parse(message.value!.toString()) as DeadLetter), dlq: { partition, offset: message.offset } });
                if (BigInt(message.offset) + 1n >= end) remaining.delete(partition);
              }
              if (remaining.size === 0) resolve();
              return Promise.resolve();
            },
          })
          .catch(reject);
      });
    } finally {
      await consumer.disconnect();
      await admin.deleteGroups([groupId]).catch(() => undefined);
    }
    return letters.sort((a, b) => a.dlq.partition - b.dlq.partition || Number(BigInt(a.dlq.offset) - BigInt(b.dlq.offset)));
  } finally {
    await admin.disconnect();
  }
}
