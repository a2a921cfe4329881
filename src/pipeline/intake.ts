/**
 * Intake: what a fetched source page becomes before Kafka, as a pure function. Each upstream
 * record becomes a wire record under its deterministic id `<source id>:<upstream id>`, stamped
 * with the time it was fetched; malformed items and records over the source's maxRecordBytes
 * become dead letters of stage "intake" instead, so nothing fetched is silently dropped.
 */
import { malformedLetter, refusedAtIntakeLetter, type DeadLetter } from '../records/dead-letter';
import { recordId, toMessage, type WireMessage, type WireRecord } from '../records/wire-record';
import type { SourcePage } from '../sources/source-adapter';

export interface IntakeBatch {
  messages: WireMessage[];
  letters: DeadLetter[];
}

export function intakeBatch(source: { id: string; maxRecordBytes: number }, page: SourcePage, ingestedAt: string): IntakeBatch {
  const letters = page.malformed.map((m) => malformedLetter(source.id, m.raw, m.reason, ingestedAt));
  const messages: WireMessage[] = [];
  for (const { upstreamId, payload } of page.records) {
    const record: WireRecord = { id: recordId(source.id, upstreamId), source: source.id, ingestedAt, payload };
    const message = toMessage(record);
    const bytes = Buffer.byteLength(message.value);
    if (bytes > source.maxRecordBytes) letters.push(refusedAtIntakeLetter(record, `record of ${bytes} bytes exceeds maxRecordBytes ${source.maxRecordBytes}`, ingestedAt));
    else messages.push(message);
  }
  return { messages, letters };
}
