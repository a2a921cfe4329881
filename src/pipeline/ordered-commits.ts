/**
 * Pages in flight, committed in order: a poller starts producing a page before the pages before
 * it are acknowledged, and a page's commit (saving the cursor after it) runs only once that page
 * and every page before it were acknowledged, one commit at a time, oldest first. A page that
 * fails is never committed, nor is any page after it: the window then waits for every page
 * still in flight to settle (none is left running behind the caller's back), commits the pages
 * acknowledged before the first failed one (fewer pages produced again on the retry), and throws
 * the failure. A commit that fails commits nothing after it. So a crash or a failure can leave the cursor only at or before the first page
 * Kafka has not acknowledged: never past a record that may be lost.
 *
 * `limit` bounds the pages held (fetched, produced or waiting for their commit), and so the
 * memory: `add` commits the oldest page first when the window is full.
 */
export class OrderedCommits<T> {
  private readonly pending: Array<{ acknowledged: Promise<void>; value: T }> = [];
  private failure: { error: unknown } | undefined;

  constructor(
    private readonly limit: number,
    private readonly commit: (value: T) => Promise<void>,
  ) {
    if (!Number.isInteger(limit) || limit < 1) throw new RangeError(`OrderedCommits: limit must be an integer of at least 1, got ${limit}`);
  }

  /** Pages added and not yet committed. */
  get size(): number {
    return this.pending.length;
  }

  /**
   * Holds a page whose production is under way (`acknowledged` settles when Kafka answered),
   * then commits the oldest pages while the window is full. Throws, committing nothing more,
   * once any page held has failed.
   */
  async add(acknowledged: Promise<void>, value: T): Promise<void> {
    // Noticed at once, even when the failed page is not the oldest: no page is added after it.
    acknowledged.catch((error: unknown) => {
      this.failure ??= { error };
    });
    this.pending.push({ acknowledged, value });
    if (this.failure) await this.abandon(true);
    while (this.pending.length >= this.limit) await this.commitOldest();
  }

  /** Commits every page held, in order (the upstream has nothing more for now). */
  async flush(): Promise<void> {
    while (this.pending.length > 0) await this.commitOldest();
  }

  private async commitOldest(): Promise<void> {
    const oldest = this.pending[0];
    try {
      await oldest.acknowledged;
    } catch (err) {
      this.failure ??= { error: err };
      await this.abandon(false);
    }
    this.pending.shift();
    try {
      await this.commit(oldest.value);
    } catch (err) {
      this.failure = { error: err };
      await this.abandon(false);
    }
  }

  /**
   * Waits for every page in flight and forgets them all; with `commitAcknowledged`, first commits
   * those acknowledged before the first failed one, in order. Throws the failure that ended the window.
   */
  private async abandon(commitAcknowledged: boolean): Promise<never> {
    const results = await Promise.allSettled(this.pending.map((p) => p.acknowledged));
    const held = this.pending.splice(0);
    const { error } = this.failure!;
    this.failure = undefined;
    for (let i = 0; commitAcknowledged && i < held.length && results[i].status === 'fulfilled'; i++) {
      try {
        await this.commit(held[i].value);
      } catch {
        break; // the failure that ended the window is the one to report
      }
    }
    throw error;
  }
}
