/**
 * wharf's error types. Every error says whether retrying the same operation can succeed
 * (`retriable`), keeps its `cause`, and carries the domain fields an operator needs to act.
 */
export class WharfError extends Error {
  readonly retriable: boolean;
  /** How long the server or upstream asked us to wait before retrying (Retry-After), if it did. */
  readonly retryAfterMs?: number;
  /**
   * The server refused wharf itself: its credentials, a permission, or its certificate (or
   * wharf refused the server's). Retrying succeeds only after an operator's fix, so the
   * component is reported unavailable (/readyz) with this error, besides being retried.
   */
  readonly refused: boolean;

  constructor(message: string, options: { retriable: boolean; cause?: unknown; retryAfterMs?: number; refused?: boolean }) {
    super(message, { cause: options.cause });
    this.name = new.target.name;
    this.retriable = options.retriable;
    this.retryAfterMs = options.retryAfterMs;
    this.refused = options.refused ?? tlsRefusal(options.cause) !== undefined;
  }
}

/**
 * A server certificate Node.js does not trust, or that does not name the server: by Node.js's
 * error code, or by its message where a client library kept only the message (kafkajs, the
 * Elasticsearch client).
 */
const UNTRUSTED_CERTIFICATE =
  /UNABLE_TO_VERIFY_LEAF_SIGNATURE|UNABLE_TO_GET_ISSUER_CERT|SELF_SIGNED_CERT_IN_CHAIN|DEPTH_ZERO_SELF_SIGNED_CERT|CERT_UNTRUSTED|CERT_SIGNATURE_FAILURE|CERT_HAS_EXPIRED|CERT_NOT_YET_VALID|unable to verify the first certificate|self[- ]signed certificate|unable to get (local )?issuer certificate|certificate has expired|certificate is not yet valid/i;
const WRONG_NAME = /ERR_TLS_CERT_ALTNAME_INVALID|does not match certificate's altnames/i;

/** The certificate problem in an error or its causes, with what to fix; undefined if there is none. */
export function tlsRefusal(err: unknown): string | undefined {
  let e: unknown = err;
  for (let depth = 0; depth < 5 && e instanceof Error; depth++) {
    const said = `${(e as NodeJS.ErrnoException).code ?? ''} ${e.message}`;
    if (WRONG_NAME.test(said)) return `the server's certificate does not name this host (${e.message}): set tls.serverName, or connect by a name the certificate carries`;
    if (UNTRUSTED_CERTIFICATE.test(said)) return `the server's certificate is not trusted (${e.message}): set tls.caFile to the CA that signed it`;
    e = e.cause;
  }
  return undefined;
}

/** Whether an error is a refusal (see WharfError.refused), or has a certificate problem as a cause. */
export function isRefusal(err: unknown): boolean {
  return (err instanceof WharfError && err.refused) || tlsRefusal(err) !== undefined;
}

/** One problem in a configuration file: where, what was found, what was expected. */
export interface ConfigIssue {
  path: string;
  message: string;
}

/** The configuration cannot be used; retrying without an operator's edit cannot help. */
export class ConfigError extends WharfError {
  readonly file: string;
  readonly issues: readonly ConfigIssue[];

  constructor(file: string, issues: readonly ConfigIssue[]) {
    super(`invalid configuration ${file}:\n${issues.map((i) => `  ${i.path || '(root)'}: ${i.message}`).join('\n')}`, {
      retriable: false,
    });
    this.file = file;
    this.issues = issues;
  }
}

/** A server wharf depends on did not answer as it should; it may well answer later. */
export class ServiceUnavailableError extends WharfError {
  readonly service: string;

  constructor(service: string, message: string, cause?: unknown) {
    super(`${service} unavailable: ${message}`, { retriable: true, cause });
    this.service = service;
  }
}

/** An operation kept failing with retriable errors until its bound ran out. */
export class RetriesExhaustedError extends WharfError {
  readonly attempts: number;

  constructor(what: string, attempts: number, cause?: unknown) {
    super(`${what}: gave up after ${attempts} attempts${cause instanceof Error ? `: ${cause.message}` : ''}`, {
      retriable: false,
      cause,
    });
    this.attempts = attempts;
  }
}

/** The operation was stopped from outside (wharf stopping, a partition taken away) before it succeeded. */
export class OperationAbortedError extends WharfError {
  constructor(what: string, cause?: unknown) {
    super(`${what}: stopped before it succeeded`, { retriable: false, cause });
  }
}

/** A short, log-safe description of any thrown value. */
export function describeError(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  let text = err.message || err.name;
  // Node's fetch says only "fetch failed"; the why (ECONNREFUSED 127.0.0.1:9) is in its cause.
  let cause: unknown = err.cause;
  // A cause's first line only (a client's multi-line message would break the log line), and only if not said already.
  for (let depth = 0; depth < 3 && cause instanceof Error; depth++, cause = cause.cause) {
    const line = cause.message.split('\n')[0].trim();
    if (line && !text.includes(line)) text += `: ${line}`;
  }
  return text;
}

/** A supervised child is not running right now (restarting, stopped); try again shortly. */
export class ChildUnavailableError extends WharfError {
  readonly child: string;

  constructor(child: string, state: string) {
    super(`actor ${child} is not available (${state})`, { retriable: true });
    this.child = child;
  }
}

/** A request to an actor got no answer: it crashed, was killed, or took longer than allowed. */
export class ActorRequestError extends WharfError {
  readonly child: string;
  readonly topic: string;

  constructor(child: string, topic: string, reason: string, cause?: unknown) {
    super(`request ${topic} to actor ${child} failed: ${reason}`, { retriable: true, cause });
    this.child = child;
    this.topic = topic;
  }
}

/** An actor's start() failed; the supervisor counts it like a crash. */
export class ActorStartError extends WharfError {
  readonly child: string;

  constructor(child: string, reason: string, cause?: unknown) {
    super(`actor ${child} failed to start: ${reason}`, { retriable: true, cause });
    this.child = child;
  }
}
