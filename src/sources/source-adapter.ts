/**
 * What every source adapter does: fetch the page of records after a cursor. Adapters do pure
 * I/O and know nothing of Kafka, cursors' storage or actors (the source poller does that).
 */
import { WharfError } from '../errors';

export interface UpstreamRecord {
  /** The upstream's own id (from the source's idField). */
  upstreamId: string;
  payload: Record<string, unknown>;
  /** The upstream says the record was deleted (a CouchDB deletion); it becomes a tombstone. */
  deleted?: boolean;
}

/** Something in a response that cannot become a record (no id, not an object). */
export interface MalformedItem {
  raw: unknown;
  reason: string;
}

export interface SourcePage {
  records: UpstreamRecord[];
  malformed: MalformedItem[];
  /** The cursor to ask from next; null when the upstream gave none (no more now). */
  nextCursor: string | null;
}

export interface SourceAdapter {
  readonly id: string;
  fetch(cursor: string | null): Promise<SourcePage>;
}

/**
 * The upstream did not give a usable answer; asking again later can succeed. `refused`: it
 * refused wharf's credentials (401/403) or wharf refused its certificate, so only an operator's
 * fix helps (the source is then reported unavailable in /readyz while it is retried).
 */
export class SourceUnavailableError extends WharfError {
  readonly source: string;
  constructor(source: string, message: string, options: { retryAfterMs?: number; cause?: unknown; refused?: boolean } = {}) {
    super(`source ${source}: ${message}`, { retriable: true, cause: options.cause, retryAfterMs: options.retryAfterMs, refused: options.refused });
    this.source = source;
  }
}

/** The stored cursor is not one this source wrote (its type changed, or it was edited); only an operator can fix it. */
export class InvalidCursorError extends WharfError {
  readonly source: string;

  constructor(source: string, reason: string) {
    super(`source ${source}: stored cursor is unusable (${reason}); repair it with \`wharf cursor reset ${source}\` (read from the start) or \`wharf cursor set ${source} <cursor>\``, { retriable: false });
    this.source = source;
  }
}
