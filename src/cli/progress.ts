/**
 * Progress of a long CLI operation on stderr: a redrawn bar on a terminal, a plain line every
 * few seconds otherwise (journald, CI logs), so stdout stays clean for results. While running it
 * shows the rate and an estimate of the time left (from the rate so far); the last line says how
 * long the whole operation took.
 */
const WIDTH = 30;
const PLAIN_EVERY_MS = 5000;

/** "45 s", "3 min 20 s", "2 h 5 min": how long, as an operator reads it. */
export function formatDuration(ms: number): string {
  const seconds = Math.max(0, Math.round(ms / 1000));
  if (seconds < 60) return `${seconds} s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes} min ${seconds % 60} s`;
  return `${Math.floor(minutes / 60)} h ${minutes % 60} min`;
}

/** The text of one progress line (pure: the bar and the clock are the caller's). */
export function progressText(done: number, total: number, unit: string, elapsedMs: number, final: boolean): string {
  const fraction = total === 0 ? 1 : Math.min(1, done / total);
  const perSecond = done / Math.max(0.001, elapsedMs / 1000);
  const head = `${done}/${total} ${unit} (${Math.floor(fraction * 100)}%), ${Math.round(perSecond)} ${unit}/s`;
  if (final) return `${head}, took ${formatDuration(elapsedMs)}`;
  if (done >= total) return head;
  if (done === 0) return `${head}, ETA unknown`;
  return `${head}, ETA ${formatDuration(((total - done) / perSecond) * 1000)}`;
}

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
    const text = progressText(this.done, this.total, this.unit, Date.now() - this.started, final);
    if (this.tty) {
      const filled = Math.round((this.total === 0 ? 1 : Math.min(1, this.done / this.total)) * WIDTH);
      process.stderr.write(`\r[${'#'.repeat(filled)}${'-'.repeat(WIDTH - filled)}] ${text}\x1b[K`);
    } else {
      process.stderr.write(`${text}\n`);
    }
  }
}
