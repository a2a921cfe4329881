/**
 * The slots of a sink writer's bulk requests: at most the controller's limit in flight at once
 * (controller.ts), the rest wait in order. Every request is timed and judged (back pressure or
 * not) and the controller adjusts after it; disabled, the limit stays `max` and the size the
 * sink's batchSize. With `maxRecordsPerSecond`, a request holding a slot also waits for its
 * turn under that ceiling (rate-pacer.ts). Every change and every wait shows in the metrics,
 * labelled by sink.
 */
import { METRICS } from '../../metrics/catalog';
import { counter, gauge, histogram } from '../../metrics/process-registry';
import type { AdaptiveConcurrencyConfig } from './config';
import { AimdController, type BackPressure } from './controller';
import { RatePacer } from './rate-pacer';
import { sleep } from '../../retry/retry';
import { OperationAbortedError } from '../../errors';

export type Judged<T> = { value: T } | { error: unknown };

export class RequestLimiter {
  private readonly controller: AimdController;
  private inFlight = 0;
  private readonly waiting: Array<() => void> = [];
  private readonly pacer: RatePacer | undefined;
  private readonly now: () => number;

  constructor(
    private readonly sink: string,
    private readonly config: AdaptiveConcurrencyConfig,
    maxBatchSize: number,
    options: { maxRecordsPerSecond?: number; now?: () => number } = {},
  ) {
    this.now = options.now ?? (() => performance.now());
    this.pacer = options.maxRecordsPerSecond === undefined ? undefined : new RatePacer(options.maxRecordsPerSecond, this.now);
    const fixed = config.enabled ? {} : { initial: config.max, min: config.max, minBatchSize: maxBatchSize };
    this.controller = new AimdController({ ...config, ...fixed, maxBatchSize }, this.now);
    gauge(METRICS.sinkConcurrencyControllers).inc({ sink });
    this.publish(+1);
  }

  get limit(): number {
    return this.controller.limit;
  }

  /** Records per bulk request now. */
  get batchSize(): number {
    return this.controller.batchSize;
  }

  /**
   * Sends one request once a slot is free; `judge` says whether its outcome was the server
   * pushing back; `records` is how many it carries. The outcome is returned (or thrown) unchanged.
   */
  async run<T>(send: () => Promise<T>, judge: (outcome: Judged<T>) => BackPressure | undefined, records = 1, signal?: AbortSignal): Promise<T> {
    if (this.inFlight < this.controller.limit) this.inFlight++;
    else await new Promise<void>((resolve) => this.waiting.push(resolve));
    // Paced once it holds a slot: a request paced first could still leave together with others when slots free up.
    const pacedMs = this.pacer?.take(records) ?? 0;
    if (pacedMs > 0) {
      counter(METRICS.sinkPacedSeconds).inc({ sink: this.sink }, pacedMs / 1000);
      await sleep(pacedMs, signal);
      if (signal?.aborted) {
        // The batch was given up while waiting: not sent, so neither its slot nor its turn is kept.
        this.pacer!.refund(records);
        this.release();
        throw new OperationAbortedError(`bulk request to sink ${this.sink}`);
      }
    }
    gauge(METRICS.sinkRequestsInFlight).inc({ sink: this.sink });
    this.controller.started(this.inFlight);
    const started = this.now();
    let outcome: Judged<T>;
    try {
      outcome = { value: await send() };
    } catch (error) {
      outcome = { error };
    }
    const rttMs = this.now() - started;
    histogram(METRICS.sinkRequestDuration).observe({ sink: this.sink }, rttMs / 1000);
    gauge(METRICS.sinkRequestsInFlight).dec({ sink: this.sink });
    this.adjust(rttMs, judge(outcome), records);
    this.release();
    if ('error' in outcome) throw outcome.error;
    return outcome.value;
  }

  /** This process stops writing to the sink: its share leaves the summed gauges. */
  close(): void {
    this.publish(-1);
    gauge(METRICS.sinkConcurrencyControllers).dec({ sink: this.sink });
  }

  private adjust(rttMs: number, backPressure: BackPressure | undefined, records: number): void {
    if (!this.config.enabled) return;
    this.publish(-1);
    const adjustment = this.controller.completed(backPressure === 'timeout' ? undefined : rttMs, backPressure, records);
    this.publish(+1);
    if (adjustment?.change === 'decrease') counter(METRICS.sinkConcurrencyDecreases).inc({ sink: this.sink, cause: adjustment.cause });
  }

  /** Adds (+1) or removes (-1) this process's share of the summed gauges. */
  private publish(sign: 1 | -1): void {
    const sink = { sink: this.sink };
    gauge(METRICS.sinkConcurrencyLimit).inc(sink, sign * this.controller.limit);
    gauge(METRICS.sinkBatchSizeLimit).inc(sink, sign * this.controller.batchSize);
    gauge(METRICS.sinkRttBaseline).inc(sink, (sign * (this.controller.baselineMs ?? 0)) / 1000);
  }

  /** Frees a slot and hands free slots to the longest waiting, in order (the slot is taken on their behalf). */
  private release(): void {
    this.inFlight--;
    while (this.waiting.length > 0 && this.inFlight < this.controller.limit) {
      this.inFlight++;
      this.waiting.shift()!();
    }
  }
}
