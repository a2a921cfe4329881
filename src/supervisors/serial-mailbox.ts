/**
 * comedy runs an actor's async handlers concurrently. An actor whose messages must be handled
 * one at a time, in arrival order, puts each handler's work through a SerialMailbox. A failing
 * task rejects its own caller and does not block the ones after it.
 */
export class SerialMailbox {
  private tail: Promise<unknown> = Promise.resolve();
  private queued = 0;

  get depth(): number {
    return this.queued;
  }

  run<T>(task: () => Promise<T> | T): Promise<T> {
    this.queued++;
    const result = this.tail.then(task);
    this.tail = result.then(
      () => this.queued--,
      () => this.queued--,
    );
    return result;
  }
}
