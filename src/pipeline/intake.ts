/**
 * Intake: what a fetched source page becomes before Kafka, as a pure function. Each upstream
 * record becomes a wire record under its deterministic id `<source id>:<upstream id>`, stamped
 * with the time it was fetched; malformed items and records over the source's maxRecordBytes
 * become dead letters of stage "intake" instead, so nothing fetched is silently dropped.
 *
 * Also the two judgements a poller makes about a page before producing it: whether it is the
 * very page already produced at this cursor (`pageDigest`: an upstream with no next cursor
 * answers the same page again at every poll, and it must be produced once, but again if its
 * content changed), and whether the upstream's next cursor went backwards (`cursorWentBack`).
 */
import { createHash } from 'node:crypto';
import { canonicalJson } from '../util/canonical-json';
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

/** A digest of a page's content (ids, payloads and malformed items, in order); equal pages give equal digests. */
export function pageDigest(page: SourcePage): string {
  const content = canonicalJson({ records: page.records, malformed: page.malformed.map((m) => m.raw) });
  return `sha256:${createHash('sha256').update(content).digest('hex')}`;
}

/** Whether a numeric next cursor sorts before the stored one (an upstream reset; followed, but worth a warning). */
export function cursorWentBack(stored: string | null, next: string | null): boolean {
  if (stored === null || next === null) return false;
  const numeric = /^-?\d+(\.\d+)?$/;
  return numeric.test(stored) && numeric.test(next) && Number(next) < Number(stored);
}
