/**
 * A partition consumer dying under a steady feed, as the recovery test and bench/recovery.ts
 * both stage it on a PipelineRun: a feed that keeps adding upstream records, a watch of the
 * Elasticsearch count per Kafka partition that measures the longest pause in delivery (of all
 * partitions, and of any one), a SIGKILL of one consumer
 * process, and a SIGTERM of wharf while the group rebalances.
 */
import { eventually, type PipelineRun } from './pipeline';

/** Adds `perTick` upstream records every `tickMs` until stopped. */
export class SteadyFeed {
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly run: PipelineRun,
    private readonly perTick = 20,
    private readonly tickMs = 200,
  ) {}

  start(): void {
    this.timer ??= setInterval(() => this.run.upstream.add(this.perTick), this.tickMs);
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  get added(): number {
    return this.run.upstream.records.length;
  }
}

/** Polls Elasticsearch's count per Kafka partition every `everyMs` and remembers when each grew. */
export class DeliveryWatch {
  /** Times (ms since epoch) at which the count of any partition was seen to grow. */
  readonly growth: number[] = [];
  /** The same, per partition. */
  private readonly partitionGrowth = new Map<number, number[]>();
  private readonly last = new Map<number, number>();
  private timer?: NodeJS.Timeout;
  private polling = false;

  constructor(
    private readonly run: PipelineRun,
    private readonly everyMs = 200,
  ) {}

  start(): void {
    this.timer ??= setInterval(() => void this.poll(), this.everyMs);
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  /** The longest time between `from` and `to` (ms since epoch) during which no partition delivered anything, in ms. */
  longestGap(from: number, to: number): number {
    return longestGap(this.growth, from, to);
  }

  /** The longest time between `from` and `to` during which some one partition delivered nothing, in ms. */
  longestPartitionGap(from: number, to: number): number {
    return Math.max(0, ...[...this.partitionGrowth.values()].map((times) => longestGap(times, from, to)));
  }

  private async poll(): Promise<void> {
    if (this.polling) return;
    this.polling = true;
    try {
      await this.run.es.indices.refresh({ index: this.run.name });
      const found = await this.run.es.search({ index: this.run.name, size: 0, aggs: { partitions: { terms: { field: 'wharf.partition', size: 1000 } } } });
      const buckets = (found.aggregations?.partitions as { buckets: Array<{ key: number; doc_count: number }> }).buckets;
      const now = Date.now();
      let grew = false;
      for (const { key, doc_count: count } of buckets) {
        const before = this.last.get(key);
        if (before !== undefined && count > before) {
          grew = true;
          this.partitionGrowth.set(key, [...(this.partitionGrowth.get(key) ?? []), now]);
        }
        if (before === undefined || count > before) this.last.set(key, count);
      }
      if (grew) this.growth.push(now);
    } catch {
      // A failed poll is a missed sample, not a pause in delivery.
    } finally {
      this.polling = false;
    }
  }
}

function longestGap(times: number[], from: number, to: number): number {
  const points = [from, ...times.filter((t) => t > from && t < to), to];
  return Math.max(...points.slice(1).map((t, i) => t - points[i]));
}

function startsOf(run: PipelineRun, child: string) {
  return run.wharf!.lines.filter((l) => l.event === 'child_started' && l.child === child);
}

/** SIGKILLs `child`'s current process; resolves when the supervisor logged its replacement started (ms since epoch). */
export async function killConsumer(run: PipelineRun, child = 'consumers-1', timeoutMs = 60_000): Promise<{ killedAt: number; replacedAt: number }> {
  const before = startsOf(run, child);
  const pid = Number(before[before.length - 1]?.actorPid);
  if (!pid) throw new Error(`no process of ${child} was started`);
  const killedAt = Date.now();
  process.kill(pid, 'SIGKILL');
  await eventually(() => Promise.resolve(startsOf(run, child).length), (n) => n > before.length, timeoutMs, `${child} to be started again`);
  return { killedAt, replacedAt: Date.now() };
}

/**
 * SIGKILLs a consumer and sends wharf SIGTERM `delayMs` later, while the replacement joins the
 * group (its JoinGroup waits for the dead member's session to expire); resolves with the exit
 * code and how long the exit took.
 */
export async function sigtermDuringRebalance(run: PipelineRun, delayMs = 3000, boundMs = 60_000): Promise<{ code: number | null | 'hung'; exitMs: number }> {
  const pid = Number(startsOf(run, 'consumers-1').pop()?.actorPid);
  process.kill(pid, 'SIGKILL');
  await new Promise((r) => setTimeout(r, delayMs));
  const signalledAt = Date.now();
  run.wharf!.signal('SIGTERM');
  const code = await Promise.race([run.wharf!.exited, new Promise<'hung'>((r) => setTimeout(() => r('hung'), boundMs))]);
  return { code, exitMs: Date.now() - signalledAt };
}
