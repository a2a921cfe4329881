/**
 * The HDFS archive sink: every record's document, once per offset, in NDJSON files (layout.ts),
 * each partition handled by its PartitionArchive (exactly once, HDFS the truth). Batches of one
 * partition are written in order; a timer finalizes segments that reached `rollMs` while their
 * partition was idle. Nothing in an archive is ever refused: every WebHDFS failure (HDFS down,
 * safe mode, permission denied, a quota, a wrong URL) makes the sink unavailable, so the batch
 * waits uncommitted while Kafka holds the backlog, and says what to fix.
 */
import { describeError } from '../../errors';
import type { SinkRecord } from '../../records/sink-record';
import { SinkUnavailableError, type SinkWriteResult, type SinkWriter, type WriteOptions } from '../sink-writer';
import { createWebHdfs } from './client';
import type { HdfsSinkConfig } from './config';
import { extensionOf, INDEX, TMP } from './layout';
import { PartitionArchive } from './partition-archive';
import type { WebHdfsClient } from './webhdfs-client';

/** The records topic, when a caller does not say (wharf's default `kafka.topic`). */
const DEFAULT_TOPIC = 'wharf.records';

export class HdfsWriter implements SinkWriter {
  readonly id: string;
  private readonly hdfs: WebHdfsClient;
  private readonly partitions = new Map<string, PartitionArchive>();
  /** Per partition: the tail of its chain of operations (writes and timed rolls never overlap). */
  private readonly queues = new Map<string, Promise<unknown>>();
  private readonly timer: NodeJS.Timeout;

  constructor(private readonly config: HdfsSinkConfig) {
    this.id = config.id;
    this.hdfs = createWebHdfs(config);
    this.timer = setInterval(() => this.rollIdle(), Math.min(config.rollMs, 5000));
    this.timer.unref();
  }

  async prepare(): Promise<void> {
    try {
      await this.hdfs.mkdirs(`${this.config.path}/${TMP}`);
      await this.hdfs.mkdirs(`${this.config.path}/${INDEX}`);
    } catch (err) {
      throw this.unavailable(err);
    }
  }

  async write(batch: readonly SinkRecord[], options: WriteOptions = {}): Promise<SinkWriteResult> {
    const topic = options.topic ?? DEFAULT_TOPIC;
    const byPartition = new Map<number, SinkRecord[]>();
    for (const record of batch) {
      const list = byPartition.get(record.partition) ?? [];
      if (list.length === 0) byPartition.set(record.partition, list);
      list.push(record);
    }
    const result: SinkWriteResult = { written: 0, unchanged: 0, stale: 0, rejected: [] };
    for (const [partition, records] of byPartition) {
      records.sort((a, b) => (BigInt(a.offset) < BigInt(b.offset) ? -1 : 1));
      const archive = this.archive(topic, partition);
      try {
        const done = await this.serialized(`${topic}/${partition}`, () => archive.write(records));
        result.written += done.written;
        result.unchanged += done.unchanged;
      } catch (err) {
        throw this.unavailable(err);
      }
    }
    return result;
  }

  async close(): Promise<void> {
    clearInterval(this.timer);
    await Promise.allSettled(this.queues.values());
    await this.hdfs.close();
  }

  private archive(topic: string, partition: number): PartitionArchive {
    const key = `${topic}/${partition}`;
    let archive = this.partitions.get(key);
    if (!archive) {
      const { path: root, compression, rollBytes, rollMs } = this.config;
      archive = new PartitionArchive(this.hdfs, { root, topic, partition, extension: extensionOf(compression) }, { compression, rollBytes, rollMs });
      this.partitions.set(key, archive);
    }
    return archive;
  }

  private serialized<T>(key: string, operation: () => Promise<T>): Promise<T> {
    const run = (this.queues.get(key) ?? Promise.resolve()).then(operation, operation);
    this.queues.set(key, run.catch(() => undefined));
    return run;
  }

  /** Finalizes segments past `rollMs` on partitions that got no batch; a failure is retried at the next batch. */
  private rollIdle(): void {
    for (const [key, archive] of this.partitions) void this.serialized(key, () => archive.rollIfDue()).catch(() => undefined);
  }

  private unavailable(err: unknown): SinkUnavailableError {
    return err instanceof SinkUnavailableError ? err : new SinkUnavailableError(this.id, describeError(err), err);
  }
}
