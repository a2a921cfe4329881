/**
 * Adaptive request concurrency for a sink's bulk requests: additive increase, multiplicative
 * decrease (AIMD) on the response time, as Vector's ARC does (vector/src/sinks/util/adaptive_concurrency).
 * Pure logic over an injected clock; the limiter (limiter.ts) holds the slots.
 *
 * Time runs in periods of about one baseline response time. The baseline is an exponentially
 * weighted moving average (`ewmaAlpha`) of the periods' mean response times, with its mean
 * deviation. At the end of a period:
 *   - no back pressure and a mean response time at or under the baseline: an increase: the
 *     request size grows by a tenth of its range back to `batchSize` first, then the limit grows
 *     by one, but only if the period's requests reached the limit (else it is not what holds
 *     them back);
 *   - back pressure (a 429, a 503, a timeout, in this period) or a mean response time over
 *     baseline + rttDeviationScale × deviation: a decrease: the limit is multiplied by
 *     decreaseRatio (truncated, at least `min`); once it is at `min`, the request size is;
 *   - the same when the period's mean response time per record exceeds maxRttOverFloor times
 *     the floor, the lowest one seen lately (it rises by 0.5 % a period to forget old quiet
 *     moments): requests queue in the server, as in TCP Vegas. Vector's rules alone let the
 *     limit creep up to `max` while a loaded server's response times are noisy; this one keeps
 *     it where the server answers without a queue (only the limit: the size is the server's pace);
 *   - then the period's mean joins the baseline (a timeout brings no response time).
 * Each process's controller sees only its own requests: several consumer processes writing to
 * one cluster each back off on their own, and together by the same signals (Vector's sinks do
 * the same). Their sum is what the cluster gets; `max` bounds each.
 */
import type { AdaptiveConcurrencyConfig } from './config';

/** How the server pushed back: 429 (rejected), 503 (overloaded), no answer in time (timeout). */
export type BackPressure = 'rejected' | 'overloaded' | 'timeout';
export type DecreaseCause = BackPressure | 'latency' | 'queueing';

/** How much the floor rises each period, so that it forgets a quiet moment long past (about doubling over 140 periods). */
const FLOOR_DRIFT = 0.005;

export type Adjustment = { change: 'increase'; of: 'limit' | 'size' } | { change: 'decrease'; of: 'limit' | 'size'; cause: DecreaseCause };

export type ControllerSettings = Pick<AdaptiveConcurrencyConfig, 'initial' | 'min' | 'max' | 'minBatchSize' | 'decreaseRatio' | 'ewmaAlpha' | 'rttDeviationScale' | 'maxRttOverFloor'> & {
  /** Largest request size, in records (the sink's batchSize). */
  maxBatchSize: number;
};

/** Exponentially weighted moving average and variance (Finch, "Incremental calculation of weighted mean and variance"). */
class MovingAverage {
  mean: number | undefined;
  private variance = 0;

  constructor(private readonly alpha: number) {}

  get deviation(): number {
    return Math.sqrt(this.variance);
  }

  update(value: number): void {
    if (this.mean === undefined) {
      this.mean = value;
      return;
    }
    const difference = value - this.mean;
    const increment = this.alpha * difference;
    this.mean += increment;
    this.variance = (1 - this.alpha) * (this.variance + difference * increment);
  }
}

export class AimdController {
  private currentLimit: number;
  private currentSize: number;
  private readonly baseline: MovingAverage;
  private periodSum = 0;
  private periodCount = 0;
  private periodRecords = 0;
  /** The lowest mean response time per record of a period lately: the server answering without a queue. */
  private floor: number | undefined;
  private pushedBack: BackPressure | undefined;
  private reachedLimit = false;
  private nextUpdateAt = 0;
  private latestMs: number | undefined;

  constructor(
    private readonly settings: ControllerSettings,
    private readonly now: () => number = Date.now,
  ) {
    this.currentLimit = settings.initial;
    this.currentSize = settings.maxBatchSize;
    this.baseline = new MovingAverage(settings.ewmaAlpha);
  }

