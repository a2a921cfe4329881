/**
 * What wharf never shows: the configuration keys that hold secrets (made with `secret()`,
 * util/secret.ts; a unit test checks that SECRET_FIELDS covers every one), further credential
 * names of any library, and the user:password part of URLs. The log redaction, `wharf
 * check-config` and configuration errors use these. No zod here: every actor process loads it.
 */

/** The names of every configuration key that holds a secret (the last part of its path). */
export const SECRET_FIELDS = ['password', 'apiKey', 'digest', 'token', 'headers'] as const;

/** Further names whose values are hidden wherever they appear in a log line (credentials of any library). */
const LOGGED_SECRET_NAMES = ['passwd', 'secret', 'authorization', 'auth', 'sasl', 'credentials'];

/** Key names redacted from log lines. */
export const LOG_SECRET_KEYS: readonly string[] = [...SECRET_FIELDS, ...LOGGED_SECRET_NAMES];

/** Whether a configuration key holds a secret (its value is never shown). */
export function isSecretField(key: PropertyKey | undefined): boolean {
  return typeof key === 'string' && (SECRET_FIELDS as readonly string[]).includes(key);
}

/** Text with the user:password of every URL in it hidden (`scheme://[redacted]@host`). */
export function hideUrlCredentials(text: string): string {
  return text.replace(/([a-z][a-z0-9+.-]*:\/\/)[^/?#@\s"']*@/gi, '$1[redacted]@');
}
