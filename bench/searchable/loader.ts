/**
 * wharf loading Elasticsearch at full speed, as its partition consumers do, without Kafka in
 * the way: `consumers` ElasticsearchWriters (one per consumer process, each with its own
 * adaptive controller), each fed by `partitions` loops that write batches of `batch` records
 * back to back, as a consumer delivers its partitions' batches concurrently. Records are 1 KB
 * bench records under ids never used before, so every write indexes a new document.
 */
import { toWireRecord } from '../../src/records/wire-record';
import type { SinkRecord } from '../../src/records/sink-record';
import type { AdaptiveConcurrencyConfig } from '../../src/sinks/adaptive/config';
import type { ElasticsearchSinkConfig } from '../../src/sinks/elasticsearch/config';
import { ElasticsearchWriter } from '../../src/sinks/elasticsearch/writer';
import { benchRecord, SOURCE_ID } from '../pipeline/records';

export interface LoadShape {
  consumers: number;
  partitions: number;
  batch: number;
}

export interface LoadResult {
  docs: number;
  seconds: number;
  /** Each writer's limit and request size at the end. */
  final: string[];
}

/** A pool of payloads reused under fresh ids, so generating records costs the bench little. */
const POOL = Array.from({ length: 5000 }, (_, i) => benchRecord(i + 1));

function recordsFrom(next: () => number, count: number, ingestedAt: string): SinkRecord[] {
  return Array.from({ length: count }, () => {
    const n = next();
    const record: SinkRecord = { id: `${SOURCE_ID}:${n}`, source: SOURCE_ID, ingestedAt, partition: n % 6, offset: String(n), version: String(n), payload: POOL[n % POOL.length] };
    return { ...record, wireBytes: Buffer.byteLength(JSON.stringify(toWireRecord(record))) };
  });
}

/** Loads `index` until `signal` fires; counts the documents acknowledged. */
export async function loadUntil(sink: ElasticsearchSinkConfig, index: string, adaptive: AdaptiveConcurrencyConfig, shape: LoadShape, signal: AbortSignal): Promise<LoadResult> {
  let counter = 0;
  const next = () => ++counter;
  const ingestedAt = new Date().toISOString();
  const writers = Array.from({ length: shape.consumers }, (_, i) => new ElasticsearchWriter({ ...sink, id: `bench-${i}`, index, adaptiveConcurrency: adaptive }));
  await writers[0].prepare();
  let docs = 0;
  const started = performance.now();
  await Promise.all(
    writers.flatMap((writer) =>
      Array.from({ length: shape.partitions }, async () => {
        while (!signal.aborted) {
          const result = await writer.write(recordsFrom(next, shape.batch, ingestedAt));
          docs += result.written + result.unchanged;
        }
      }),
    ),
  );
  const seconds = (performance.now() - started) / 1000;
  const final = writers.map(({ limits }) => `${limits.concurrency}x${limits.batchSize}`);
  await Promise.all(writers.map((w) => w.close()));
  return { docs, seconds, final };
}
