/**
 * What every sink writer does, whatever the server: write a batch of records as documents under
 * their deterministic ids, so that writing the same batch again changes nothing.
 *
 * Outcome of a batch:
 *   - every record is written (or already there unchanged), except
 *   - records the server can never accept (mapping conflicts, oversized or invalid documents),
 *     returned as `rejected` with the reason, for the dead-letter topic;
 *   - if the server is unavailable, or items keep failing with retriable errors (429, 5xx)
 *     after the writer's own retries, `write` throws a retriable SinkUnavailableError and the
 *     caller retries the whole batch later (it must not commit the batch's offsets).
 */
import { WharfError } from '../errors';

export interface SinkRecord {
  /** Deterministic id: "<source id>:<upstream id>". */
  id: string;
  source: string;
  /** ISO time the record was fetched from its upstream. */
  ingestedAt: string;
  partition: number;
  offset: string;
  /** The upstream record's own fields. */
  payload: Record<string, unknown>;
  /** Size of the Kafka message the record came in, when known (bounds its document's size). */
  wireBytes?: number;
}

export interface RejectedRecord {
  record: SinkRecord;
  sink: string;
  reason: string;
  status?: number;
  attempts: number;
}

export interface SinkWriteResult {
  written: number;
  unchanged: number;
  rejected: RejectedRecord[];
}

export interface SinkWriter {
  readonly id: string;
  /** Creates the index or database if missing. */
  prepare(): Promise<void>;
  write(batch: readonly SinkRecord[]): Promise<SinkWriteResult>;
  close(): Promise<void>;
}

/** The sink cannot take the batch now; retrying later can succeed. */
export class SinkUnavailableError extends WharfError {
  readonly sink: string;

  constructor(sink: string, message: string, cause?: unknown) {
    super(`sink ${sink} unavailable: ${message}`, { retriable: true, cause });
    this.sink = sink;
  }
}

/**
 * Splits a batch into records small enough to send and rejections for those whose document
 * (as JSON) is larger than `maxBytes`; those are dead-lettered without being sent.
 */
/** Upper bound of what a document adds to its record's Kafka message (the wharf object's partition and offset). */
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

/** HTTP statuses worth retrying (Vector's rule): 408, 429 and 5xx except 501 and 505. */
export function isRetriableStatus(status: number | undefined): boolean {
  if (status === undefined) return true;
  if (status === 408 || status === 429) return true;
  return status >= 500 && status !== 501 && status !== 505;
}
