/**
 * A failure state as the operator reads it in the log: one line when it starts, at most one a
 * minute while it lasts (with how many failures it swallowed), one when it ends:
 *
 *   Kafka 127.0.0.1:9999 unreachable (ECONNREFUSED); retrying in 5 s
 *   Kafka 127.0.0.1:9999 still unreachable after 60 s (ECONNREFUSED); 118 failures since the last line
 *   Kafka 127.0.0.1:9999 reachable again after 72 s
 *
 * Each failure is also logged at debug, with its stack: stack traces never appear at info.
 * Callers report every attempt (`failed`, `succeeded`); this decides what reaches the log, on
 * the clock it is given (a fake one in tests).
 */
/** What it needs of a logger (a pino Logger is one); util/ does not import log.ts, which imports util/. */
export interface LineLogger {
  debug(fields: object, message: string): void;
  info(fields: object, message: string): void;
  warn(fields: object, message: string): void;
  error(fields: object, message: string): void;
}

export interface StateLogOptions {
  /** What fails, at the start of every line: "Kafka 127.0.0.1:9092", "sink search". */
  subject: string;
  /** The failure state's word (default "unreachable"). */
  failing?: string;
  /** The state after it (default "reachable again"). */
  recovered?: string;
  /** The level of the start and repeat lines (default warn); the end is info. */
  level?: 'warn' | 'error';
  /** At most one line per this many ms while the state lasts (default one minute). */
  repeatEveryMs?: number;
  /** Fields added to every line (ids the log is searched by). */
  fields?: Record<string, unknown>;
  /**
   * The start line's message, when operators and tests already search for it ("sink unavailable;
   * partition waits and retries"); the reason and the retry delay are then its fields.
   */
  message?: string;
  now?: () => number;
}

export const REPEAT_EVERY_MS = 60_000;

export class StateLog {
  private since?: number;
  private lastLineAt = 0;
  private swallowed = 0;
  private total = 0;
  private readonly now: () => number;

  constructor(
    private readonly log: LineLogger,
    private readonly options: StateLogOptions,
  ) {
    this.now = options.now ?? Date.now;
  }

  get failing(): boolean {
    return this.since !== undefined;
  }

  /**
   * One failed attempt: `reason` is short (an error code, a status); `retryInMs` when the caller
   * knows its next attempt; `detail`, this attempt's fields (attempt, err), on its start line and
   * on the debug line every attempt gets.
   */
  failed(reason: string, info: { retryInMs?: number; err?: unknown; detail?: Record<string, unknown> } = {}): void {
    const { subject, failing = 'unreachable', level = 'warn', repeatEveryMs = REPEAT_EVERY_MS, fields, message } = this.options;
    const now = this.now();
    this.total++;
    const stack = info.err instanceof Error ? info.err.stack : undefined;
    this.log.debug({ ...fields, ...info.detail, reason, retryInMs: info.retryInMs, stack }, message ?? `${subject} ${failing}: ${reason}`);
    const retrying = info.retryInMs === undefined ? 'retrying' : `retrying in ${duration(info.retryInMs)}`;
    if (this.since === undefined) {
      this.since = now;
      this.lastLineAt = now;
      this.log[level]({ ...fields, ...info.detail, reason, retryInMs: info.retryInMs }, message ?? `${subject} ${failing} (${reason}); ${retrying}`);
      return;
    }
    this.swallowed++;
    if (now - this.lastLineAt < repeatEveryMs) return;
    this.log[level](
      { ...fields, reason, failures: this.swallowed, downMs: now - this.since },
      `${subject} still ${failing} after ${duration(now - this.since)} (${reason}); ${this.swallowed} failures since the last line`,
    );
    this.lastLineAt = now;
    this.swallowed = 0;
  }

  /** A successful attempt: ends a failure state with one line, else nothing. */
  succeeded(): void {
    if (this.since === undefined) return;
    const { subject, recovered = 'reachable again', fields } = this.options;
    const downMs = this.now() - this.since;
    this.log.info({ ...fields, downMs, failures: this.total }, `${subject} ${recovered} after ${duration(downMs)}`);
    this.since = undefined;
    this.swallowed = 0;
    this.total = 0;
  }
}

/** "250 ms", "5 s", "72 s". */
export function duration(ms: number): string {
  return ms < 1000 ? `${Math.round(ms)} ms` : `${Math.round(ms / 1000)} s`;
}

const NETWORK_CODE = /\b(ECONNREFUSED|ECONNRESET|ETIMEDOUT|EHOSTUNREACH|ENETUNREACH|ENOTFOUND|EAI_AGAIN|EPIPE|ECONNABORTED)\b/;

/** The short reason of a failure for a state line: a network error code when there is one, else the error's first line. */
export function failureReason(err: unknown, describe: (err: unknown) => string): string {
  const code = (err as { code?: unknown } | null)?.code ?? (err as { cause?: { code?: unknown } } | null)?.cause?.code;
  if (typeof code === 'string' && NETWORK_CODE.test(code)) return code;
  const text = describe(err);
  return NETWORK_CODE.exec(text)?.[1] ?? text.split('\n')[0];
}
