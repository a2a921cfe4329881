/**
 * How a parsed CouchDB `_changes` answer (include_docs=true, style=main_only) becomes a source
 * page. Pure, so every rule is unit-tested:
 * - a change becomes a record with upstreamId = the document's `_id` and, as payload, the
 *   document's own fields: every top-level `_` field (`_id`, `_rev`, `_attachments`,
 *   `_conflicts`, ...) is dropped, since Elasticsearch refuses `_id` in a document and a CouchDB
 *   sink would take a foreign `_rev` for its own. The upstream revision is not kept.
 * - a deletion becomes a deleted record (a tombstone at intake), whose payload is what the
 *   deleting revision kept (usually nothing; a `versionField` must be kept there to be read);
 *   `_design/` documents are skipped unless includeDesignDocs; skipped changes still advance
 *   the cursor.
 * - a change without an id or without a document is malformed, never a thrown error.
 * - the cursor is `last_seq` as a string (opaque in CouchDB, a number in pouchdb-server); a
 *   page without changes keeps the cursor it was asked from, so the poller waits.
 */
import { SourceUnavailableError, type MalformedItem, type SourcePage, type UpstreamRecord } from '../source-adapter';

export function toChangesPage(source: string, body: unknown, cursor: string | null, includeDesignDocs: boolean): SourcePage {
  if (body === null || typeof body !== 'object' || !Array.isArray((body as { results?: unknown }).results)) {
    throw new SourceUnavailableError(source, '_changes response has no "results" array');
  }
  const { results, last_seq: lastSeq } = body as { results: unknown[]; last_seq?: unknown };
  if (typeof lastSeq !== 'string' && typeof lastSeq !== 'number') {
    throw new SourceUnavailableError(source, '_changes response has no string or number "last_seq"');
  }
  const records: UpstreamRecord[] = [];
  const malformed: MalformedItem[] = [];
  for (const change of results) {
    const outcome = fromChange(change, includeDesignDocs);
    if (outcome === 'skip') continue;
    if ('reason' in outcome) malformed.push(outcome);
    else records.push(outcome);
  }
  const nextCursor = results.length === 0 ? (cursor ?? String(lastSeq)) : String(lastSeq);
  return { records, malformed, nextCursor };
}

function fromChange(change: unknown, includeDesignDocs: boolean): UpstreamRecord | MalformedItem | 'skip' {
  if (change === null || typeof change !== 'object' || Array.isArray(change)) return { raw: change, reason: 'change is not a JSON object' };
  const { id, deleted, doc } = change as { id?: unknown; deleted?: unknown; doc?: unknown };
  if (typeof id !== 'string' || id === '') return { raw: change, reason: 'change has no string "id"' };
  if (id.startsWith('_design/') && !includeDesignDocs) return 'skip';
  const body = doc !== null && typeof doc === 'object' && !Array.isArray(doc) ? (doc as Record<string, unknown>) : undefined;
  if (deleted === true || body?._deleted === true) return { upstreamId: id, payload: body ? ownFields(body) : {}, deleted: true };
  if (!body) return { raw: change, reason: `change of "${id}" has no document (include_docs)` };
  return { upstreamId: id, payload: ownFields(body) };
}

/** The document without CouchDB's `_`-prefixed metadata. */
export function ownFields(doc: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(doc).filter(([key]) => !key.startsWith('_')));
}
