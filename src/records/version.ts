/**
 * A record's version: the number that decides, in every sink, which of two writes of one id is
 * the newer. It only grows for an id, so a late writer (`wharf replay`, a consumer that lost its
 * partitions mid-batch, a dead letter re-delivered days later) can never put an older record
 * back over a newer one.
 *
 * It is a decimal string of a non-negative integer below 2^63 (Elasticsearch's external version
 * is a long; a string keeps Kafka offsets exact beyond 2^53). It is assigned once, when the
 * record first enters Kafka, and carried from then on:
 *   - a record with a `version` of its own on the wire keeps it: the upstream's own version when
 *     its source sets `versionField` (pipeline/intake.ts), or the original version of a record
 *     `wharf dlq replay` produced again;
 *   - any other takes the Kafka offset where it was consumed. All versions of an id share one
 *     partition (the key is the id), so offsets grow per id; a replay reads the same messages,
 *     so it gets the same versions.
 *
 * Where offsets stop growing per id: when partitions are added (keys move to another partition,
 * whose offsets may be smaller) or the topic is deleted and recreated (offsets restart at 0),
 * newer records carry smaller versions than those the sinks hold, and lose (counted as
 * `wharf_sink_stale_writes_total`). After either, the operator must recreate the sinks' indexes
 * and databases (then `wharf replay`), or give the records a version of their own (`versionField`).
 */

/** The version of a document written before wharf versioned records: any versioned write wins. */
export const UNVERSIONED = -1n;

const MAX_VERSION = 2n ** 63n;

export function isVersion(value: unknown): value is string {
  return typeof value === 'string' && /^(0|[1-9][0-9]{0,18})$/.test(value) && BigInt(value) < MAX_VERSION;
}

/** The version of a stored document's `wharf.version`, UNVERSIONED when it has none. */
export function storedVersion(value: unknown): bigint {
  return isVersion(value) ? BigInt(value) : UNVERSIONED;
}

/** Negative, zero or positive as version `a` is older than, the same as or newer than `b`. */
export function compareVersions(a: string | bigint, b: string | bigint): number {
  const [x, y] = [BigInt(a), BigInt(b)];
  return x < y ? -1 : x > y ? 1 : 0;
}
