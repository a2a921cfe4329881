/**
 * fetch() refuses URLs that carry credentials, and its error quotes the URL into the log; so a
 * source takes them out of its URL and sends them as a Basic authorization header instead.
 */
export interface SplitUrl {
  /** The URL without user and password. */
  url: URL;
  /** `Basic …`, when the URL or the explicit credentials gave a user. */
  authorization?: string;
}

export function splitCredentials(raw: string, explicit: { username?: string; password?: string } = {}): SplitUrl {
  const url = new URL(raw);
  const username = explicit.username ?? (url.username ? decodeURIComponent(url.username) : undefined);
  const password = explicit.password ?? (url.password ? decodeURIComponent(url.password) : undefined);
  url.username = '';
  url.password = '';
  if (username === undefined) return { url };
  return { url, authorization: `Basic ${Buffer.from(`${username}:${password ?? ''}`).toString('base64')}` };
}
