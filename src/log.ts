/**
 * The root pino logger. JSON to stdout (journald keeps it); one child logger per component.
 * Secrets never reach the log: known credential fields are redacted wherever they appear, and
 * URLs are logged only through `safeUrl`, which drops any user:password part.
 *
 * Under systemd, stdout is the journal's stream, and a line that starts with a syslog priority
 * `<N>` is filed under that priority, the prefix removed (systemd.exec SyslogLevelPrefix=, on by
 * default and set in deploy/wharf.service). So when stdout is that stream (systemd says so in
 * JOURNAL_STREAM, its device:inode), each line gets its level's priority, and
 * `journalctl -u wharf -p err` finds errors; anywhere else the lines stay plain JSON.
 */
import { fstatSync } from 'node:fs';
import pino from 'pino';
import { LOG_SECRET_KEYS } from './util/redaction';

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

/** Syslog priorities (RFC 5424) of pino's levels: crit, err, warning, info, debug. */
export const SYSLOG_PRIORITY: Readonly<Record<string, number>> = { fatal: 2, error: 3, warn: 4, info: 6, debug: 7, trace: 7 };

/** A JSON log line with its level's syslog priority in front, for journald. */
export function withSyslogPriority(line: string): string {
  const level = /^\{"level":"([a-z]+)"/.exec(line)?.[1];
  return `<${SYSLOG_PRIORITY[level ?? ''] ?? SYSLOG_PRIORITY.info}>${line}`;
}

/** Whether this process's stdout is the journal's stream (systemd sets JOURNAL_STREAM to its device:inode). */
export function stdoutIsJournal(env: NodeJS.ProcessEnv = process.env): boolean {
  const [dev, ino] = (env.JOURNAL_STREAM ?? '').split(':');
  if (!dev || !ino) return false;
  try {
    const stat = fstatSync(1);
    return String(stat.dev) === dev && String(stat.ino) === ino;
  } catch {
    return false;
  }
}

export function createLogger(options: { level?: LogLevel; destination?: pino.DestinationStream } = {}): Logger {
  const level = options.level ?? (process.env.WHARF_LOG_LEVEL as LogLevel | undefined) ?? 'info';
  const journal = options.destination === undefined && stdoutIsJournal();
  return pino(
    {
      name: 'wharf',
      level,
      base: { pid: process.pid },
      timestamp: pino.stdTimeFunctions.isoTime,
      redact: { paths: redactionPaths([...LOG_SECRET_KEYS, ...configuredSecretKeys()]), censor: '[redacted]' },
      // The level comes first in each line, which withSyslogPriority relies on.
      formatters: { level: (label) => ({ level: label }) },
      hooks: journal ? { streamWrite: withSyslogPriority } : {},
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
