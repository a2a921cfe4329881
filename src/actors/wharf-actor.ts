/**
 * The base of wharf's actors (and of operators' own actor modules): a supervised actor whose
 * process also reports its metrics. A forked actor keeps its own registry; the root asks each
 * for a snapshot (`__metrics`) and merges them (metrics/collector.ts).
 */
import { snapshotMetrics, startProcessMetrics, type MetricSnapshot } from '../metrics/process-registry';
import { SupervisedActor } from '../supervisors/supervised-actor';

/** Identifies this process among the restarts of one actor slot (see metrics/merge.ts). */
const INCARNATION = `${process.pid}-${Date.now()}`;

export abstract class WharfActor<Settings = Record<string, unknown>> extends SupervisedActor<Settings> {
  override initialize(selfActor: Parameters<SupervisedActor['initialize']>[0]): void {
    super.initialize(selfActor);
    if (this.forked) startProcessMetrics(this.id);
  }

  /** This process's metrics, collected by the root (in-memory actors share the root's). */
  async __metrics(): Promise<{ incarnation: string; metrics: MetricSnapshot }> {
    return { incarnation: INCARNATION, metrics: await snapshotMetrics() };
  }
}
