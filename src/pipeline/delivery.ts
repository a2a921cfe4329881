/**
 * Delivery: one batch of one partition of the records topic, written to every sink. It is the
 * one delivery path: the partition consumers, `wharf replay` and every later re-delivery use it.
 *
 *   1. each message becomes a sink record; one that is not a wharf record becomes a dead letter
 *      (stage "consume");
 *   2. every sink gets the batch, concurrently; a sink that is unavailable is retried with
 *      backoff (the `retry` policy) while the batch waits: nothing is skipped or dropped, and
 *      Kafka holds the backlog. An unbounded delivery (the pipeline) waits until the sink comes
 *      back or the batch's signal fires; a bounded one (a CLI job) gives up after `deadlineMs`;
 *   3. records a sink already holds a newer version of are stale: done, and counted apart
 *      (records/version.ts: a record's version is its own, else its offset);
 *      records a sink refuses for good become dead letters (stage: the sink id), acknowledged
 *      by Kafka before the outcome is returned;
 *   4. only then is the batch delivered, and its offsets may be committed. If the signal fired
 *      (partition taken away, wharf stopping) the batch is abandoned, to be read again.
 */
import { describeError, OperationAbortedError, WharfError } from '../errors';
import type { ConsumedMessage } from '../kafka/record-consumer';
import type { Logger } from '../log';
import { METRICS } from '../metrics/catalog';
import { counter, histogram } from '../metrics/process-registry';
import { rejectionLetter, unreadableLetter, type DeadLetter } from '../records/dead-letter';
import type { RejectedRecord, SinkRecord } from '../records/sink-record';
import { fromMessage } from '../records/wire-record';
import type { BackoffPolicy } from '../retry/backoff';
import { retry, sleep } from '../retry/retry';
import type { SinkWriter } from '../sinks/sink-writer';
import { failureReason, StateLog } from '../util/state-log';

export interface DeliveryOptions {
  /** The records topic the batches come from (dead letters name their position in it). */
  topic: string;
  sinks: readonly SinkWriter[];
  /** Produces dead letters and resolves once Kafka acknowledged them (dead-letters.ts). */
  publishDeadLetters: (letters: readonly DeadLetter[]) => Promise<void>;
  /** Backoff while a sink is unavailable (pipeline.consumers.retry). */
  retry: BackoffPolicy;
  /** Give up on an unavailable sink after this long (a CLI job); the pipeline waits without bound. */
  deadlineMs?: number;
  /** `wharf verify --repair` only: a same-version document with other content is replaced (sink-writer.ts WriteOptions). */
  replaceSameVersion?: boolean;
  log: Logger;
}

export interface DeliveryBatch {
  partition: number;
  messages: readonly ConsumedMessage[];
  /** Fires when the batch must be given up. */
  signal: AbortSignal;
  /** Keeps the batch's claim on its partition alive during a long wait. */
  heartbeat?: () => Promise<void>;
}

/** Per sink: `written` (created, updated or already there) and `stale` (a newer version is stored). */
export type DeliveryOutcome = { delivered: true; written: Record<string, number>; stale: Record<string, number>; deadLettered: number } | { delivered: false };

export class Delivery {
  private readonly prepared = new Set<string>();
  /** Per sink: its unavailability as a state, logged when it starts, at most once a minute, when it ends (all partitions together). */
  private readonly unavailable: Map<string, StateLog>;

  constructor(private readonly options: DeliveryOptions) {
    this.unavailable = new Map(
      options.sinks.map((sink) => [
        sink.id,
        new StateLog(options.log, { subject: `sink ${sink.id}`, failing: 'unavailable', recovered: 'available again', message: 'sink unavailable; partition waits and retries', fields: { sink: sink.id } }),
      ]),
    );
  }

