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
 * - Group membership is kept alive while a batch is in flight: kafkajs heartbeats only between
 *   batches, so a timer heartbeats every `heartbeatIntervalMs` during the handler (a sink write
 *   that takes longer than the session timeout would otherwise get the member expelled). A
 *   heartbeat answered "rebalancing" gives the batch up at once: with kafkajs's eager rebalance
 *   the whole group waits for this member to rejoin, and the commit would fail anyway.
 * - `stop()` is bounded. kafkajs's disconnect waits for a JoinGroup in flight, which during a
 *   rebalance lasts until a dead member's session expires (kafkajs #1462), and a stop right
 *   after `run()` can wait forever (#967). After the bound the member is abandoned: the broker
 *   expires it after the session timeout, and nothing it held was committed past what the sinks
 *   acknowledged, so whoever gets its partitions re-delivers (the sinks write by id).
 * - A consumer that kafkajs stops for good (a non-retriable error, such as a refused
 *   authorization) is reported to `onFatal`, never left silently idle.
 */
import type { Consumer, EachBatchPayload, IHeaders } from 'kafkajs';
import { describeError, WharfError } from '../errors';
import { withTimeout } from '../retry/timeout';
import { KafkaClient } from './client';

export interface ConsumedMessage {
  key: Buffer | null;
  value: Buffer | null;
  offset: string;
  headers?: IHeaders;
}

export interface ConsumedBatch {
  topic: string;
  partition: number;
  /** In offset order. */
  messages: ConsumedMessage[];
  /** Fires when the partition is taken away or the consumer stops: give the batch up. */
  signal: AbortSignal;
  /** Keeps the group membership alive during a long wait; one answered "rebalancing" fires `signal`, other failures are ignored. */
  heartbeat(): Promise<void>;
}

/** Resolves with the last offset handled (it and everything before it are committed), or null. */
export type BatchHandler = (batch: ConsumedBatch) => Promise<string | null>;

export interface RecordConsumerOptions {
  groupId: string;
  topic: string;
  /** Partitions handled at the same time by this member. */
  partitionsConcurrently?: number;
  /** Most bytes one fetch asks of a partition (kafkajs default 1 MiB); Kafka still returns one batch larger than this. */
  maxBytesPerPartition?: number;
  /** Most bytes one fetch response holds over all partitions (kafkajs default 10 MiB): bounds what a consumer buffers. */
  maxBytes?: number;
  /** How long the broker waits for a heartbeat before it expels the member (broker floor: 6000). */
  sessionTimeoutMs?: number;
  /** How often the member heartbeats, also while a batch is in flight; below a third of the session timeout. */
  heartbeatIntervalMs?: number;
  /** How long `stop()` waits for kafkajs to leave the group before it abandons the member. */
  stopTimeoutMs?: number;
  /**
   * How long after subscribing to join the group (default 0). A replacement of a member that
   * died without leaving waits out the dead member's session, so that its join does not start a
   * rebalance that waits for the dead member (see PartitionConsumerActor).
   */
  joinDelayMs?: number;
  /** The consumer stopped for good while running (a non-retriable error): the owner must replace it. */
  onFatal(err: KafkaConsumerStoppedError): void;
}

/** kafkajs's own defaults (src/consumer/index.js); wharf's configuration passes shorter ones. */
export const KAFKAJS_SESSION_TIMEOUT_MS = 30_000;
export const KAFKAJS_HEARTBEAT_INTERVAL_MS = 3000;

/** How often a batch's handler is checked for a lost partition. */
const STALE_CHECK_MS = 200;
/** A clean LeaveGroup takes well under a second; longer means a rebalance holds disconnect(). */
const STOP_TIMEOUT_MS = 3000;
/** kafkajs's error types that mean "the group is rebalancing: rejoin" (its errors.js isRebalancing). */
const REBALANCING = new Set(['REBALANCE_IN_PROGRESS', 'NOT_COORDINATOR_FOR_GROUP', 'ILLEGAL_GENERATION']);

/** kafkajs stopped consuming for good (a non-retriable error): only a new consumer can go on. */
export class KafkaConsumerStoppedError extends WharfError {
  constructor(groupId: string, cause: unknown) {
    super(`Kafka consumer of group ${groupId} stopped: ${describeError(cause)}`, { retriable: true, cause });
  }
}

export interface StopOutcome {
  /** False when kafkajs did not leave the group within the bound: the broker expires the member. */
  left: boolean;
}

export class RecordConsumer {
  private readonly consumer: Consumer;
  private readonly inFlight = new Set<AbortController>();
  private stopping = false;
  private joinTimer?: NodeJS.Timeout;

  constructor(
    client: KafkaClient,
    private readonly options: RecordConsumerOptions,
  ) {
    // A short fetch wait keeps a stop (drain) quick: disconnect waits for the fetch in flight.
    this.consumer = KafkaClient.kafkajs(client).consumer({
      groupId: options.groupId,
      maxBytesPerPartition: options.maxBytesPerPartition ?? 1024 * 1024,
      maxBytes: options.maxBytes ?? 10 * 1024 * 1024,
      sessionTimeout: options.sessionTimeoutMs ?? KAFKAJS_SESSION_TIMEOUT_MS,
      heartbeatInterval: options.heartbeatIntervalMs ?? KAFKAJS_HEARTBEAT_INTERVAL_MS,
      maxWaitTimeInMs: 500,
    });
  }

  /**
   * Starts consuming; resolves once connected and subscribed. Joining the group goes on in the
   * background (kafkajs retries it itself): during a rebalance the JoinGroup lasts until a dead
   * member's session expires, and a stop must not wait behind it. `onCommitted` hears of every
   * commit once Kafka acknowledged it.
   */
  async start(handle: BatchHandler, onCommitted?: (partition: number, through: string) => void): Promise<void> {
    await this.consumer.connect();
    await this.consumer.subscribe({ topic: this.options.topic, fromBeginning: true });
    // kafkajs restarts itself after a retriable crash; after any other (an authorization refused,
    // say) it disconnects for good and only tells its CRASH listeners: without this, a silent stop.
    this.consumer.on(this.consumer.events.CRASH, ({ payload }) => {
      if (!payload.restart && !this.stopping) this.options.onFatal(new KafkaConsumerStoppedError(this.options.groupId, payload.error));
    });
    const join = () => {
      this.joinTimer = undefined;
      this.consumer
        .run({
          autoCommit: false,
          eachBatchAutoResolve: false,
          partitionsConsumedConcurrently: this.options.partitionsConcurrently ?? 1,
          eachBatch: (payload) => this.handleBatch(payload, handle, onCommitted),
        })
        .catch((err: unknown) => {
          if (!this.stopping) this.options.onFatal(new KafkaConsumerStoppedError(this.options.groupId, err));
        });
    };
    if (this.options.joinDelayMs) this.joinTimer = setTimeout(join, this.options.joinDelayMs);
    else join();
  }

  /** Gives up every batch in flight (uncommitted), then leaves the group, within a bound. */
  async stop(): Promise<StopOutcome> {
    // Set first: a runner that starts after the stop (kafkajs #967) must not handle anything.
    this.stopping = true;
    clearTimeout(this.joinTimer);
    for (const controller of this.inFlight) controller.abort();
    const bound = this.options.stopTimeoutMs ?? STOP_TIMEOUT_MS;
    return withTimeout(
      this.consumer.disconnect().then(() => ({ left: true })),
      bound,
      () => new Error(`kafkajs did not leave group ${this.options.groupId} within ${bound} ms`),
    ).catch(() => ({ left: false }));
  }

  private async handleBatch(payload: EachBatchPayload, handle: BatchHandler, onCommitted?: (partition: number, through: string) => void): Promise<void> {
    const { batch } = payload;
    if (batch.messages.length === 0 || this.stopping) return;
    const controller = new AbortController();
    this.inFlight.add(controller);
    const watch = setInterval(() => {
      if (!payload.isRunning() || payload.isStale()) controller.abort();
    }, STALE_CHECK_MS);
    // kafkajs sends it only if the interval has passed since the last one, so extra calls are free.
    const heartbeat = () =>
      payload.heartbeat().catch((err: unknown) => {
        if (REBALANCING.has((err as { type?: string }).type ?? '')) controller.abort();
      });
    const beat = setInterval(() => void heartbeat(), this.options.heartbeatIntervalMs ?? KAFKAJS_HEARTBEAT_INTERVAL_MS);
    try {
      const through = await handle({
        topic: batch.topic,
        partition: batch.partition,
        messages: batch.messages.map(({ key, value, offset, headers }) => ({ key, value, offset, headers })),
        signal: controller.signal,
        heartbeat,
      });
      if (through === null || controller.signal.aborted || payload.isStale()) return;
      payload.resolveOffset(through);
      await this.consumer.commitOffsets([{ topic: batch.topic, partition: batch.partition, offset: (BigInt(through) + 1n).toString() }]);
      onCommitted?.(batch.partition, through);
    } finally {
      clearInterval(watch);
      clearInterval(beat);
      this.inFlight.delete(controller);
    }
  }
}
