/**
 * A record as the sink side sees it: the wire record plus where it stood in Kafka. Sink writers
 * turn it into a document (document.ts); what a sink refuses for good becomes a RejectedRecord,
 * and then a dead letter (dead-letter.ts).
 */
import { compareVersions } from './version';

export interface SinkRecord {
  /** Deterministic id: "<source id>:<upstream id>". */
  id: string;
  source: string;
  /** ISO time the record was fetched from its upstream. */
  ingestedAt: string;
  partition: number;
  offset: string;
  /** Only grows for an id: the wire record's own version, else `offset` (version.ts). */
  version: string;
  /** The upstream record's own fields. */
  payload: Record<string, unknown>;
  /**
   * `payload` as the JSON text it arrived in, when the message allowed taking it as it is
   * (wire-record.ts payloadTextOf): documents are spliced from it (document.ts documentText).
   */
  payloadText?: string;
  /** A tombstone (wire-record.ts): the sinks keep it as a deletion of this version. */
  deleted?: true;
  /** Size of the Kafka message the record came in, when known (bounds its document's size). */
  wireBytes?: number;
}

/** A record a sink can never accept (mapping conflict, oversized, invalid), with why. */
export interface RejectedRecord {
  record: SinkRecord;
  sink: string;
  reason: string;
  status?: number;
  attempts: number;
}

/**
 * Only the greatest version of each id in a batch (the first of equal ones), in batch order:
 * what writing the batch in sequence would leave, without sending the others. Sinks count the
 * rest as stale. Needed where a batch's requests go concurrently and so may land out of order.
 */
export function newestPerId(batch: readonly SinkRecord[]): SinkRecord[] {
  const newest = new Map<string, SinkRecord>();
  for (const record of batch) {
    const kept = newest.get(record.id);
    if (!kept || compareVersions(record.version, kept.version) > 0) newest.set(record.id, record);
  }
  return [...newest.values()];
}
