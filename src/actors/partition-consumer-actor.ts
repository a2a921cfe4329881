/**
 * A partition consumer: one member of the sinks' Kafka consumer group. For each batch of a
 * partition, in order: write it to every sink; records a sink can never accept go to the
 * dead-letter topic; only when every sink acknowledged (and the dead letters are in Kafka) is
 * the batch's offset committed. While a sink is unavailable the partition's batch is retried
 * with growing delays (the partition waits; nothing is skipped or dropped), and Kafka holds the
 * backlog. On a rebalance or stop mid-batch the batch is abandoned uncommitted, so whoever gets
 * the partition next starts from the last acknowledged offset.
 *
 * Settings: `{ kafka, sinks, consumers }` (sections of the wharf configuration).
 */
import type { Consumer, EachBatchPayload } from 'kafkajs';
import { createKafka } from '../kafka/client';
import type { KafkaConfig, PipelineConfig, SinkConfig } from '../config/schema';
import { describeError, WharfError } from '../errors';
import { rejectionLetter, sendDeadLetters, unreadableLetter, type DeadLetter } from '../records/dead-letter';
import { RecordProducer } from '../kafka/record-producer';
import { ensureWharfTopics } from '../kafka/topics';
import { fromMessage } from '../records/wire-record';
import { sleep } from '../retry/retry';
import { createSinkWriter } from '../sinks/registry';
import type { RejectedRecord, SinkRecord, SinkWriter } from '../sinks/sink-writer';
import { backoffDelay } from '../retry/backoff';
import { WharfActor } from './wharf-actor';
import { METRICS } from '../metrics/catalog';
import { counter, histogram } from '../metrics/process-registry';

interface ConsumerSettings {
  kafka: KafkaConfig;
  sinks: SinkConfig[];
  consumers: PipelineConfig['consumers'];
}

export default class PartitionConsumerActor extends WharfActor<ConsumerSettings> {
  private consumer?: Consumer;
  private dlq?: RecordProducer;
  private writers: SinkWriter[] = [];
  private readonly prepared = new Set<string>();

  protected override async start({ kafka, sinks, consumers }: ConsumerSettings): Promise<void> {
    const client = createKafka(kafka, this.log, `${kafka.clientId}-${this.id}`);
    await ensureWharfTopics(client, kafka, this.log);
    this.writers = sinks.map(createSinkWriter);
    this.dlq = new RecordProducer(client, { sendTimeoutMs: kafka.requestTimeoutMs + 15_000, compression: kafka.compression });
    await this.dlq.connect();
    // A short fetch wait keeps a stop (drain) quick: disconnect waits for the fetch in flight.
    this.consumer = client.consumer({
      groupId: consumers.groupId,
      maxBytesPerPartition: 1024 * 1024,
      sessionTimeout: 30_000,
      heartbeatInterval: 3000,
      maxWaitTimeInMs: 500,
    });
    await this.consumer.connect();
    await this.consumer.subscribe({ topic: kafka.topic, fromBeginning: true });
    await this.consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently: Math.max(1, Math.min(kafka.partitions, 4)),
      eachBatch: (payload) => this.handleBatch(payload, kafka, consumers),
    });
  }

  protected override async stop(): Promise<void> {
    await this.consumer?.disconnect();
    await this.dlq?.disconnect();
    await Promise.all(this.writers.map((w) => w.close()));
  }

  private async handleBatch(payload: EachBatchPayload, kafka: KafkaConfig, consumers: PipelineConfig['consumers']): Promise<void> {
    const { batch } = payload;
    if (batch.messages.length === 0) return;
    counter(METRICS.recordsConsumed).inc({ topic: batch.topic }, batch.messages.length);
    const records: SinkRecord[] = [];
    const letters: DeadLetter[] = [];
    for (const message of batch.messages) {
      try {
        records.push(fromMessage(message.value, batch.partition, message.offset));
      } catch (err) {
        letters.push(unreadableLetter(message.value, describeError(err), batch.topic, batch.partition, message.offset));
      }
    }
    // Sinks are independent: write them concurrently; the batch is done when all acknowledged.
    const outcomes = await Promise.all(this.writers.map((writer) => this.writeUntilAcknowledged(writer, records, payload, consumers)));
    if (outcomes.some((rejected) => rejected === undefined)) return; // rebalanced or stopping: leave the batch uncommitted
    for (const rejected of outcomes) letters.push(...rejected!.map((r) => rejectionLetter(r, batch.topic)));
    if (letters.length > 0) await sendDeadLetters(this.dlq!, kafka.dlqTopic, letters);
    const last = batch.lastOffset();
    payload.resolveOffset(last);
    await this.consumer!.commitOffsets([{ topic: batch.topic, partition: batch.partition, offset: (BigInt(last) + 1n).toString() }]);
  }

  /**
   * Writes the batch to one sink, retrying with backoff while it is unavailable. Returns what the
   * sink refused for good, or undefined when the partition was taken away or wharf is stopping.
   */
  private async writeUntilAcknowledged(
    writer: SinkWriter,
    records: readonly SinkRecord[],
    payload: EachBatchPayload,
    consumers: PipelineConfig['consumers'],
  ): Promise<RejectedRecord[] | undefined> {
    for (let failures = 0; ; failures++) {
      if (!payload.isRunning() || payload.isStale()) return undefined;
      try {
        if (!this.prepared.has(writer.id)) {
          await writer.prepare();
          this.prepared.add(writer.id);
        }
        const timer = histogram(METRICS.sinkBulkDuration).startTimer({ sink: writer.id });
        const result = await writer.write(records);
        timer();
        this.countWritten(writer.id, records, result.written + result.unchanged);
        if (result.rejected.length > 0) counter(METRICS.sinkErrors).inc({ sink: writer.id, kind: 'rejected' }, result.rejected.length);
        return result.rejected;
      } catch (err) {
        counter(METRICS.sinkErrors).inc({ sink: writer.id, kind: err instanceof WharfError && err.retriable ? 'unavailable' : 'failed' });
        if (err instanceof WharfError && !err.retriable) throw err;
        const delayMs = backoffDelay(consumers.retry, failures);
        this.log.warn(
          { sink: writer.id, partition: payload.batch.partition, attempt: failures + 1, retryInMs: delayMs, err: describeError(err) },
          'sink unavailable; partition waits and retries',
        );
        await this.waitWithHeartbeats(delayMs, () => payload.heartbeat(), () => payload.isRunning());
      }
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

  /** Sleeps in short steps, keeping the group membership alive, until done or stopping. */
  private async waitWithHeartbeats(ms: number, heartbeat: () => Promise<void>, isRunning: () => boolean): Promise<void> {
    const until = Date.now() + ms;
    while (Date.now() < until && isRunning()) {
      await sleep(Math.min(1000, until - Date.now()));
      await heartbeat().catch(() => undefined);
    }
  }
}
