/**
 * The root's view of every process's metrics: asks each forked actor for its registry (on every
 * scrape, and on a timer so that a crash loses at most one interval of counts) and merges them
 * with the root's own registry. An actor that does not answer in time is shown with its last
 * snapshot; one that exited has its counts carried forward (merge.ts).
 */
import { MetricsMerger } from './merge';
import { snapshotMetrics, type MetricSnapshot } from './process-registry';

/** A process whose metrics the root collects (a forked actor): its slot id, and how to ask it. */
export interface MetricsSource {
  /** The actor slot: stable across the process's restarts. */
  id: string;
  alive(): boolean;
  snapshot(timeoutMs: number): Promise<{ incarnation: string; metrics: MetricSnapshot }>;
}

const ASK_TIMEOUT_MS = 2000;

export class MetricsCollector {
  private readonly merger = new MetricsMerger();
  private timer?: NodeJS.Timeout;
  private collecting?: Promise<void>;

  constructor(private readonly sources: () => MetricsSource[]) {}

  start(intervalMs: number): void {
    this.timer = setInterval(() => void this.collect(), intervalMs);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
  }

  async render(): Promise<string> {
    await this.collect();
    return this.merger.render(await snapshotMetrics());
  }

  /** One collection at a time; concurrent callers share it. */
  collect(): Promise<void> {
    this.collecting ??= this.collectOnce().finally(() => (this.collecting = undefined));
    return this.collecting;
  }

  private async collectOnce(): Promise<void> {
    const present = new Set<string>();
    await Promise.all(
      this.sources().map(async (source) => {
        if (!source.alive()) return;
        present.add(source.id);
        try {
          const answer = await source.snapshot(ASK_TIMEOUT_MS);
          if (source.alive()) this.merger.update(source.id, answer.incarnation, answer.metrics);
        } catch {
          // Busy or dying: its last snapshot stands until it answers again or is gone.
        }
      }),
    );
    for (const slot of this.merger.slotIds()) if (!present.has(slot)) this.merger.gone(slot);
  }
}
