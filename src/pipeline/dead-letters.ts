/** Publishing dead letters: produced to the dead-letter topic (acknowledged by Kafka), then counted by stage. */
import type { RecordProducer } from '../kafka/record-producer';
import { METRICS } from '../metrics/catalog';
import { counter } from '../metrics/process-registry';
import { deadLetterMessage, type DeadLetter } from '../records/dead-letter';

export async function publishDeadLetters(producer: RecordProducer, topic: string, letters: readonly DeadLetter[]): Promise<void> {
  if (letters.length === 0) return;
  await producer.send(topic, letters.map(deadLetterMessage));
  for (const letter of letters) counter(METRICS.deadLetters).inc({ stage: letter.stage });
}
