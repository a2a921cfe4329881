/**
 * A ceiling on the records a sink writer sends per second (a token bucket holding at most one
 * second's worth): the steady pace Vector's `request.rate_limit_*` gives, for a cluster that must
 * keep serving searches with CPU to spare while wharf loads it (docs/adaptive-concurrency.md).
 * A request takes its records' tokens once it holds a concurrency slot (limiter.ts), so
 * concurrent requests queue behind each other's debt and leave at the pace; one larger than the
 * bucket goes after the wait it costs instead of never.
 */
export class RatePacer {
  private tokens: number;
  private refilledAt: number;
  private readonly perMs: number;

  constructor(
    readonly recordsPerSecond: number,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.perMs = recordsPerSecond / 1000;
    this.tokens = recordsPerSecond;
    this.refilledAt = now();
  }

  /** Takes `records` tokens; the milliseconds to wait before sending them (0: at once). */
  take(records: number): number {
    const now = this.now();
    this.tokens = Math.min(this.recordsPerSecond, this.tokens + (now - this.refilledAt) * this.perMs);
    this.refilledAt = now;
    this.tokens -= records;
    return this.tokens >= 0 ? 0 : -this.tokens / this.perMs;
  }

  /** Gives back what a request took and then did not send (its batch was given up while it waited). */
  refund(records: number): void {
    this.tokens = Math.min(this.recordsPerSecond, this.tokens + records);
  }
}
