/**
 * http-json source: GET <url>?<cursorParam>=<cursor>, the records at `itemsPath`, the next
 * cursor at `nextCursorPath`. Honours 429/503 with Retry-After, treats 408/429/5xx, timeouts,
 * refused connections and bodies that are not the expected JSON (an HTML error page, truncated
 * JSON) as retriable, and sends If-None-Match when the upstream gave an ETag for an empty page
 * at the same cursor (a 304 then means still nothing new). Items without an id are returned as
 * malformed. A body over `maxResponseBytes` is not read further (retriable: the upstream may
 * answer with a smaller page later, or the operator raises the cap).
 */
import type { HttpJsonSourceConfig } from './config';
import { atPath } from './json-path';
import { fetchTls } from '../../http/tls-agent';
import { splitCredentials } from '../../http/url-credentials';
import { safeUrl } from '../../log';
import { isRetriableStatus, parseJsonBody, parseRetryAfter, readBodyCapped, requestFailure } from '../../http/response';
import { SourceUnavailableError, type MalformedItem, type SourceAdapter, type SourcePage, type UpstreamRecord } from '../source-adapter';

export class HttpJsonSource implements SourceAdapter {
  readonly id: string;
  private readonly etags = new Map<string, string>();
  private readonly baseUrl: URL;
  private readonly baseHeaders: Record<string, string>;
  /** The `tls` key's CA and client certificate, for an https:// feed. */
  private readonly tls: ReturnType<typeof fetchTls>;

  constructor(private readonly config: HttpJsonSourceConfig) {
    this.id = config.id;
    this.tls = fetchTls(config.tls);
    const { url, authorization } = splitCredentials(config.url, config);
    this.baseUrl = url;
    this.baseHeaders = { accept: 'application/json', ...config.headers };
    // A configured Authorization header wins over credentials in the URL.
    const hasAuthorization = Object.keys(config.headers).some((name) => name.toLowerCase() === 'authorization');
    if (authorization && !hasAuthorization) this.baseHeaders.authorization = authorization;
  }

  async fetch(cursor: string | null): Promise<SourcePage> {
    const url = new URL(this.baseUrl);
    if (cursor !== null) url.searchParams.set(this.config.cursorParam, cursor);
    const headers: Record<string, string> = { ...this.baseHeaders };
    const etag = this.etags.get(cursor ?? '');
    if (etag) headers['if-none-match'] = etag;

    let response: Response;
    let text: string;
    try {
      response = await fetch(url, { headers, signal: AbortSignal.timeout(this.config.requestTimeoutMs), ...this.tls });
      const body = await readBodyCapped(response, this.config.maxResponseBytes);
      if (body === undefined) {
        throw new SourceUnavailableError(this.id, `response to GET ${safeUrl(url.toString())} is over maxResponseBytes (${this.config.maxResponseBytes} bytes); raise maxResponseBytes or ask the upstream for smaller pages`);
      }
      text = body;
    } catch (err) {
      if (err instanceof SourceUnavailableError) throw err;
      throw new SourceUnavailableError(this.id, `GET ${safeUrl(url.toString())} failed: ${requestFailure(err, this.config.requestTimeoutMs)}`, { cause: err });
    }
    if (response.status === 304) return { records: [], malformed: [], nextCursor: cursor };
    if (response.status === 401 || response.status === 403) {
      throw new SourceUnavailableError(this.id, `credentials refused by ${safeUrl(this.baseUrl.toString())} (HTTP ${response.status}): check the source's username and password, or its headers`, { refused: true });
    }
    if (!response.ok) {
      const retryAfterMs = parseRetryAfter(response.headers.get('retry-after'));
      const retriable = isRetriableStatus(response.status);
      throw new SourceUnavailableError(this.id, `HTTP ${response.status}${retriable ? '' : ' (check the source configuration)'}`, { retryAfterMs });
    }
    const parsed = parseJsonBody(text, response.headers.get('content-type'));
    if (!parsed.ok) throw new SourceUnavailableError(this.id, `response is ${parsed.reason}`);
    const body = parsed.body;
    const items = atPath(body, this.config.itemsPath);
    if (!Array.isArray(items)) {
      throw new SourceUnavailableError(this.id, `response has no array at "${this.config.itemsPath}"`);
    }

    const records: UpstreamRecord[] = [];
    const malformed: MalformedItem[] = [];
    for (const item of items) {
      if (item === null || typeof item !== 'object' || Array.isArray(item)) {
        malformed.push({ raw: item, reason: 'item is not a JSON object' });
        continue;
      }
      const upstreamId = (item as Record<string, unknown>)[this.config.idField];
      if (typeof upstreamId !== 'string' && typeof upstreamId !== 'number') {
        malformed.push({ raw: item, reason: `item has no string or number "${this.config.idField}"` });
        continue;
      }
      records.push({ upstreamId: String(upstreamId), payload: item as Record<string, unknown> });
    }
    // An ETag is remembered only for a page with nothing in it: a page with records is asked
    // again only if handling it failed, and must then come back whole, not as a 304.
    const responseEtag = response.headers.get('etag');
    if (responseEtag && items.length === 0) this.etags.set(cursor ?? '', responseEtag);
    else this.etags.delete(cursor ?? '');
    const next = atPath(body, this.config.nextCursorPath);
    if (next !== null && next !== undefined && typeof next !== 'string' && typeof next !== 'number') {
      throw new SourceUnavailableError(this.id, `the next cursor at "${this.config.nextCursorPath}" is neither a string nor a number`);
    }
    return { records, malformed, nextCursor: next === null || next === undefined ? null : String(next) };
  }
}
