/**
 * Progress of a long CLI operation on stderr: a redrawn bar on a terminal, a plain line every
 * few seconds otherwise (journald, CI logs), so stdout stays clean for results.
 */
const WIDTH = 30;
const PLAIN_EVERY_MS = 5000;

export class Progress {
  private done = 0;
  private readonly started = Date.now();
  private lastPlain = 0;
  private readonly tty = Boolean(process.stderr.isTTY);

  constructor(
    private readonly total: number,
    private readonly unit: string,
  ) {}

  advance(count: number): void {
    this.done += count;
    this.draw(false);
  }

  finish(): void {
    this.draw(true);
    if (this.tty) process.stderr.write('\n');
  }

  private draw(final: boolean): void {
    if (!this.tty && !final && Date.now() - this.lastPlain < PLAIN_EVERY_MS) return;
    this.lastPlain = Date.now();
    const fraction = this.total === 0 ? 1 : Math.min(1, this.done / this.total);
    const seconds = Math.max(0.001, (Date.now() - this.started) / 1000);
    const rate = Math.round(this.done / seconds);
    const text = `${this.done}/${this.total} ${this.unit} (${Math.floor(fraction * 100)}%), ${rate} ${this.unit}/s`;
    if (this.tty) {
      const filled = Math.round(fraction * WIDTH);
      process.stderr.write(`\r[${'#'.repeat(filled)}${'-'.repeat(WIDTH - filled)}] ${text}`);
    } else {
      process.stderr.write(`${text}\n`);
    }
  }
}
