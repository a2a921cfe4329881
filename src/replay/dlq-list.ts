/**
 * Streams the dead-letter topic for `wharf dlq list`: from its start to its current end (or on,
 * with `follow`), through a throwaway consumer group, so no other group's offsets move. Letters
 * are handed over batch by batch and never held: memory stays bounded by one batch and the
 * per-error summary, which keeps at most MAX_SUMMARY_ERRORS distinct (stage, error) pairs and
 * counts the rest together.
 */
import type { KafkaClient } from '../kafka/client';
import { rangesFromGroup, readRanges, type PartitionRange } from '../kafka/range-reader';
import type { ConsumedMessage } from '../kafka/record-consumer';
import type { DeadLetter } from '../records/dead-letter';

export interface ListedDeadLetter extends DeadLetter {
  dlq: { partition: number; offset: string };
}

/** Which letters a listing or a replay takes. */
export interface DlqFilter {
  /** Only letters of this stage (a sink id, "intake" or "consume"). */
  stage?: string;
  /** Only letters of this source. */
  source?: string;
}

export const matchesFilter = (letter: Partial<DeadLetter>, filter: DlqFilter): boolean =>
  (!filter.stage || letter.stage === filter.stage) && (!filter.source || letter.source === filter.source);

const MAX_SUMMARY_ERRORS = 100;
const MAX_ERROR_CHARS = 200;

export interface DlqSummary {
  /** Letters read. */
  read: number;
  /** Letters that matched the filter (and were handed over). */
  matched: number;
  /** Letters that are not JSON (listed with `unreadable`). */
  unreadable: number;
  /** Matched letters by stage and error, most frequent first. */
  errors: Array<{ stage: string; error: string; count: number }>;
  /** Matched letters whose (stage, error) did not fit in the summary. */
  otherErrors: number;
}

/** Counts letters by (stage, error) in bounded memory. */
export class ErrorSummary {
  private readonly counts = new Map<string, { stage: string; error: string; count: number }>();
  private other = 0;
  read = 0;
  matched = 0;
  unreadable = 0;

  add(stage: string, error: string): void {
    const text = error.length > MAX_ERROR_CHARS ? `${error.slice(0, MAX_ERROR_CHARS)}…` : error;
    const key = `${stage}\u0000${text}`;
    const entry = this.counts.get(key);
    if (entry) entry.count++;
    else if (this.counts.size < MAX_SUMMARY_ERRORS) this.counts.set(key, { stage, error: text, count: 1 });
    else this.other++;
  }

  result(): DlqSummary {
    const errors = [...this.counts.values()].sort((a, b) => b.count - a.count || a.stage.localeCompare(b.stage) || a.error.localeCompare(b.error));
    return { read: this.read, matched: this.matched, unreadable: this.unreadable, errors, otherErrors: this.other };
  }
}

export interface DlqListOptions {
  topic: string;
  groupId: string;
  filter: DlqFilter;
  /** Go on with letters written from now on, until `signal` fires. */
  follow: boolean;
  signal: AbortSignal;
  /** One matching letter (an unreadable one carries `unreadable` instead of the letter's fields). */
  onLetter(letter: ListedDeadLetter | { unreadable: string; dlq: ListedDeadLetter['dlq'] }): void;
  /** Letters read so far, matching or not (for progress). */
  onRead?(count: number): void;
}

/** What a listing will read when not following: from each partition's start to its current end. */
export function planDlqList(client: KafkaClient, topic: string, groupId: string): Promise<PartitionRange[]> {
  return rangesFromGroup(client, topic, groupId); // a new group: from each partition's start
}

export async function listDeadLetters(client: KafkaClient, ranges: PartitionRange[], options: DlqListOptions): Promise<DlqSummary> {
  const summary = new ErrorSummary();
  await readRanges(client, {
    topic: options.topic,
    groupId: options.groupId,
    ranges,
    throwawayGroup: true,
    follow: options.follow,
    signal: options.signal,
    onBatch: (partition, messages) => {
      for (const message of messages) {
        if (options.signal.aborted) break;
        handle(partition, message, options, summary);
      }
      options.onRead?.(messages.length);
      return Promise.resolve();
    },
  });
  return summary.result();
}

function handle(partition: number, message: ConsumedMessage, options: DlqListOptions, summary: ErrorSummary): void {
  summary.read++;
  const dlq = { partition, offset: message.offset };
  let letter: DeadLetter;
  try {
    letter = JSON.parse(message.value?.toString() ?? 'null') as DeadLetter;
    if (typeof letter !== 'object' || letter === null) throw new Error('not an object');
  } catch {
    summary.unreadable++;
    if (options.filter.stage || options.filter.source) return;
    summary.matched++;
    summary.add('?', 'the dead letter itself is not JSON');
    return options.onLetter({ unreadable: 'the dead letter itself is not JSON', dlq });
  }
  if (!matchesFilter(letter, options.filter)) return;
  summary.matched++;
  summary.add(String(letter.stage), String(letter.error));
  options.onLetter({ ...letter, dlq });
}