  /** Concurrent requests allowed now. */
  get limit(): number {
    return this.currentLimit;
  }

  /** Records per request now. */
  get batchSize(): number {
    return this.currentSize;
  }

  /** The baseline response time in ms (undefined before the first response). */
  get baselineMs(): number | undefined {
    return this.baseline.mean;
  }

  get latestRttMs(): number | undefined {
    return this.latestMs;
  }

  /** A request starts with `inFlight` requests (itself included) in flight. */
  started(inFlight: number): void {
    if (inFlight >= this.currentLimit) this.reachedLimit = true;
  }

  /** A request ended: answered after `rttMs` (undefined: no answer, a timeout), with back pressure or not. */
  completed(rttMs: number | undefined, backPressure?: BackPressure, records = 1): Adjustment | undefined {
    if (rttMs !== undefined) {
      this.latestMs = rttMs;
      this.periodSum += rttMs;
      this.periodCount++;
      this.periodRecords += records;
    }
    this.pushedBack ??= backPressure;
    const now = this.now();
    if (now < this.nextUpdateAt) return undefined;
    return this.endPeriod(now);
  }

  private endPeriod(now: number): Adjustment | undefined {
    const current = this.periodCount > 0 ? this.periodSum / this.periodCount : undefined;
    if (this.baseline.mean === undefined && current !== undefined) this.baseline.update(current);
    const past = this.baseline.mean;
    const queueing = this.queueing();
    let adjustment: Adjustment | undefined;
    if (!this.pushedBack && !queueing && current !== undefined && past !== undefined && current <= past) adjustment = this.increase();
    else if (this.pushedBack) adjustment = this.decrease(this.pushedBack);
    else if (current !== undefined && past !== undefined && current >= past + this.settings.rttDeviationScale * this.baseline.deviation) adjustment = this.decrease('latency');
    else if (queueing) adjustment = this.decrease('queueing');
    if (current !== undefined) this.baseline.update(current);
    this.nextUpdateAt = now + (past ?? current ?? 0);
    this.periodSum = 0;
    this.periodCount = 0;
    this.periodRecords = 0;
    this.pushedBack = undefined;
    this.reachedLimit = false;
    return adjustment;
  }

  /** Whether this period's response time per record is over maxRttOverFloor times the floor; moves the floor. */
  private queueing(): boolean {
    if (this.periodRecords === 0) return false;
    const perRecord = this.periodSum / this.periodRecords;
    const floor = this.floor;
    this.floor = floor === undefined ? perRecord : Math.min(perRecord, floor * (1 + FLOOR_DRIFT));
    return floor !== undefined && this.settings.maxRttOverFloor > 0 && perRecord > floor * this.settings.maxRttOverFloor;
  }

  private increase(): Adjustment | undefined {
    const { maxBatchSize, minBatchSize, max } = this.settings;
    if (this.currentSize < maxBatchSize) {
      this.currentSize = Math.min(maxBatchSize, this.currentSize + Math.max(1, Math.ceil((maxBatchSize - minBatchSize) / 10)));
      return { change: 'increase', of: 'size' };
    }
    if (!this.reachedLimit || this.currentLimit >= max) return undefined;
    this.currentLimit++;
    return { change: 'increase', of: 'limit' };
  }

  private decrease(cause: DecreaseCause): Adjustment | undefined {
    const { decreaseRatio, min, minBatchSize } = this.settings;
    if (this.currentLimit > min) {
      this.currentLimit = Math.max(min, Math.floor(this.currentLimit * decreaseRatio));
      return { change: 'decrease', of: 'limit', cause };
    }
    // Queueing at the least concurrency is the server's own pace: smaller requests would only add overhead.
    if (cause === 'queueing') return undefined;
    const smallest = Math.min(minBatchSize, this.currentSize);
    if (this.currentSize <= smallest) return undefined;
    this.currentSize = Math.max(smallest, Math.floor(this.currentSize * decreaseRatio));
    return { change: 'decrease', of: 'size', cause };
  }
}
