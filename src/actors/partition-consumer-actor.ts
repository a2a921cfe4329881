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
import { createKafka } from '../clients/kafka';
import type { KafkaConfig, PipelineConfig, SinkConfig } from '../config/schema';
import { describeError, WharfError } from '../errors';
import { sendDeadLetters, type DeadLetter } from '../kafka/dead-letter';
import { RecordProducer } from '../kafka/record-producer';
import { ensureWharfTopics } from '../kafka/topics';
import { fromMessage } from '../kafka/wire-record';
import { sleep } from '../retry';
import { createSinkWriter } from '../sinks/create-sink';
import type { SinkRecord, SinkWriter } from '../sinks/sink-writer';
import { backoffDelay } from '../supervisors/backoff';
import { WharfActor } from '../supervisors/wharf-actor';
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
    this.dlq = new RecordProducer(client, { sendTimeoutMs: kafka.requestTimeoutMs + 15_000 });
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
    const heartbeat = () => payload.heartbeat();
    const isRunning = () => payload.isRunning();
    const isStale = () => payload.isStale();
    if (batch.messages.length === 0) return;
    counter(METRICS.recordsConsumed).inc({ topic: batch.topic }, batch.messages.length);
    const records: SinkRecord[] = [];
    const letters: DeadLetter[] = [];
    for (const message of batch.messages) {
      try {
        records.push(fromMessage(message.value, batch.partition, message.offset));
      } catch (err) {
        letters.push({
          record: message.value?.toString() ?? null,
          stage: 'consume',
          error: describeError(err),
          attempts: 1,
          time: new Date().toISOString(),
          kafka: { topic: batch.topic, partition: batch.partition, offset: message.offset },
        });
      }
    }
    for (const writer of this.writers) {
      for (let failures = 0; ; failures++) {
        if (!isRunning() || isStale()) return; // rebalanced or stopping: leave the batch uncommitted
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
          for (const rejected of result.rejected) {
            letters.push({
              record: { id: rejected.record.id, source: rejected.record.source, ingestedAt: rejected.record.ingestedAt, payload: rejected.record.payload },
              recordId: rejected.record.id,
              source: rejected.record.source,
              stage: writer.id,
              error: rejected.reason,
              attempts: rejected.attempts,
              time: new Date().toISOString(),
              kafka: { topic: batch.topic, partition: batch.partition, offset: rejected.record.offset },
            });
          }
          break;
        } catch (err) {
          counter(METRICS.sinkErrors).inc({ sink: writer.id, kind: err instanceof WharfError && err.retriable ? 'unavailable' : 'failed' });
          if (err instanceof WharfError && !err.retriable) throw err;
          const delayMs = backoffDelay(consumers.retry, failures);
          this.log.warn(
            { sink: writer.id, partition: batch.partition, attempt: failures + 1, retryInMs: delayMs, err: describeError(err) },
            'sink unavailable; partition waits and retries',
          );
          await this.waitWithHeartbeats(delayMs, heartbeat, isRunning);
        }
      }
    }
    if (letters.length > 0) await sendDeadLetters(this.dlq!, kafka.dlqTopic, letters);
    const last = batch.lastOffset();
    payload.resolveOffset(last);
    await this.consumer!.commitOffsets([{ topic: batch.topic, partition: batch.partition, offset: (BigInt(last) + 1n).toString() }]);
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
