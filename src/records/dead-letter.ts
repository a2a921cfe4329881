/**
 * The dead-letter topic: what could not be delivered, with why. Each entry keeps the original
 * record (or raw item) so that `wharf dlq replay` can send it through the pipeline again once
 * the operator fixed the cause.
 */
import { METRICS } from '../metrics/catalog';
import { counter } from '../metrics/process-registry';
import type { RejectedRecord } from '../sinks/sink-writer';
import type { RecordProducer } from '../kafka/record-producer';

export interface DeadLetter {
  /** The record as it entered wharf (a WireRecord), or the raw upstream item if it never became one. */
  record: unknown;
  recordId?: string;
  source?: string;
  /** The sink that refused it, or "intake" for records refused before Kafka. */
  stage: string;
  error: string;
  attempts: number;
  time: string;
  kafka?: { topic: string; partition: number; offset: string };
}

export async function sendDeadLetters(producer: RecordProducer, topic: string, letters: readonly DeadLetter[]): Promise<void> {
  await producer.send(
    topic,
    letters.map((letter) => ({ key: letter.recordId ?? `${letter.source ?? 'unknown'}:malformed`, value: JSON.stringify(letter), headers: { 'wharf-stage': letter.stage } })),
  );
  for (const letter of letters) counter(METRICS.deadLetters).inc({ stage: letter.stage });
}

/** The dead letter of a record a sink refused for good: the record as it entered wharf, and why. */
export function rejectionLetter(rejected: RejectedRecord, topic: string): DeadLetter {
  const { record } = rejected;
  return {
    record: { id: record.id, source: record.source, ingestedAt: record.ingestedAt, payload: record.payload },
    recordId: record.id,
    source: record.source,
    stage: rejected.sink,
    error: rejected.reason,
    attempts: rejected.attempts,
    time: new Date().toISOString(),
    kafka: { topic, partition: record.partition, offset: record.offset },
  };
}

/** The dead letter of a Kafka message that is not a wharf record at all. */
export function unreadableLetter(value: Buffer | null, reason: string, topic: string, partition: number, offset: string): DeadLetter {
  return { record: value?.toString() ?? null, stage: 'consume', error: reason, attempts: 1, time: new Date().toISOString(), kafka: { topic, partition, offset } };
}
