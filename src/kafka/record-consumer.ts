/**
 * wharf's one way of consuming a topic as a member of a consumer group: batches of one
 * partition at a time, handed to a handler that says how far it got; only that is committed.
 *
 * - Offsets are committed by this class alone, after the handler resolved, and only through
 *   the offset it returned (null commits nothing: the batch is read again by whoever holds the
 *   partition next). Nothing is auto-committed.
 * - Each batch carries an AbortSignal that fires when the partition is taken away (a rebalance)
 *   or the consumer stops, so a handler waiting on a sink gives the batch up at once; a batch
 *   whose signal fired is never committed, whatever the handler returned.
 * - `heartbeat()` keeps the group membership alive while a handler waits.
 */
import type { Consumer, EachBatchPayload } from 'kafkajs';
import { KafkaClient } from './client';

export interface ConsumedMessage {
  key: Buffer | null;
  value: Buffer | null;
  offset: string;
}

export interface ConsumedBatch {
  topic: string;
  partition: number;
  /** In offset order. */
  messages: ConsumedMessage[];
  /** Fires when the partition is taken away or the consumer stops: give the batch up. */
  signal: AbortSignal;
  /** Keeps the group membership alive during a long wait (a failed heartbeat is ignored). */
  heartbeat(): Promise<void>;
}

/** Resolves with the last offset handled (it and everything before it are committed), or null. */
export type BatchHandler = (batch: ConsumedBatch) => Promise<string | null>;

export interface RecordConsumerOptions {
  groupId: string;
  topic: string;
  /** Partitions handled at the same time by this member. */
  partitionsConcurrently?: number;
  maxBytesPerPartition?: number;
  sessionTimeoutMs?: number;
}

/** How often a batch's handler is checked for a lost partition. */
const STALE_CHECK_MS = 200;

export class RecordConsumer {
  private readonly consumer: Consumer;
  private readonly inFlight = new Set<AbortController>();

  constructor(
    client: KafkaClient,
    private readonly options: RecordConsumerOptions,
  ) {
    // A short fetch wait keeps a stop (drain) quick: disconnect waits for the fetch in flight.
    this.consumer = KafkaClient.kafkajs(client).consumer({
      groupId: options.groupId,
      maxBytesPerPartition: options.maxBytesPerPartition ?? 1024 * 1024,
      sessionTimeout: options.sessionTimeoutMs ?? 30_000,
      heartbeatInterval: 3000,
      maxWaitTimeInMs: 500,
    });
  }

  /** Starts consuming; `onCommitted` hears of every commit once Kafka acknowledged it. */
  async start(handle: BatchHandler, onCommitted?: (partition: number, through: string) => void): Promise<void> {
    await this.consumer.connect();
    await this.consumer.subscribe({ topic: this.options.topic, fromBeginning: true });
    await this.consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently: this.options.partitionsConcurrently ?? 1,
      eachBatch: (payload) => this.handleBatch(payload, handle, onCommitted),
    });
  }

  /** Gives up every batch in flight (uncommitted), then leaves the group. */
  async stop(): Promise<void> {
    for (const controller of this.inFlight) controller.abort();
    await this.consumer.disconnect();
  }

  private async handleBatch(payload: EachBatchPayload, handle: BatchHandler, onCommitted?: (partition: number, through: string) => void): Promise<void> {
    const { batch } = payload;
    if (batch.messages.length === 0) return;
    const controller = new AbortController();
    this.inFlight.add(controller);
    const watch = setInterval(() => {
      if (!payload.isRunning() || payload.isStale()) controller.abort();
    }, STALE_CHECK_MS);
    try {
      const through = await handle({
        topic: batch.topic,
        partition: batch.partition,
        messages: batch.messages.map(({ key, value, offset }) => ({ key, value, offset })),
        signal: controller.signal,
        heartbeat: () => payload.heartbeat().catch(() => undefined),
      });
      if (through === null || controller.signal.aborted || payload.isStale()) return;
      payload.resolveOffset(through);
      await this.consumer.commitOffsets([{ topic: batch.topic, partition: batch.partition, offset: (BigInt(through) + 1n).toString() }]);
      onCommitted?.(batch.partition, through);
    } finally {
      clearInterval(watch);
      this.inFlight.delete(controller);
    }
  }
}
