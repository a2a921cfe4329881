/**
 * Consumer lag per partition, measured from Kafka itself (the group's committed offsets against
 * each partition's end), so it covers every wharf instance in the group and does not depend on
 * a consumer being alive to report it. One computation (`partitionLags`) serves the
 * `wharf_consumer_lag_records` gauge (ConsumerLagProbe, whose admin connection stays open
 * between measurements) and `wharf lag` (describeLag, which adds who consumes each partition).
 *
 * A partition the group never committed counts from the partition's start: everything Kafka
 * holds there is still to be consumed.
 */
import { AssignerProtocol, type Admin } from 'kafkajs';
import { METRICS } from '../metrics/catalog';
import { gauge } from '../metrics/process-registry';
import { withTimeout } from '../retry/timeout';
import { KafkaClient, withAdmin } from './client';

const FRESH_MS = 5000;
const TIMEOUT_MS = 3000;

export interface PartitionLag {
  group: string;
  topic: string;
  partition: number;
  /** The next offset the group will read (Kafka's committed offset), or null when it never committed. */
  committed: bigint | null;
  /** The partition's end (log-end offset). */
  end: bigint;
  lag: bigint;
  /** The group member the partition is assigned to now, if any. */
  member?: { memberId: string; clientId: string; host: string };
}

export interface GroupLag {
  group: string;
  /** Kafka's group state: Stable, PreparingRebalance, Empty, Dead, ... */
  state: string;
  members: number;
  partitions: PartitionLag[];
}

interface PartitionEnds {
  partition: number;
  high: string;
  low: string;
}

/** Lag of each partition from its ends and the group's committed offsets (-1: none). */
export function partitionLags(group: string, topic: string, ends: readonly PartitionEnds[], committed: ReadonlyArray<{ partition: number; offset: string }>): PartitionLag[] {
  const committedBy = new Map(committed.map((p) => [p.partition, BigInt(p.offset)]));
  return ends
    .map((e) => {
      const done = committedBy.get(e.partition) ?? -1n;
      const end = BigInt(e.high);
      const behind = end - (done >= 0n ? done : BigInt(e.low));
      return { group, topic, partition: e.partition, committed: done >= 0n ? done : null, end, lag: behind > 0n ? behind : 0n };
    })
    .sort((a, b) => a.partition - b.partition);
}

/**
 * Per group: its state, members and the lag of every partition of the topics it consumes (the
 * ones it committed offsets for or is assigned, else `defaultTopic`), with the member each is
 * assigned to.
 */
export function describeLag(client: KafkaClient, groupIds: readonly string[], defaultTopic: string): Promise<GroupLag[]> {
  return withAdmin(client, async (admin) => {
    const existing = new Set(await admin.listTopics());
    const { groups } = await admin.describeGroups([...groupIds]);
    const described: GroupLag[] = [];
    for (const { groupId, state, members } of groups) {
      const owners = new Map<string, PartitionLag['member']>();
      for (const member of members) {
        const decoded = member.memberAssignment.length > 0 ? AssignerProtocol.MemberAssignment.decode(member.memberAssignment) : null;
        for (const [topic, partitions] of Object.entries(decoded?.assignment ?? {})) {
          for (const p of partitions) owners.set(`${topic}/${p}`, { memberId: member.memberId, clientId: member.clientId, host: member.clientHost });
        }
      }
      const committed = await admin.fetchOffsets({ groupId });
      const topics = new Set([...committed.filter((t) => t.partitions.some((p) => Number(p.offset) >= 0)).map((t) => t.topic), ...[...owners.keys()].map((k) => k.slice(0, k.lastIndexOf('/')))]);
      if (topics.size === 0) topics.add(defaultTopic);
      const partitions: PartitionLag[] = [];
      for (const topic of [...topics].filter((t) => existing.has(t)).sort()) {
        const ends = await admin.fetchTopicOffsets(topic);
        const rows = partitionLags(groupId, topic, ends, committed.find((t) => t.topic === topic)?.partitions ?? []);
        partitions.push(...rows.map((row) => ({ ...row, member: owners.get(`${topic}/${row.partition}`) })));
      }
      described.push({ group: groupId, state, members: members.length, partitions });
    }
    return described;
  });
}

export class ConsumerLagProbe {
  private admin?: Admin;
  private connected?: Promise<void>;
  private measuredAt = 0;

  constructor(
    private readonly client: KafkaClient,
    private readonly topic: string,
    private readonly groupId: string,
  ) {}

  /**
   * Refreshes the gauge unless it is recent. While Kafka cannot be asked the lag is unknown: its
   * series are removed rather than left at their last values, which would show a backlog that
   * no longer grows; the measurement's timestamp stops moving. Logs nothing: the health check does.
   */
  async refresh(): Promise<void> {
    if (Date.now() - this.measuredAt < FRESH_MS) return;
    this.measuredAt = Date.now();
    await withTimeout(this.measure(), TIMEOUT_MS, () => new Error('lag measurement timed out')).catch(() => {
      this.connected = undefined;
      gauge(METRICS.consumerLag).reset();
    });
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
    const lag = gauge(METRICS.consumerLag);
    lag.reset();
    for (const row of partitionLags(this.groupId, this.topic, ends, committed[0]?.partitions ?? [])) {
      lag.set({ group: row.group, topic: row.topic, partition: String(row.partition) }, Number(row.lag));
    }
    gauge(METRICS.consumerLagMeasuredAt).set(Date.now() / 1000);
  }
}