  async deliver(batch: DeliveryBatch): Promise<DeliveryOutcome> {
    const { topic } = this.options;
    counter(METRICS.recordsConsumed).inc({ topic }, batch.messages.length);
    const records: SinkRecord[] = [];
    const letters: DeadLetter[] = [];
    for (const message of batch.messages) {
      try {
        records.push(fromMessage(message.value, batch.partition, message.offset, message.headers));
      } catch (err) {
        letters.push(unreadableLetter(message.value, describeError(err), topic, batch.partition, message.offset));
      }
    }
    let outcomes: Array<{ sink: string; written: number; stale: number; rejected: RejectedRecord[] }>;
    try {
      outcomes = await Promise.all(this.options.sinks.map((sink) => this.writeUntilAcknowledged(sink, records, batch)));
    } catch (err) {
      if (err instanceof OperationAbortedError) return { delivered: false };
      throw err;
    }
    for (const { rejected } of outcomes) letters.push(...rejected.map((r) => rejectionLetter(r, topic)));
    if (letters.length > 0) await this.options.publishDeadLetters(letters);
    const bySink = (count: (o: (typeof outcomes)[number]) => number) => Object.fromEntries(outcomes.map((o) => [o.sink, count(o)]));
    return { delivered: true, written: bySink((o) => o.written), stale: bySink((o) => o.stale), deadLettered: letters.length };
  }

  async close(): Promise<void> {
    await Promise.all(this.options.sinks.map((sink) => sink.close()));
  }

  /** Writes the batch to one sink, retrying while it is unavailable; returns what it refused for good. */
  private async writeUntilAcknowledged(sink: SinkWriter, records: readonly SinkRecord[], batch: DeliveryBatch) {
    const write = async () => {
      if (!this.prepared.has(sink.id)) {
        await sink.prepare();
        this.prepared.add(sink.id);
      }
      const timer = histogram(METRICS.sinkBulkDuration).startTimer({ sink: sink.id });
      const result = await sink.write(records, { replaceSameVersion: this.options.replaceSameVersion, topic: this.options.topic, signal: batch.signal });
      timer();
      return result;
    };
    try {
      const result = await retry(write, {
        what: `writing to sink ${sink.id}`,
        policy: this.options.retry,
        deadlineMs: this.options.deadlineMs,
        signal: batch.signal,
        wait: (ms, signal) => waitWithHeartbeats(ms, signal, batch.heartbeat),
        onRetry: ({ attempt, delayMs, error }) => {
          counter(METRICS.sinkErrors).inc({ sink: sink.id, kind: 'unavailable' });
          const detail = { partition: batch.partition, attempt, err: describeError(error) };
          this.unavailable.get(sink.id)!.failed(failureReason(error, describeError), { retryInMs: delayMs, err: error, detail });
        },
      });
      this.unavailable.get(sink.id)!.succeeded();
      const written = result.written + result.unchanged;
      this.countWritten(sink.id, records, written);
      if (result.stale > 0) counter(METRICS.sinkStaleWrites).inc({ sink: sink.id }, result.stale);
      if (result.rejected.length > 0) counter(METRICS.sinkErrors).inc({ sink: sink.id, kind: 'rejected' }, result.rejected.length);
      return { sink: sink.id, written, stale: result.stale, rejected: result.rejected };
    } catch (err) {
      if (err instanceof WharfError && !err.retriable && !(err instanceof OperationAbortedError)) counter(METRICS.sinkErrors).inc({ sink: sink.id, kind: 'failed' });
      throw err;
    }
  }

  private countWritten(sink: string, records: readonly SinkRecord[], acknowledged: number): void {
    counter(METRICS.sinkRecordsWritten).inc({ sink }, acknowledged);
    const age = histogram(METRICS.recordAge);
    const now = Date.now();
    for (const record of records) {
      const ingested = Date.parse(record.ingestedAt);
      if (!Number.isNaN(ingested)) age.observe({ sink }, Math.max(0, now - ingested) / 1000);
    }
  }
}

/** Sleeps in steps of at most a second, heartbeating after each, until done or the signal fires. */
async function waitWithHeartbeats(ms: number, signal: AbortSignal | undefined, heartbeat?: () => Promise<void>): Promise<void> {
  for (let left = ms; left > 0 && !signal?.aborted; left -= 1000) {
    await sleep(Math.min(1000, left), signal);
    if (!signal?.aborted) await heartbeat?.();
  }
}
