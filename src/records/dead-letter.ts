/**
 * The dead-letter topic's entries: what could not be delivered, and why. Each keeps the original
 * record (or raw item) so that `wharf dlq replay` can send it through the pipeline again once
 * the operator fixed the cause. Every kind of dead letter is made here, by stage:
 *   - intake: an upstream item that is malformed (no id, not JSON), a record over maxRecordBytes,
 *     or one Kafka refused as too large;
 *   - consume: a Kafka message that is not a wharf record at all;
 *   - <sink id>: a record that sink refused for good.
 */
import type { RejectedRecord } from './sink-record';
import { toWireRecord, type WireMessage, type WireRecord } from './wire-record';

export interface DeadLetter {
  /** The record as it entered wharf (a WireRecord), or the raw upstream item if it never became one. */
  record: unknown;
  recordId?: string;
  source?: string;
  /** The sink that refused it, "intake" for records refused before Kafka, "consume" for unreadable messages. */
  stage: string;
  error: string;
  attempts: number;
  time: string;
  kafka?: { topic: string; partition: number; offset: string };
}

/** An upstream item that never became a record. */
export function malformedLetter(source: string, raw: unknown, reason: string, time: string): DeadLetter {
  return { record: raw, source, stage: 'intake', error: reason, attempts: 1, time };
}

/** A record refused before Kafka (too large). */
export function refusedAtIntakeLetter(record: WireRecord, reason: string, time: string): DeadLetter {
  return { record, recordId: record.id, source: record.source, stage: 'intake', error: reason, attempts: 1, time };
}

/** A record Kafka refused as too large (its message as sent; the record if it parses as one). */
export function refusedByKafkaLetter(message: WireMessage, topic: string, source: string, time: string): DeadLetter {
  const bytes = Buffer.byteLength(message.value);
  let record: unknown = message.value.toString();
  try {
    record = JSON.parse(record as string);
  } catch {
    // kept as text
  }
  const reason = `Kafka refused the record (${bytes} bytes) as too large for topic ${topic} (MESSAGE_TOO_LARGE); raise the topic's max.message.bytes or lower maxRecordBytes`;
  return { record, recordId: message.key, source, stage: 'intake', error: reason, attempts: 1, time };
}

/** A record a sink refused for good: the record as it entered wharf, and why. */
export function rejectionLetter(rejected: RejectedRecord, topic: string): DeadLetter {
  const { record } = rejected;
  return {
    // The version goes with it: replayed later, the record must not beat newer data.
    record: toWireRecord(record),
    recordId: record.id,
    source: record.source,
    stage: rejected.sink,
    error: rejected.reason,
    attempts: rejected.attempts,
    time: new Date().toISOString(),
    kafka: { topic, partition: record.partition, offset: record.offset },
  };
}

/** A Kafka message that is not a wharf record at all. */
export function unreadableLetter(value: Buffer | null, reason: string, topic: string, partition: number, offset: string): DeadLetter {
  return { record: value?.toString() ?? null, stage: 'consume', error: reason, attempts: 1, time: new Date().toISOString(), kafka: { topic, partition, offset } };
}

/** The message a dead letter is produced as (keyed by its record id, so a record's letters stay in order). */
export function deadLetterMessage(letter: DeadLetter): WireMessage {
  return { key: letter.recordId ?? `${letter.source ?? 'unknown'}:malformed`, value: JSON.stringify(letter), headers: { 'wharf-stage': letter.stage } };
}
