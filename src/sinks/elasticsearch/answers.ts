/**
 * What Elasticsearch's answers mean for the writer, for a whole request and for one `_bulk` item.
 * The HTTP status says most of it (http/response.ts); Elasticsearch's error type says the rest:
 *
 *   - `cluster_block_exception` is a write block on the index or cluster: `index.blocks.write`
 *     and `index.blocks.read_only` answer 403, the read-only-allow-delete block put after a
 *     flood-stage disk watermark answers 429. No document is at fault and nothing passes until
 *     the block is lifted: the sink is unavailable (not rejected, not retried item by item);
 *   - `index_closed_exception` (400): the index is closed; unavailable until it is opened;
 *   - 401/403 (`security_exception`): credentials refused or lacking a privilege: unavailable;
 *   - 409 `version_conflict_engine_exception`: a newer or the same version is stored: stale;
 *   - 413: too large: the request is split (sink-writer.ts, sendInBulk), and an item that is
 *     still too large alone is rejected;
 *   - 408/429/5xx: retried item by item; any other status is the document's fault: rejected.
 */
import { tlsRefusal } from '../../errors';
import { refusalKind } from '../../http/response';

export interface EsError {
  type?: string;
  reason?: string | null;
  /** Why the credentials given were refused, e.g. "API key: api key [abc] has been invalidated". */
  additional_unsuccessful_credentials?: string;
}

/** Which of the sink's keys to check when Elasticsearch refuses its credentials. */
export function credentialsOf(sink: { apiKey?: string; username?: string }): string {
  if (sink.apiKey) return 'apiKey (it may have expired or been invalidated: create a new one)';
  return sink.username ? 'username and password' : 'credentials (it sends none: set apiKey, or username and password)';
}

export type ItemOutcome = { kind: 'written' | 'stale' | 'again' | 'rejected'; reason: string } | { kind: 'unavailable'; reason: string };

/** An item refused because the stored document's external version is newer or the same. */
const STALE_VERSION = 'version_conflict_engine_exception';

/** What an answer with this status and error asks of the operator, or undefined if it is no operator's matter. */
export function unavailability(index: string, status: number | undefined, error: EsError | undefined, credentials = 'username and password'): string | undefined {
  const why = error?.additional_unsuccessful_credentials ? ` (${error.additional_unsuccessful_credentials})` : '';
  const what = error?.type ? `${error.type}: ${error.reason ?? ''}${why}` : `status ${status}`;
  if (error?.type === 'cluster_block_exception') return `index ${index} is write-blocked (${what}); lift the block (index.blocks.*, or free disk space below the flood-stage watermark)`;
  if (error?.type === 'index_closed_exception') return `index ${index} is closed (${what}); open it`;
  if (status === 401) return `credentials refused by Elasticsearch (401 ${what}); check the sink's ${credentials}`;
  if (refusalKind(status) === 'access-refused') return `not allowed to write to index ${index} (${status} ${what}); grant the sink's user the index privilege`;
  return undefined;
}

/**
 * What to fix when a whole request failed because Elasticsearch refused it (credentials, a
 * privilege, a block) or wharf refused Elasticsearch's certificate; undefined for anything else.
 */
export function esRefusal(sink: { index: string; apiKey?: string; username?: string }, err: unknown): string | undefined {
  const response = err as { statusCode?: unknown; body?: { error?: unknown } } | undefined;
  const error = typeof response?.body?.error === 'object' ? (response.body.error as EsError) : undefined;
  const refused = typeof response?.statusCode === 'number' ? unavailability(sink.index, response.statusCode, error, credentialsOf(sink)) : undefined;
  return refused ?? pinnedCaRefusal(err) ?? tlsRefusal(err);
}

/**
 * The Elasticsearch client's words when `tls.caFingerprint` does not match: another CA at the top
 * of the chain, or a server that sends no CA at all ("Invalid or malformed certificate": only its
 * own certificate, which a pinned CA cannot be checked against).
 */
function pinnedCaRefusal(err: unknown): string | undefined {
  const message = err instanceof Error ? err.message : '';
  if (/CA fingerprint does not match/.test(message)) return `the server's CA is not the one pinned by tls.caFingerprint (${message}): check the fingerprint, or use tls.caFile`;
  if (/Invalid or malformed certificate/.test(message)) return `the server sends no CA certificate to check tls.caFingerprint against (${message}): use tls.caFile, or make it send its chain`;
  return undefined;
}

export function itemOutcome(index: string, status: number, error: EsError | undefined, credentials?: string): ItemOutcome {
  const reason = error ? `${error.type}: ${error.reason ?? ''}` : `status ${status}`;
  if (status >= 200 && status < 300) return { kind: 'written', reason };
  if (status === 409 && error?.type === STALE_VERSION) return { kind: 'stale', reason };
  const unavailable = unavailability(index, status, error, credentials);
  if (unavailable) return { kind: 'unavailable', reason: unavailable };
  return { kind: refusalKind(status) === 'retriable' ? 'again' : 'rejected', reason };
}
