/**
 * Publishing dead letters: produced to the dead-letter topic (acknowledged by Kafka), then counted
 * by stage. A letter the dead-letter topic itself refuses as too large is published without its
 * record (its id, source and reason stay), so that one huge record cannot stop a source.
 */
import type { RecordProducer } from '../kafka/record-producer';
import { METRICS } from '../metrics/catalog';
import { counter } from '../metrics/process-registry';
import { deadLetterMessage, type DeadLetter } from '../records/dead-letter';

export async function publishDeadLetters(producer: RecordProducer, topic: string, letters: readonly DeadLetter[]): Promise<void> {
  if (letters.length === 0) return;
  const refused = new Set((await producer.sendFitting(topic, letters.map(deadLetterMessage))).map((m) => m.value));
  if (refused.size > 0) {
    const stubs = letters.filter((l) => refused.has(deadLetterMessage(l).value));
    await producer.send(topic, stubs.map((l) => deadLetterMessage({ ...l, record: null, error: `${l.error}; the record itself was too large for ${topic} too and is not kept` })));
  }
  for (const letter of letters) counter(METRICS.deadLetters).inc({ stage: letter.stage });
}
