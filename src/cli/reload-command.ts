/**
 * `wharf reload`: makes the running instance re-read its configuration and says what came of it.
 * By default through the ops endpoint of the configuration (POST /reload, with metrics.token),
 * which answers with the outcome: "applied: ..." (exit 0) or "refused:" and one problem per line
 * with its key path (exit 1). `--signal` sends SIGHUP to the pid in the pid file instead, as
 * systemd's ExecReload does; the outcome is then only in wharf's log and its reload metrics.
 */
import type { Command } from 'commander';
import { ConfigError } from '../errors';
import { loadWharfConfig } from '../service/load-config';
import type { ReloadOutcome } from '../service/reload';
import { DEFAULT_PID_FILE, readPidFile } from '../pid-file';
import { getOps, intOption, opsEndpoint, TokenRefusedError, unreachable } from './common';

interface ReloadOptions {
  config: string;
  url?: string;
  signal?: boolean;
  pidFile: string;
  timeout: number;
  json?: boolean;
}

/** The outcome as the operator reads it: what restarted, started, stopped, scaled and stayed; or why it was refused. */
export function renderOutcome(outcome: ReloadOutcome, why = 'the running configuration stays as it is'): string {
  if (outcome.outcome === 'refused') return `refused: ${why}\n${outcome.reasons.map((r) => `  ${r}\n`).join('')}`;
  const parts = [
    ['restarted', outcome.restarted],
    ['started', outcome.added],
    ['stopped', outcome.removed],
    ['scaled', outcome.scaled],
    ['unchanged', outcome.unchanged],
  ] as const;
  const changed = parts.filter(([, ids]) => ids.length > 0).map(([what, ids]) => `${what} ${ids.join(', ')}`);
  const restartNote = outcome.restartNeededFor.length > 0 ? `restart wharf to apply: ${outcome.restartNeededFor.join(', ')}\n` : '';
  return `applied: ${changed.join('; ') || 'nothing to change'}\n${restartNote}`;
}

export function registerReloadCommand(program: Command): void {
  program
    .command('reload')
    .description('make a running wharf re-read its configuration; prints "applied: ..." (exit 0) or "refused: <reasons>" (exit 1)')
    .option('-c, --config <file>', 'configuration file of the instance, for its ops endpoint and token')
    .option('--url <url>', 'ops endpoint of the instance (default: metrics.host and metrics.port of the config)')
    .option('--signal', 'send SIGHUP to the pid in --pid-file instead (like systemd\'s ExecReload); the outcome is then only in the log')
    .option('--pid-file <file>', 'the running instance\'s pid file, for --signal', DEFAULT_PID_FILE)
    .option('--timeout <seconds>', 'how long to wait for the outcome (restarting actors takes their shutdown time)', intOption(1), 120)
    .option('--json', 'print the outcome as JSON')
    .action(async (opts: ReloadOptions, command: Command) => {
      if (opts.signal || command.getOptionValueSource('pidFile') === 'cli') return signalReload(opts.pidFile);
      const configGiven = command.getOptionValueSource('config') === 'cli';
      // The endpoint and token come from the file: an invalid one is refused here, as the instance would.
      if (!opts.url || configGiven) refuseInvalid(opts.config);
      const { base, token } = opsEndpoint(opts, configGiven);
      if (/:0$/.test(base)) usage(`${opts.config} has metrics.port 0 (any free port): give the instance's --url, or use --signal`);
      let answer: { status: number; text: string };
      try {
        answer = await getOps(`${base}/reload`, token, opts.timeout * 1000, 'POST');
      } catch (err) {
        if (err instanceof TokenRefusedError) usage(err.message);
        fail(`${unreachable(base, err)}; is wharf running with this configuration? (--url, or --signal to send SIGHUP)`);
      }
      const outcome = parseOutcome(answer.text);
      if (!outcome) fail(`${base}/reload answered ${answer.status}: ${answer.text.trim().slice(0, 200)}`);
      process.stdout.write(opts.json ? `${JSON.stringify(outcome, null, 2)}\n` : renderOutcome(outcome));
      process.exit(outcome.outcome === 'applied' ? 0 : 1);
    });
}

function refuseInvalid(file: string): void {
  try {
    loadWharfConfig(file);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    process.stdout.write(renderOutcome({ outcome: 'refused', reasons: err.issues.map((i) => `${i.path || '(root)'}: ${i.message}`) }, `${file} is invalid (checked here; the instance was not asked)`));
    process.exit(1);
  }
}

function signalReload(pidFile: string): void {
  const pid = readPidFile(pidFile);
  process.kill(pid, 'SIGHUP');
  process.stdout.write(`sent SIGHUP to wharf (pid ${pid}); the outcome is in its log ("reload applied" or "reload refused")\n`);
}

function parseOutcome(text: string): ReloadOutcome | undefined {
  try {
    const body = JSON.parse(text) as Partial<ReloadOutcome>;
    return body.outcome === 'applied' || body.outcome === 'refused' ? (body as ReloadOutcome) : undefined;
  } catch {
    return undefined;
  }
}

function usage(message: string): never {
  process.stderr.write(`wharf: ${message}\n`);
  process.exit(2);
}

function fail(message: string): never {
  process.stderr.write(`wharf: ${message}\n`);
  process.exit(1);
}
