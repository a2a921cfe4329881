/**
 * What CouchDB's answers to `_bulk_docs` mean for the writer, for the whole request and per
 * document. CouchDB (and pouchdb-server) tell an access problem from a document problem this way:
 *
 *   - request 401 `unauthorized` (wrong name or password) or 403 `forbidden` (no write access
 *     to the database): no document can pass until the credentials or the database's security
 *     are fixed: the sink is unavailable, the batch waits;
 *   - per document, `forbidden` is thrown by a validate_doc_update function about that document:
 *     rejected; `unauthorized` thrown by one means the *user* lacks a name or role it requires
 *     (CouchDB answers it as a 401, asking to authenticate): an access problem, unavailable;
 *   - request 413 (`document_too_large` from CouchDB's max_document_size, `too_large` from
 *     max_http_request_size and from pouchdb-server's max_document_size): the request is split
 *     (sink-writer.ts, sendInBulk) until the one document too large alone is rejected; a
 *     per-document `document_too_large` or `too_large` is rejected;
 *   - `bad_request`, `doc_validation`, `invalid_id` (request or document): rejected (split first
 *     for a request: pouchdb-server answers a whole request 500 doc_validation for one document);
 *   - `conflict`: resolved against the stored version by the writer;
 *   - anything else (a 5xx, a timeout) is retried.
 */
import { tlsRefusal } from '../../errors';
import { refusalKind } from '../../http/response';

/** Per-document errors that no retry can fix: the document itself is refused. */
const DOCUMENT_ERRORS = new Set(['forbidden', 'bad_request', 'doc_validation', 'invalid_id', 'document_too_large', 'too_large']);

export interface BulkItem {
  id?: string;
  ok?: boolean;
  rev?: string;
  error?: string;
  reason?: string;
}

export type ItemOutcome = 'written' | 'conflict' | 'rejected' | 'unavailable' | 'again';

export function itemOutcome(item: BulkItem): ItemOutcome {
  if (item.ok || (!item.error && item.id)) return 'written';
  if (item.error === 'conflict') return 'conflict';
  if (item.error === 'unauthorized') return 'unavailable';
  if (DOCUMENT_ERRORS.has(item.error ?? '')) return 'rejected';
  return 'again';
}

/** Why CouchDB refused a whole request: an access problem (what to fix), the documents' fault (to split), or neither. */
export function requestRefusal(answer: { statusCode?: number; error?: string; reason?: string }, db: string): { unavailable: string } | { refused: string } | undefined {
  const what = `${answer.statusCode ?? 'no status'} ${answer.error ?? ''}: ${answer.reason ?? ''}`;
  const kind = refusalKind(answer.statusCode);
  if (answer.statusCode === 401) return { unavailable: `credentials refused by CouchDB (${what}); check the sink's username and password` };
  if (kind === 'access-refused') return { unavailable: `not allowed to write to database ${db} (${what}); check the user's roles and the database's _security` };
  if (kind === 'too-large' || answer.statusCode === 400 || DOCUMENT_ERRORS.has(answer.error ?? '')) return { refused: `${answer.error ?? 'too_large'}: ${answer.reason ?? what}` };
  return undefined;
}

/** What a per-document `unauthorized` asks the operator to fix. */
export function itemUnauthorized(item: BulkItem, db: string): string {
  return `not authorized to write document ${item.id} to database ${db} (unauthorized: ${item.reason ?? ''}, from a validate_doc_update function); check the user's name and roles`;
}

/** What to fix when a request failed because CouchDB refused the sink's credentials or access, or wharf refused its certificate. */
export function couchRefusal(err: unknown, db: string): string | undefined {
  const refusal = requestRefusal(err as { statusCode?: number; error?: string; reason?: string }, db);
  return (refusal && 'unavailable' in refusal ? refusal.unavailable : undefined) ?? tlsRefusal(err);
}
