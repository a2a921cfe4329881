/**
 * What every sink writer does, whatever the server: write a batch of records as documents under
 * their deterministic ids, so that writing the same batch again changes nothing, and keep for
 * each id the document of the greatest version (records/version.ts), whatever order they come in.
 *
 * Outcome of a batch:
 *   - every record is written, or already there unchanged, or `stale`: refused as older than (or
 *     the same version as) what the sink holds. A stale record is done: it is acknowledged, never
 *     retried nor dead-lettered, because the newer one is stored; except
 *   - records the server can never accept (mapping conflicts, oversized or invalid documents),
 *     returned as `rejected` with the reason, for the dead-letter topic;
 *   - if the server is unavailable, or items keep failing with retriable errors (429, 5xx)
 *     after the writer's own retries, `write` throws a retriable SinkUnavailableError and the
 *     caller retries the whole batch later (it must not commit the batch's offsets).
 */
import { describeError, RetriesExhaustedError, WharfError } from '../errors';
import { RETRY_POLICIES } from '../retry/policies';
import { retry } from '../retry/retry';
import type { RejectedRecord, SinkRecord } from '../records/sink-record';

export interface SinkWriteResult {
  written: number;
  unchanged: number;
  /** Records the sink already holds a newer (or the same) version of, so it keeps that one. */
  stale: number;
  rejected: RejectedRecord[];
}

export interface WriteOptions {
  /**
   * A repair (`wharf verify --repair`): a stored document of the same version as the record
   * but other content (altered behind wharf's back) is replaced, instead of counting as
   * unchanged or stale. Never in the pipeline: there the same version is the same record.
   */
  replaceSameVersion?: boolean;
  /** The records topic the batch was read from (the HDFS archive names its files by it). */
  topic?: string;
  /** Fires when the batch is given up (rebalance, stop): a request still waiting for a sink's rate ceiling is not sent. */
  signal?: AbortSignal;
}

export interface SinkWriter {
  readonly id: string;
  /** Creates the index or database if missing. */
  prepare(): Promise<void>;
  write(batch: readonly SinkRecord[], options?: WriteOptions): Promise<SinkWriteResult>;
  close(): Promise<void>;
}

/** The sink cannot take the batch now; retrying later can succeed. */
export class SinkUnavailableError extends WharfError {
  readonly sink: string;

  constructor(sink: string, message: string, cause?: unknown, retryAfterMs?: number) {
    super(`sink ${sink} unavailable: ${message}`, { retriable: true, cause, retryAfterMs });
    this.sink = sink;
  }
}

/** One bulk request's outcome: the server refused it whole, or these items must be sent again. */
export type BulkRound<T> = { refused: string } | { again: T[]; detail: string; retryAfterMs?: number };

/**
 * A sink writer's one way of sending items in bulk, whatever the server:
 *   - `send` writes the pending items once and says which must go again (a retriable status, a
 *     conflict to resend with the current revision): only those are retried, with the
 *     sinkItems policy (an immediate resend when `retryAfterMs` is 0), up to the sink's
 *     maxAttempts; after that the whole batch is given back as SinkUnavailableError
 *     (retriable: it stays uncommitted and is retried later);
 *   - a request the server refused whole (too large, or one invalid document spoils it) is
 *     split in halves, recursively, so the rest goes through and only the single items the
 *     server still refuses are rejected (`rejectSingle`);
 *   - any other error (the request itself failed) is passed on at once.
 */
export async function sendInBulk<T>(
  { id: sink, maxAttempts }: { id: string; maxAttempts: number },
  items: readonly T[],
  send: (pending: T[], attempt: number) => Promise<BulkRound<T>>,
  rejectSingle: (item: T, reason: string, attempt: number) => void,
): Promise<void> {
  let pending = [...items];
  try {
    await retry(
      async (attempt) => {
        const round = await send(pending, attempt);
        if ('refused' in round) {
          const sent = pending;
          pending = [];
          if (sent.length === 1) return rejectSingle(sent[0], round.refused, attempt);
          const half = Math.ceil(sent.length / 2);
          await sendInBulk({ id: sink, maxAttempts }, sent.slice(0, half), send, rejectSingle);
          await sendInBulk({ id: sink, maxAttempts }, sent.slice(half), send, rejectSingle);
          return;
        }
        pending = round.again;
        if (pending.length > 0) throw new ItemsPendingError(sink, round.detail, round.retryAfterMs);
      },
      { what: `sink ${sink}: items`, policy: RETRY_POLICIES.sinkItems, maxAttempts, retryOn: (err) => err instanceof ItemsPendingError },
    );
  } catch (err) {
    if (!(err instanceof RetriesExhaustedError)) throw err;
    const cause = err.cause instanceof ItemsPendingError ? err.cause.detail : describeError(err.cause);
    throw new SinkUnavailableError(sink, `${cause}, still after ${err.attempts} attempts`, err);
  }
}

class ItemsPendingError extends SinkUnavailableError {
  constructor(
    sink: string,
    readonly detail: string,
    retryAfterMs?: number,
  ) {
    super(sink, detail, undefined, retryAfterMs);
  }
}

/**
 * Splits a batch into records small enough to send and rejections for those whose document
 * (as JSON) is larger than `maxBytes`; those are dead-lettered without being sent.
 */
/** Upper bound of what a document adds to its record's Kafka message (the wharf object's partition, offset and version: under 100 bytes). */
const WIRE_TO_DOCUMENT_SLACK = 256;

export function withoutOversized(
  sink: string,
  batch: readonly SinkRecord[],
  maxBytes: number,
  documentOf: (record: SinkRecord) => unknown,
): { sendable: SinkRecord[]; rejected: RejectedRecord[] } {
  const sendable: SinkRecord[] = [];
  const rejected: RejectedRecord[] = [];
  for (const record of batch) {
    // Serializing every document just to measure it costs a consumer ~8% of its CPU: a record
    // whose Kafka message is well under the limit cannot make a document over it.
    if (record.wireBytes !== undefined && record.wireBytes + WIRE_TO_DOCUMENT_SLACK <= maxBytes) {
      sendable.push(record);
      continue;
    }
    const bytes = Buffer.byteLength(JSON.stringify(documentOf(record)));
    if (bytes > maxBytes) rejected.push({ record, sink, reason: `document of ${bytes} bytes exceeds maxDocumentBytes ${maxBytes}`, status: 413, attempts: 0 });
    else sendable.push(record);
  }
  return { sendable, rejected };
}
