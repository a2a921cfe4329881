/**
 * The root pino logger. JSON to stdout (journald keeps it); one child logger per component.
 * Secrets never reach the log: known credential fields are redacted wherever they appear, and
 * URLs are logged only through `safeUrl`, which drops any user:password part.
 */
import pino from 'pino';
import { LOG_SECRET_KEYS } from './util/secret';

export type Logger = pino.Logger;
export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** pino redaction paths for secret keys at the top level and up to three objects deep. */
export function redactionPaths(keys: readonly string[] = LOG_SECRET_KEYS): string[] {
  const prefixes = ['', '*.', '*.*.', '*.*.*.'];
  return prefixes.flatMap((prefix) => keys.map((key) => `${prefix}${key}`));
}

/** Extra secret keys from the configuration (`log.redact`), handed to actor processes through the environment. */
function configuredSecretKeys(): string[] {
  return (process.env.WHARF_LOG_REDACT ?? '').split(',').filter((key) => /^[A-Za-z_$][\w$-]*$/.test(key));
}

export function createLogger(options: { level?: LogLevel; destination?: pino.DestinationStream } = {}): Logger {
  const level = options.level ?? (process.env.WHARF_LOG_LEVEL as LogLevel | undefined) ?? 'info';
  return pino(
    {
      name: 'wharf',
      level,
      base: { pid: process.pid },
      timestamp: pino.stdTimeFunctions.isoTime,
      redact: { paths: redactionPaths([...LOG_SECRET_KEYS, ...configuredSecretKeys()]), censor: '[redacted]' },
      formatters: { level: (label) => ({ level: label }) },
    },
    options.destination ?? pino.destination({ dest: 1, sync: true }),
  );
}

let processLogger: Logger | undefined;

/** The one logger of this process (a single writer keeps JSON lines whole on stdout). */
export function getProcessLogger(level?: LogLevel): Logger {
  processLogger ??= createLogger({ level });
  if (level && processLogger.level !== level) processLogger.level = level;
  return processLogger;
}

/** A URL as it may be logged: without credentials. Unparseable input is replaced, not echoed. */
export function safeUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.username || parsed.password) {
      parsed.username = '';
      parsed.password = '';
    }
    return parsed.toString().replace(/\/$/, '');
  } catch {
    return '[unparseable url]';
  }
}
