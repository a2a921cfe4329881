/**
 * Runs the built `wharf` CLI as a real child process (never with `node -e`: comedy children
 * inherit execArgv) and collects its JSON log lines for assertions.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';
import { REPO_ROOT } from './local-stack';

export const CLI = resolve(REPO_ROOT, 'dist/src/cli.js');

export interface LogLine {
  level: string;
  msg: string;
  [key: string]: unknown;
}

export class WharfProcess {
  readonly lines: LogLine[] = [];
  stdout = '';
  stderr = '';
  readonly exited: Promise<number | null>;
  /** The exit code once exited (undefined before). */
  exitCode: number | null | undefined;
  private readonly child: ChildProcess;
  private waiters: Array<() => void> = [];

  constructor(args: string[], env: NodeJS.ProcessEnv = {}, options: { ownProcessGroup?: boolean } = {}) {
    this.child = spawn(process.execPath, [CLI, ...args], {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: options.ownProcessGroup ?? false,
    });
    let partial = '';
    this.child.stdout!.on('data', (chunk: Buffer) => {
      this.stdout += chunk.toString();
      partial += chunk.toString();
      const complete = partial.split('\n');
      partial = complete.pop()!;
      for (const line of complete) {
        try {
          this.lines.push(JSON.parse(line) as LogLine);
        } catch {
          /* plain text (e.g. check-config output) stays in stdout */
        }
      }
      this.waiters.forEach((wake) => wake());
    });
    this.child.stderr!.on('data', (chunk: Buffer) => (this.stderr += chunk.toString()));
    this.exited = new Promise((resolveExit) =>
      this.child.on('exit', (code) => {
        this.exitCode = code;
        resolveExit(code);
      }),
    );
  }

  get pid(): number {
    return this.child.pid!;
  }

  signal(name: NodeJS.Signals): void {
    this.child.kill(name);
  }

  /** Signals wharf and all its children at once, as systemd's control-group kill does. */
  signalGroup(name: NodeJS.Signals): void {
    process.kill(-this.pid, name);
  }

  /** Resolves with the first log line matching, or rejects with the log so far. */
  /** The base URL of its ops endpoints (/metrics, /readyz, ...), once it listens. */
  async opsUrl(timeoutMs = 30_000): Promise<string> {
    const line = await this.waitForLog((l) => l.msg === 'ops endpoints listening', timeoutMs);
    return line.url as string;
  }

  waitForLog(match: (line: LogLine) => boolean, timeoutMs: number): Promise<LogLine> {
    return new Promise((resolveLine, reject) => {
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== check);
        reject(new Error(`no matching log line within ${timeoutMs} ms; output:\n${this.stdout}\n${this.stderr}`));
      }, timeoutMs);
      const check = () => {
        const found = this.lines.find(match);
        if (!found) return;
        clearTimeout(timer);
        this.waiters = this.waiters.filter((w) => w !== check);
        resolveLine(found);
      };
      this.waiters.push(check);
      check();
    });
  }
}

/** Runs a `wharf` command to its end (e.g. `cli('verify', '--config', file)`). */
export async function cli(...args: string[]): Promise<WharfProcess> {
  const command = new WharfProcess(args);
  await command.exited;
  return command;
}

/** The JSON lines of a command's output (progress and plain text left out). */
export const jsonLines = (text: string) =>
  text
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as Record<string, unknown>);
