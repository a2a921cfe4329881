/**
 * The document a record becomes in every sink: the upstream record's own fields at top level,
 * plus one `wharf` object saying where it came from. An upstream field named `wharf` is
 * replaced by it (documented in the README). A tombstone becomes the `wharf` object alone, with
 * `deleted: true`: each sink keeps it as a deletion of that version (docs/deletions.md).
 */
import { createHash } from 'node:crypto';
import type { SinkRecord } from './sink-record';
import { canonicalJson } from '../util/canonical-json';

export interface WharfMeta {
  source: string;
  id: string;
  ingestedAt: string;
  partition: number;
  offset: string;
  /** The record's version (version.ts): a sink keeps the document with the greatest. */
  version: string;
  /** Only on a tombstone. */
  deleted?: true;
}

export function toDocument(record: SinkRecord): Record<string, unknown> & { wharf: WharfMeta } {
  const wharf = wharfMeta(record);
  if (record.deleted) return { wharf: { ...wharf, deleted: true } };
  return { ...record.payload, wharf };
}

function wharfMeta(record: SinkRecord): WharfMeta {
  return { source: record.source, id: record.id, ingestedAt: record.ingestedAt, partition: record.partition, offset: record.offset, version: record.version };
}

/**
 * The JSON text of `{ ...toDocument(record), ...head }` (head: a sink's own members, CouchDB's
 * `_id` and `_rev`, which a payload member of the same name never overrides). When the record
 * kept its payload's text (wire-record.ts: only for a payload with none of the document's own
 * members) the text is spliced from it: serializing every document again cost a consumer about
 * a tenth of its CPU per sink.
 */
export function documentText(record: SinkRecord, head: Record<string, unknown> = {}): string {
  if (record.payloadText === undefined || record.deleted) return JSON.stringify({ ...toDocument(record), ...head });
  const members = [JSON.stringify(head).slice(1, -1), record.payloadText.slice(1, -1), `"wharf":${JSON.stringify(wharfMeta(record))}`];
  return `{${members.filter((m) => m.length > 0).join(',')}}`;
}

/** Whether a stored document is a tombstone (toDocument of a deleted record). */
export function isTombstone(doc: Record<string, unknown>): boolean {
  return (doc.wharf as Partial<WharfMeta> | undefined)?.deleted === true;
}

/**
 * Whether two documents carry the same content. The Kafka position and ingest time are
 * excluded: a replay of the same record must not count as a change. The version is included:
 * a newer version with the same fields is still a change, because a sink that kept the older
 * version would let a late record between the two win.
 */
export function sameContent(a: Record<string, unknown>, b: Record<string, unknown>): boolean {
  return contentText(a) === contentText(b);
}

/**
 * A digest of a document's content under the same rule as `sameContent` (equal content, equal
 * hash): what `wharf verify` keeps per record id instead of the document, and computes again
 * from what a sink returns. 128 bits of SHA-256, base64url.
 */
export function contentHash(doc: Record<string, unknown>): string {
  return createHash('sha256').update(contentText(doc)).digest('base64url').slice(0, 22);
}

const contentText = (doc: Record<string, unknown>) => canonicalJson(stripVolatile(doc));

function stripVolatile(doc: Record<string, unknown>): unknown {
  const rest: Record<string, unknown> = { ...doc };
  delete rest._id;
  delete rest._rev;
  delete rest._deleted; // CouchDB's own mark of a tombstone; `wharf.deleted` says it everywhere
  const meta = rest.wharf as Partial<WharfMeta> | undefined;
  return { ...rest, wharf: meta ? { source: meta.source, id: meta.id, version: meta.version, deleted: meta.deleted } : undefined };
}
