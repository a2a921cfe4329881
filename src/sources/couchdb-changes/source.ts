/**
 * couchdb-changes source: follows a database's `_changes` feed from the stored cursor (CouchDB's
 * `last_seq`; `since=0` the first time) with `feed=longpoll`, so an idle feed waits server-side
 * instead of being polled. What a change becomes is decided in couchdb-changes-page.ts.
 *
 * A longpoll that brings nothing within `longpollTimeoutMs` (+ a grace) is an empty page at the
 * same cursor: CouchDB ends it itself; pouchdb-server ignores `timeout`, so wharf ends it when it
 * has sent only the opening `{"results":[` (and heartbeat newlines). Everything else that is not a
 * `_changes` answer (refused connection, no answer within requestTimeoutMs, 5xx, 401/403, 404,
 * a body that is not JSON) is a retriable SourceUnavailableError saying what was wrong: the
 * operator can fix credentials or create the database while wharf keeps retrying.
 */
import type { CouchdbChangesSourceConfig } from './config';
import { LONGPOLL_GRACE_MS } from './longpoll';
import { fetchTls } from '../../http/tls-agent';
import { splitCredentials } from '../../http/url-credentials';
import { safeUrl } from '../../log';
import { isRetriableStatus, parseJsonBody, parseRetryAfter, requestFailure } from '../../http/response';
import { toChangesPage } from './page';
import { SourceUnavailableError, type SourceAdapter, type SourcePage } from '../source-adapter';

/** What an idle longpoll has sent before its first change: the opening and heartbeats. */
const EMPTY_LONGPOLL = /^\s*\{\s*"results"\s*:\s*\[\s*$/;

export class CouchdbChangesSource implements SourceAdapter {
  readonly id: string;
  private readonly changesUrl: URL;
  /** Server and database as they may appear in messages (no credentials). */
  private readonly where: string;
  // identity: pouchdb-server gzips and so holds back an idle longpoll's opening, which must be
  // seen to tell an idle feed from a server that does not answer.
  private readonly headers: Record<string, string> = { accept: 'application/json', 'accept-encoding': 'identity' };
  /** The `tls` key's CA and client certificate, for an https:// server. */
  private readonly tls: ReturnType<typeof fetchTls>;

  constructor(private readonly config: CouchdbChangesSourceConfig) {
    this.id = config.id;
    this.tls = fetchTls(config.tls);
    const { url: server, authorization } = splitCredentials(config.url, config);
    if (authorization) this.headers.authorization = authorization;
    if (!server.pathname.endsWith('/')) server.pathname += '/';
    this.changesUrl = new URL(`${encodeURIComponent(config.db)}/_changes`, server);
    this.where = `${safeUrl(config.url)}/${config.db}`;
  }

  async fetch(cursor: string | null): Promise<SourcePage> {
    const url = new URL(this.changesUrl);
    url.search = new URLSearchParams({
      since: cursor ?? '0',
      limit: String(this.config.batchSize),
      feed: 'longpoll',
      timeout: String(this.config.longpollTimeoutMs),
      include_docs: 'true',
      style: 'main_only',
    }).toString();

    const idle = new AbortController();
    const signal = AbortSignal.any([idle.signal, AbortSignal.timeout(this.config.requestTimeoutMs)]);
    let received = '';
    const idleTimer = setTimeout(() => {
      if (EMPTY_LONGPOLL.test(received)) idle.abort();
    }, this.config.longpollTimeoutMs + LONGPOLL_GRACE_MS);
    let response: Response;
    try {
      response = await fetch(url, { headers: this.headers, signal, ...this.tls });
      const decoder = new TextDecoder();
      for await (const chunk of response.body ?? []) received += decoder.decode(chunk as Uint8Array, { stream: true });
      received += decoder.decode();
    } catch (err) {
      if (idle.signal.aborted) return { records: [], malformed: [], nextCursor: cursor };
      throw new SourceUnavailableError(this.id, `_changes request to ${this.where} failed: ${requestFailure(err, this.config.requestTimeoutMs)}`, { cause: err });
    } finally {
      clearTimeout(idleTimer);
    }

    if (!response.ok) throw this.statusError(response, received);
    const parsed = parseJsonBody(received, response.headers.get('content-type'));
    if (!parsed.ok) throw new SourceUnavailableError(this.id, `_changes response from ${this.where} is ${parsed.reason}`);
    return toChangesPage(this.id, parsed.body, cursor, this.config.includeDesignDocs);
  }

  private statusError(response: Response, text: string): SourceUnavailableError {
    const status = response.status;
    const detail = `HTTP ${status}${couchReason(text)}`;
    const retryAfterMs = parseRetryAfter(response.headers.get('retry-after'));
    if (status === 401 || status === 403) {
      return new SourceUnavailableError(this.id, `credentials refused by ${this.where} (${detail}): check username and password and the database's members`, { refused: true });
    }
    if (status === 404) return new SourceUnavailableError(this.id, `database ${this.where} does not exist (${detail}): create it or fix "db"`);
    if (!isRetriableStatus(status)) {
      return new SourceUnavailableError(this.id, `_changes request refused by ${this.where} (${detail}): check the source configuration and its stored cursor`);
    }
    return new SourceUnavailableError(this.id, `_changes request to ${this.where} failed (${detail})`, { retryAfterMs });
  }
}

/** CouchDB's `{"error", "reason"}` as " not_found: missing", or nothing. */
function couchReason(text: string): string {
  try {
    const { error, reason } = JSON.parse(text) as { error?: unknown; reason?: unknown };
    const parts = [error, reason].filter((p) => typeof p === 'string' && p !== '');
    return parts.length > 0 ? ` ${parts.join(': ').slice(0, 300)}` : '';
  } catch {
    return '';
  }
}
