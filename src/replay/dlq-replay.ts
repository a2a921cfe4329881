/**
 * `wharf dlq replay`: sends dead letters back through the pipeline once the operator fixed the
 * cause (a mapping, a size limit, a sink's validation). A letter that holds a wharf record is
 * produced to the records topic again under its own id and key, so every sink writes it as the
 * same document (one that did arrive is not duplicated), and with its original version
 * (records/version.ts), so a letter replayed days later cannot beat newer data of its id; a
 * letter written before records carried versions takes the records-topic offset it names. Raw upstream items that never became a
 * record (malformed JSON, no id) cannot be replayed: they are counted and listed, to be fixed
 * at the upstream. Progress is kept in the consumer group `<groupId>-dlq-replay`: each letter is
 * replayed once, a later run takes only newer letters.
 */
import type { KafkaClient } from '../kafka/client';
import { readRanges, rangesFromGroup, rangeSize, type PartitionRange } from '../kafka/range-reader';
import type { ConsumedMessage } from '../kafka/record-consumer';
import type { RecordProducer } from '../kafka/record-producer';
import type { DeadLetter } from '../records/dead-letter';
import { matchesFilter, type DlqFilter } from './dlq-list';
import { isVersion } from '../records/version';
import { isWireRecord, toMessage, type WireRecord } from '../records/wire-record';

export interface DlqReplayOutcome {
  considered: number;
  replayed: number;
  /** Letters that match the filter but hold no wharf record. */
  notReplayable: Array<{ partition: number; offset: string; stage: string; error: string }>;
  skippedByFilter: number;
}

export const replayGroupId = (consumerGroupId: string) => `${consumerGroupId}-dlq-replay`;

/** What `groupId` has not replayed yet: from where it stopped to the topic's current end. */
export function planDlqReplay(client: KafkaClient, groupId: string): Promise<PartitionRange[]> {
  return rangesFromGroup(client, client.config.dlqTopic, groupId);
}

export async function replayDeadLetters(
  client: KafkaClient,
  producer: RecordProducer | undefined,
  groupId: string,
  ranges: PartitionRange[],
  filter: DlqFilter,
  onProgress: (count: number) => void,
): Promise<DlqReplayOutcome> {
  const outcome: DlqReplayOutcome = { considered: 0, replayed: 0, notReplayable: [], skippedByFilter: 0 };
  if (rangeSize(ranges) === 0) return outcome;
  const { config } = client;
  await readRanges(client, {
    topic: config.dlqTopic,
    groupId,
    ranges,
    // Without a producer this is a dry run: its group must not keep any progress.
    throwawayGroup: producer === undefined,
    onBatch: async (partition, messages) => {
      const records = messages.flatMap((message) => select(partition, message, filter, outcome, config.topic));
      if (records.length > 0 && producer) await producer.send(config.topic, records.map(toMessage));
      outcome.replayed += records.length;
      onProgress(messages.length);
    },
  });
  return outcome;
}

function select(partition: number, message: ConsumedMessage, filter: DlqFilter, outcome: DlqReplayOutcome, recordsTopic: string): WireRecord[] {
  outcome.considered++;
  let letter: Partial<DeadLetter>;
  try {
    letter = JSON.parse(message.value?.toString() ?? 'null') as Partial<DeadLetter>;
  } catch {
    outcome.notReplayable.push({ partition, offset: message.offset, stage: '?', error: 'the dead letter itself is not JSON' });
    return [];
  }
  if (!matchesFilter(letter, filter)) {
    outcome.skippedByFilter++;
    return [];
  }
  const record = letter.record;
  if (!isWireRecord(record)) {
    outcome.notReplayable.push({ partition, offset: message.offset, stage: String(letter.stage), error: String(letter.error) });
    return [];
  }
  const fromOffset = letter.kafka?.topic === recordsTopic && isVersion(letter.kafka.offset) ? letter.kafka.offset : undefined;
  return [{ ...record, ingestedAt: String((record as Partial<WireRecord>).ingestedAt ?? letter.time), version: record.version ?? fromOffset }];
}
