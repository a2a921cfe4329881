/**
 * How a record travels through Kafka: key = record id ("<source id>:<upstream id>", so all
 * versions of a record land on one partition, in order), value = this JSON envelope.
 */
import type { SinkRecord } from '../sinks/sink-writer';
import type { OutgoingMessage } from '../kafka/record-producer';

export interface WireRecord {
  id: string;
  source: string;
  ingestedAt: string;
  payload: Record<string, unknown>;
}

export function recordId(source: string, upstreamId: string): string {
  return `${source}:${upstreamId}`;
}

export function toMessage(record: WireRecord): OutgoingMessage {
  return { key: record.id, value: JSON.stringify(record), headers: { 'wharf-source': record.source } };
}

/** Parses a consumed message; throws with a reason when it is not a wharf record. */
export function fromMessage(value: Buffer | null, partition: number, offset: string): SinkRecord {
  if (!value) throw new Error('message has no value');
  const parsed = JSON.parse(value.toString()) as Partial<WireRecord>;
  if (typeof parsed.id !== 'string' || typeof parsed.source !== 'string' || typeof parsed.payload !== 'object' || parsed.payload === null) {
    throw new Error('message is not a wharf record envelope');
  }
  return { id: parsed.id, source: parsed.source, ingestedAt: String(parsed.ingestedAt), payload: parsed.payload, partition, offset, wireBytes: value.length };
}
