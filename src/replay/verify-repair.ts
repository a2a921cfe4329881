/**
 * `wharf verify --repair`: re-delivers the topic's newest version of every record a sink is
 * missing or holds stale or different, to that sink only, through the pipeline's one delivery
 * path (pipeline/delivery.ts): the same writers and versions (with `replaceSameVersion`, so a
 * document altered behind wharf's back under the same version is replaced; the message is read again at its
 * partition and offset, so the record keeps the version it has in Kafka), the same dead
 * letters, the same retry policy, bounded by `sinkDeadlineMs`. The read goes through a
 * throwaway group over the smallest range per partition that holds every message wanted.
 * `unexpected` and `newer` documents are left as they are.
 */
import { readRanges, type PartitionRange } from '../kafka/range-reader';
import type { SinkConfig } from '../sinks/registry';
import { addDelivered, emptyOutcome, jobDelivery, type RedeliveryJob, type RedeliveryOutcome } from './redeliver';

/** The messages to deliver again, by partition and offset, and to which sinks. */
export class RepairPlan {
  private readonly wanted = new Map<number, Map<string, Set<string>>>();
  /** Per sink: records to deliver again. */
  readonly requested: Record<string, number> = {};

  add(partition: number, offset: string, sink: string): void {
    let offsets = this.wanted.get(partition);
    if (!offsets) this.wanted.set(partition, (offsets = new Map<string, Set<string>>()));
    let sinks = offsets.get(offset);
    if (!sinks) offsets.set(offset, (sinks = new Set<string>()));
    sinks.add(sink);
    this.requested[sink] = (this.requested[sink] ?? 0) + 1;
  }

  get size(): number {
    return Object.values(this.requested).reduce((sum, n) => sum + n, 0);
  }

  /** Per partition, from the first wanted offset to just past the last. */
  ranges(): PartitionRange[] {
    return [...this.wanted].map(([partition, offsets]) => {
      const all = [...offsets.keys()].map(BigInt);
      return { partition, from: all.reduce((a, b) => (b < a ? b : a)), to: all.reduce((a, b) => (b > a ? b : a)) + 1n };
    });
  }

  sinksFor(partition: number, offset: string): ReadonlySet<string> | undefined {
    return this.wanted.get(partition)?.get(offset);
  }
}

export interface RepairOutcome extends RedeliveryOutcome {
  /** Per sink: records found differing, to deliver again. */
  requested: Record<string, number>;
}

export async function repair(options: RedeliveryJob & { sinks: SinkConfig[]; plan: RepairPlan; /** A throwaway consumer group; deleted afterwards. */ groupId: string }): Promise<RepairOutcome> {
  const { plan } = options;
  const targets = options.sinks.filter((s) => (plan.requested[s.id] ?? 0) > 0);
  // Only records found differing are sent: one of the same version was altered behind wharf's back.
  const deliveries = new Map(targets.map((sink) => [sink.id, jobDelivery(options, [sink], true)]));
  const outcome: RepairOutcome = { requested: { ...plan.requested }, ...emptyOutcome(targets) };
  try {
    await readRanges(options.client, {
      topic: options.client.config.topic,
      groupId: options.groupId,
      ranges: plan.ranges(),
      throwawayGroup: true,
      onBatch: async (partition, messages, signal) => {
        for (const [sink, delivery] of deliveries) {
          const wanted = messages.filter((m) => plan.sinksFor(partition, m.offset)?.has(sink));
          if (wanted.length === 0) continue;
          const delivered = await delivery.deliver({ partition, messages: wanted, signal });
          if (!delivered.delivered) throw new Error(`repair of partition ${partition} in sink ${sink} was interrupted`);
          addDelivered(outcome, delivered);
          options.onProgress(wanted.length);
        }
      },
    });
  } finally {
    await Promise.all([...deliveries.values()].map((d) => d.close()));
  }
  return outcome;
}
