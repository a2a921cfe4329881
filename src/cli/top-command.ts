/**
 * `wharf top [--url URL]`: a live terminal view of a running wharf (src/cli/top-view.ts), read
 * from its ops endpoints and redrawn every second, like `vector top`. It draws on the terminal's
 * alternate screen with the cursor hidden and reads keys in raw mode; q, Ctrl-C or a SIGTERM
 * quits and puts the terminal back as it was. Without a terminal it prints one view and exits.
 */
import type { Command } from 'commander';
import { describeError } from '../errors';
import { parseExposition } from '../metrics/exposition';
import type { Readiness } from '../service/ops-server';
import type { TreeNode } from '../supervisors/supervisor';
import { getJson, getOps, intOption, opsEndpoint } from './common';
import { renderTop, type TopRead } from './top-view';

interface TopOpts {
  config: string;
  url?: string;
  interval: number;
}

const ALTERNATE_SCREEN = '\x1b[?1049h\x1b[?25l';
const NORMAL_SCREEN = '\x1b[?25h\x1b[?1049l';
const QUIT_KEYS = new Set(['q', 'Q', '\x03']);

async function read(base: string, token: string | undefined, timeoutMs: number): Promise<TopRead> {
  const at = Date.now();
  try {
    const [metrics, topology, readiness] = await Promise.all([
      getOps(`${base}/metrics`, token, timeoutMs),
      getJson<TreeNode>(`${base}/topology`, token, timeoutMs),
      getJson<Readiness>(`${base}/readyz`, token, timeoutMs),
    ]);
    return { at, samples: parseExposition(metrics.text), tree: topology.body, readiness: readiness.body };
  } catch (err) {
    return { at, samples: [], error: describeError(err) };
  }
}

/** The view fitted to the terminal: each line cut at its width, no more lines than its height. */
function frame(lines: string[], columns: number, rows: number): string {
  return `\x1b[H${lines.slice(0, Math.max(1, rows)).map((l) => `${l.slice(0, columns)}\x1b[K`).join('\r\n')}\x1b[J`;
}

export function registerTopCommand(program: Command): void {
  program
    .command('top')
    .summary('a live view of a running wharf (like vector top)')
    .description(
      'a live view of a running wharf, redrawn every second: per source and sink the totals, rates, errors and restarts, Kafka lag and the actors (like vector top); q or Ctrl-C quits',
    )
    .option('-c, --config <file>', 'configuration file, for the ops endpoint address')
    .option('--url <url>', 'ops endpoint of the instance (default: metrics.host and metrics.port of the config)')
    .option('--interval <ms>', 'time between redraws', intOption(200, 60_000), 1000)
    .action(async (opts: TopOpts, command: Command) => {
      const { base, token } = opsEndpoint(opts, command.getOptionValueSource('config') === 'cli');
      const timeoutMs = Math.max(500, opts.interval - 100);
      if (!process.stdout.isTTY) {
        const once = await read(base, token, timeoutMs);
        process.stdout.write(`${renderTop(undefined, once, base).join('\n')}\n`);
        process.exit(once.error ? 3 : 0);
      }
      await runLive(base, token, opts.interval, timeoutMs);
    });
}

async function runLive(base: string, token: string | undefined, interval: number, timeoutMs: number): Promise<void> {
  const { stdin, stdout } = process;
  let quitting = false;
  let wake = () => undefined as void;
  const restore = () => {
    stdout.write(NORMAL_SCREEN);
    if (stdin.isTTY) stdin.setRawMode(false);
  };
  const quit = () => {
    quitting = true;
    wake();
  };
  // Whatever ends the process, the terminal is put back.
  process.once('exit', restore);
  process.once('SIGINT', quit);
  process.once('SIGTERM', quit);
  process.once('SIGHUP', quit);
  if (stdin.isTTY) {
    stdin.setRawMode(true);
    stdin.on('data', (key: Buffer) => {
      if (QUIT_KEYS.has(key.toString())) quit();
    });
  }
  stdout.write(ALTERNATE_SCREEN);
  let previous: TopRead | undefined;
  let lines: string[] = [];
  const draw = () => stdout.write(frame(lines, stdout.columns || 80, stdout.rows || 24));
  stdout.on('resize', draw);
  while (!quitting) {
    const current = await read(base, token, timeoutMs);
    lines = renderTop(previous, current, base);
    draw();
    if (!current.error) previous = current;
    await new Promise<void>((resolve) => {
      wake = resolve;
      setTimeout(resolve, interval);
    });
  }
  process.exit(0);
}
