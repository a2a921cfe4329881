/**
 * The HTTP rules every HTTP client of wharf follows (sources and sinks alike): which statuses
 * are worth retrying, how long a Retry-After asks to wait, how a failed request is described,
 * and how a body that should be JSON is read.
 */
import { describeError, tlsRefusal } from '../errors';

/** HTTP statuses worth retrying (Vector's rule): 408, 429 and 5xx except 501 and 505. No status (no answer) is retriable. */
export function isRetriableStatus(status: number | undefined): boolean {
  if (status === undefined) return true;
  if (status === 408 || status === 429) return true;
  return status >= 500 && status !== 501 && status !== 505;
}

/**
 * What a refused request means for the client that sent it, whatever the server:
 *   - `retriable`: try again later (isRetriableStatus);
 *   - `access-refused` (401, 403): the credentials are wrong or lack a permission; no request
 *     succeeds until an operator fixes them, so this is the server being unusable, not the data;
 *   - `too-large` (413): the request was too large; a smaller one may pass;
 *   - `permanent`: this request can never succeed as it is.
 * A server's own error type can say more (a 403 that is a write block, a 429 that is a disk
 * watermark): each client refines this in its own folder.
 */
export type RefusalKind = 'retriable' | 'access-refused' | 'too-large' | 'permanent';

export function refusalKind(status: number | undefined): RefusalKind {
  if (isRetriableStatus(status)) return 'retriable';
  if (status === 401 || status === 403) return 'access-refused';
  if (status === 413) return 'too-large';
  return 'permanent';
}

/** Retry-After as milliseconds: seconds, or an HTTP date. */
export function parseRetryAfter(value: string | null, now = Date.now()): number | undefined {
  if (!value) return undefined;
  if (/^\d+$/.test(value.trim())) return Number(value) * 1000;
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

/** Why fetch failed (describeError adds undici's cause: ECONNREFUSED, ...; a certificate problem says what to fix), or the timeout that ended it. */
export function requestFailure(err: unknown, timeoutMs: number): string {
  if (err instanceof Error && err.name === 'TimeoutError') return `no complete answer within requestTimeoutMs (${timeoutMs} ms)`;
  return tlsRefusal(err) ?? describeError(err);
}

/** A response body parsed as JSON, or the reason it is not JSON (content type and size, not the body). */
export function parseJsonBody(text: string, contentType: string | null): { ok: true; body: unknown } | { ok: false; reason: string } {
  try {
    return { ok: true, body: JSON.parse(text) };
  } catch (err) {
    return { ok: false, reason: `not JSON (${contentType ?? 'unknown content type'}, ${text.length} bytes): ${describeError(err)}` };
  }
}

/**
 * Reads a response body as text, but never more than `maxBytes`: a Content-Length over the cap
 * is refused before reading, and a streamed body is cancelled as soon as it passes the cap.
 * Resolves undefined when the body is over the cap.
 */
export async function readBodyCapped(response: Response, maxBytes: number): Promise<string | undefined> {
  const declared = Number(response.headers.get('content-length') ?? NaN);
  if (declared > maxBytes || !response.body) {
    await response.body?.cancel().catch(() => undefined);
    return declared > maxBytes ? undefined : '';
  }
  const reader = (response.body as ReadableStream<Uint8Array>).getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > maxBytes) {
      await reader.cancel().catch(() => undefined);
      return undefined;
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString('utf8');
}
