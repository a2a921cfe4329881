/**
 * `wharf verify`: whether every sink holds what the records topic says it should. The topic's
 * retained range is read once (topic-versions.ts: per record id the newest version and the hash
 * of its document); then every sink's reader lists what it holds, all sinks at the same time,
 * and each document is compared:
 *
 *   - `missing`    the topic has the id, the sink does not;
 *   - `stale`      the sink holds an older version (or one without a version);
 *   - `differs`    the same version, other content (`sameContent`'s rule: Kafka position and
 *                  ingest time do not count);
 *   - `newer`      the sink holds a newer version than any in the topic: the topic was
 *                  recreated or partitions were added (records/version.ts); re-delivery cannot
 *                  win over it, so it is reported, never repaired;
 *   - `deleted-but-present` the newest version is a deletion, yet the sink holds an older
 *                  live document (a tombstone lost, or the document written back behind wharf's
 *                  back);
 *   - `unexpected` the sink holds an id the topic's retained range does not: a record older
 *                  than Kafka's retention (legitimately gone from Kafka), or a document written
 *                  behind wharf's back. Reported, never deleted.
 *
 * A deletion is matched by a tombstone of its version (Elasticsearch), or by nothing at all
 * (CouchDB's deletions are not listed; a purged tombstone is gone). A tombstone of an id the
 * topic no longer has hides nothing from searches and is not reported.
 *
 * A record a sink refused for good (a dead letter) is `missing` there until the cause is fixed.
 * Records written while verify runs may show as missing or stale: verify a quiet pipeline, or
 * run it again. The repair is verify-repair.ts.
 */
import type { KafkaClient } from '../kafka/client';
import { rangeSize, type PartitionRange } from '../kafka/range-reader';
import { compareVersions } from '../records/version';
import type { StoredDocument } from '../sinks/sink-reader';
import { createSinkReader, type SinkConfig } from '../sinks/registry';
import { readTopicVersions, type TopicEntry, type TopicVersions } from './topic-versions';
import { RepairPlan } from './verify-repair';

export const DIFFERENCE_KINDS = ['missing', 'stale', 'differs', 'deleted-but-present', 'newer', 'unexpected'] as const;
export type DifferenceKind = (typeof DIFFERENCE_KINDS)[number];
/** What re-delivering the topic's newest version puts right. */
export const REPAIRABLE: ReadonlySet<DifferenceKind> = new Set(['missing', 'stale', 'differs', 'deleted-but-present']);

export interface Difference {
  recordId: string;
  sink: string;
  kind: DifferenceKind;
  /** The newest version in the topic (absent for `unexpected`). */
  topicVersion?: string;
  /** The version the sink holds (absent for `missing`; null: the document has none). */
  sinkVersion?: string | null;
}

export type SinkSummary = { checked: number; matching: number } & Record<DifferenceKind, number>;

export interface VerifyOutcome {
  /** Record ids in the topic's retained range, messages read, and those that are not wharf records. */
  records: number;
  messages: number;
  unreadable: number;
  sinks: Record<string, SinkSummary>;
  /** Where the newest version of every missing, stale or differing record stands, and for which sinks. */
  repairs: RepairPlan;
}

/** How a stored document compares with the topic's newest version of its id: null when it matches. */
export function classify(expected: Pick<TopicEntry, 'version' | 'hash' | 'deleted'> | undefined, stored: Pick<StoredDocument, 'version' | 'hash' | 'deleted'>): DifferenceKind | null {
  if (!expected) return stored.deleted ? null : 'unexpected';
  const order = stored.version === null ? -1 : compareVersions(stored.version, expected.version);
  if (order < 0) return expected.deleted && !stored.deleted ? 'deleted-but-present' : 'stale';
  if (order > 0) return 'newer';
  return stored.hash === expected.hash ? null : 'differs';
}

export interface VerifyOptions {
  client: KafkaClient;
  sinks: SinkConfig[];
  /** A throwaway consumer group for reading the topic; deleted afterwards. */
  groupId: string;
  ranges: PartitionRange[];
  onDifference: (difference: Difference) => void;
  /** Messages read from the topic (phase "topic"), then documents listed from each sink (phase: its id), each against what is expected. */
  onProgress: (phase: string, count: number, expected: number) => void;
}

export async function verify(options: VerifyOptions): Promise<VerifyOutcome> {
  if (options.sinks.length > 31) throw new Error('verify compares at most 31 sinks in one run (use --sink)');
  const topic = await readTopicVersions(options.client, options.groupId, options.ranges, (n) => options.onProgress('topic', n, rangeSize(options.ranges)));
  const sinks: Record<string, SinkSummary> = {};
  const repairs = new RepairPlan();
  const report = (difference: Difference, entry?: TopicEntry) => {
    sinks[difference.sink][difference.kind]++;
    if (entry && REPAIRABLE.has(difference.kind)) repairs.add(entry.partition, entry.offset, difference.sink);
    options.onDifference(difference);
  };
  // The sinks are listed at the same time: each has its own bit in the entries.
  await Promise.all(
    options.sinks.map((sink, index) => {
      sinks[sink.id] = { checked: 0, matching: 0, ...(Object.fromEntries(DIFFERENCE_KINDS.map((kind) => [kind, 0])) as Record<DifferenceKind, number>) };
      return compareSink(sink, 1 << index, topic, sinks[sink.id], report, options);
    }),
  );
  return { records: topic.entries.size, messages: topic.messages, unreadable: topic.unreadable, sinks, repairs };
}

async function compareSink(
  sink: SinkConfig,
  bit: number,
  topic: TopicVersions,
  summary: SinkSummary,
  report: (difference: Difference, entry?: TopicEntry) => void,
  options: VerifyOptions,
): Promise<void> {
  const reader = createSinkReader(sink);
  try {
    let listed = 0;
    for await (const stored of reader.scan()) {
      summary.checked++;
      const expected = topic.entries.get(stored.id);
      if (expected) expected.seen |= bit;
      const kind = classify(expected, stored);
      if (kind === null) summary.matching++;
      else report({ recordId: stored.id, sink: sink.id, kind, topicVersion: expected?.version, sinkVersion: stored.version }, expected);
      if (++listed === 1000) {
        options.onProgress(sink.id, listed, topic.entries.size);
        listed = 0;
      }
    }
    options.onProgress(sink.id, listed, topic.entries.size);
  } finally {
    await reader.close();
  }
  for (const [recordId, entry] of topic.entries) {
    if (entry.seen & bit) continue;
    summary.checked++;
    if (entry.deleted) summary.matching++; // deleted, and nothing of it stored: as it should be
    else report({ recordId, sink: sink.id, kind: 'missing', topicVersion: entry.version }, entry);
  }
}
