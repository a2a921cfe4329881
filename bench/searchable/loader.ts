/**
 * wharf loading Elasticsearch at full speed, as its partition consumers do, without Kafka in
 * the way: `consumers` ElasticsearchWriters (one per consumer process, each with its own
 * adaptive controller), each fed by `partitions` loops that write batches of `batch` records
 * back to back, as a consumer delivers its partitions' batches concurrently. Records are 1 KB
 * bench records under ids never used before, so every write indexes a new document.
 *
 * The load can be paused and resumed (the benchmark interleaves short slices of each mode): its
 * writers, and so their controllers, live on across slices, as in a running consumer.
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

/** A pool of payloads reused under fresh ids, so generating records costs the bench little. */
const POOL = Array.from({ length: 5000 }, (_, i) => benchRecord(i + 1));

export class PausableLoad {
  /** Documents acknowledged, and ms spent active. */
  docs = 0;
  activeMs = 0;
  private readonly writers: ElasticsearchWriter[];
  private counter = 0;
  private activeSince: number | undefined;
  private open: (() => void) | undefined;
  private gate: Promise<void> = new Promise((resolve) => (this.open = resolve));
  private accepting = false;
  private busy = 0;
  private drained: Array<() => void> = [];
  private stopped = false;
  private loops: Array<Promise<void>> = [];
  private readonly ingestedAt = new Date().toISOString();

  constructor(
    sink: ElasticsearchSinkConfig,
    readonly index: string,
    adaptive: AdaptiveConcurrencyConfig,
    private readonly shape: LoadShape,
    /** The sink's maxDocsPerSecond for the whole load, shared evenly by its writers (unset: none). */
    maxDocsPerSecond?: number,
  ) {
    const perWriter = maxDocsPerSecond === undefined ? undefined : Math.max(1, Math.round(maxDocsPerSecond / shape.consumers));
    this.writers = Array.from({ length: shape.consumers }, (_, i) => new ElasticsearchWriter({ ...sink, id: `bench-${i}`, index, adaptiveConcurrency: adaptive, maxDocsPerSecond: perWriter }));
  }

  async start(): Promise<void> {
    await this.writers[0].prepare();
    this.loops = this.writers.flatMap((writer) => Array.from({ length: this.shape.partitions }, () => this.loop(writer)));
  }

  resume(): void {
    if (this.activeSince !== undefined) return;
    this.activeSince = performance.now();
    this.accepting = true;
    this.open?.();
  }

  /** Stops starting writes and resolves once those in flight are done: their time counts as active, and none spills into the next slice. */
  async pause(): Promise<void> {
    if (this.activeSince === undefined) return;
    this.gate = new Promise((resolve) => (this.open = resolve));
    this.accepting = false;
    while (this.busy > 0) await new Promise<void>((resolve) => this.drained.push(resolve));
    this.activeMs += performance.now() - this.activeSince;
    this.activeSince = undefined;
  }

  /** Each writer's concurrency limit x request size now. */
  limits(): string[] {
    return this.writers.map(({ limits }) => `${limits.concurrency}x${limits.batchSize}`);
  }

  async stop(): Promise<void> {
    await this.pause();
    this.stopped = true;
    this.open?.();
    await Promise.all(this.loops);
    await Promise.all(this.writers.map((w) => w.close()));
  }

  private async loop(writer: ElasticsearchWriter): Promise<void> {
    while (!this.stopped) {
      if (!this.accepting) {
        await this.gate;
        continue;
      }
      this.busy++;
      try {
        const result = await writer.write(this.records());
        this.docs += result.written + result.unchanged;
      } finally {
        if (--this.busy === 0) this.drained.splice(0).forEach((resolve) => resolve());
      }
    }
  }

  private records(): SinkRecord[] {
    return Array.from({ length: this.shape.batch }, () => {
      const n = ++this.counter;
      const record: SinkRecord = { id: `${SOURCE_ID}:${n}`, source: SOURCE_ID, ingestedAt: this.ingestedAt, partition: n % 6, offset: String(n), version: String(n), payload: POOL[n % POOL.length] };
      return { ...record, wireBytes: Buffer.byteLength(JSON.stringify(toWireRecord(record))) };
    });
  }
}
