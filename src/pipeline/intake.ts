/**
 * Intake: what a fetched source page becomes before Kafka, as a pure function. Each upstream
 * record becomes a wire record under its deterministic id `<source id>:<upstream id>`, stamped
 * with the time it was fetched; malformed items and records over the source's maxRecordBytes
 * become dead letters of stage "intake" instead, so nothing fetched is silently dropped. A
 * source with a `versionField` gives each record the upstream's own version (records/version.ts);
 * a record without a valid one is dead-lettered, since no sink could tell its age. A record the
 * upstream deleted (a CouchDB deletion, or `deletedField` true) becomes a tombstone: an empty
 * payload flagged `deleted`, versioned like any write (docs/deletions.md).
 *
 * Also the two judgements a poller makes about a page before producing it: whether it is the
 * very page already produced at this cursor (`pageDigest`: an upstream with no next cursor
 * answers the same page again at every poll, and it must be produced once, but again if its
 * content changed), and whether the upstream's next cursor went backwards (`cursorWentBack`).
 */
import { createHash } from 'node:crypto';
import { canonicalJson } from '../util/canonical-json';
import { malformedLetter, refusedAtIntakeLetter, type DeadLetter } from '../records/dead-letter';
import { isVersion } from '../records/version';
import { recordId, toMessage, type WireMessage, type WireRecord } from '../records/wire-record';
import type { SourcePage } from '../sources/source-adapter';

export interface IntakeBatch {
  messages: WireMessage[];
  letters: DeadLetter[];
}

export interface IntakeRules {
  id: string;
  maxRecordBytes: number;
  versionField?: string;
  deletedField?: string;
}

export function intakeBatch(source: IntakeRules, page: SourcePage, ingestedAt: string): IntakeBatch {
  const letters = page.malformed.map((m) => malformedLetter(source.id, m.raw, m.reason, ingestedAt));
  const messages: WireMessage[] = [];
  for (const { upstreamId, payload, deleted } of page.records) {
    let record: WireRecord = { id: recordId(source.id, upstreamId), source: source.id, ingestedAt, payload };
    if (source.versionField !== undefined) {
      const version = upstreamVersion(payload[source.versionField]);
      if (version === undefined) {
        letters.push(refusedAtIntakeLetter(record, `record has no valid version in "${source.versionField}" (expected a non-negative integer below 2^63, or its decimal string)`, ingestedAt));
        continue;
      }
      record.version = version;
    }
    if (deleted === true || (source.deletedField !== undefined && payload[source.deletedField] === true)) {
      record = { ...record, payload: {}, deleted: true };
    }
    const message = toMessage(record);
    const bytes = Buffer.byteLength(message.value);
    if (bytes > source.maxRecordBytes) letters.push(refusedAtIntakeLetter(record, `record of ${bytes} bytes exceeds maxRecordBytes ${source.maxRecordBytes}`, ingestedAt));
    else messages.push(message);
  }
  return { messages, letters };
}

/** An upstream's own version as wharf's version string (records/version.ts), or undefined when it is not one. */
function upstreamVersion(value: unknown): string | undefined {
  const text = typeof value === 'number' && Number.isSafeInteger(value) ? String(value) : value;
  return isVersion(text) ? text : undefined;
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
