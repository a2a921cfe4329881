/**
 * Consumer lag per partition, measured from Kafka itself (the group's committed offsets against
 * each partition's end), so it covers every wharf instance in the group and does not depend on
 * a consumer being alive to report it. Its admin connection stays open between measurements.
 */
import type { Admin } from 'kafkajs';
import { METRICS } from '../metrics/catalog';
import { gauge } from '../metrics/process-registry';
import { withTimeout } from '../retry/timeout';
import { KafkaClient } from './client';

const FRESH_MS = 5000;
const TIMEOUT_MS = 3000;

export class ConsumerLagProbe {
  private admin?: Admin;
  private connected?: Promise<void>;
  private measuredAt = 0;

  constructor(
    private readonly client: KafkaClient,
    private readonly topic: string,
    private readonly groupId: string,
  ) {}

  /** Refreshes the gauge unless it is recent; a Kafka outage leaves the last values (and logs nothing: the health check does). */
  async refresh(): Promise<void> {
    if (Date.now() - this.measuredAt < FRESH_MS) return;
    this.measuredAt = Date.now();
    await withTimeout(this.measure(), TIMEOUT_MS, () => new Error('lag measurement timed out')).catch(() => (this.connected = undefined));
  }

  async close(): Promise<void> {
    await this.admin?.disconnect().catch(() => undefined);
  }

  private async measure(): Promise<void> {
    this.admin ??= KafkaClient.kafkajs(this.client).admin();
    this.connected ??= this.admin.connect();
    await this.connected;
    const [ends, committed] = await Promise.all([
      this.admin.fetchTopicOffsets(this.topic),
      this.admin.fetchOffsets({ groupId: this.groupId, topics: [this.topic] }),
    ]);
    const committedBy = new Map((committed[0]?.partitions ?? []).map((p) => [p.partition, BigInt(p.offset)]));
    const lag = gauge(METRICS.consumerLag);
    lag.reset();
    for (const end of ends) {
      const done = committedBy.get(end.partition) ?? -1n;
      const from = done >= 0n ? done : BigInt(end.low);
      const behind = BigInt(end.high) - from;
      lag.set({ group: this.groupId, topic: this.topic, partition: String(end.partition) }, Number(behind > 0n ? behind : 0n));
    }
  }
}
