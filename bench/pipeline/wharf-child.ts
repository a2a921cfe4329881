/**
 * The built `wharf` CLI as a child process of the benchmark (`node dist/src/cli.js run`, never
 * `node -e`: comedy children inherit execArgv). Its JSON log lines are watched for named
 * messages; the last lines are kept for the error shown when it fails to start, and warnings
 * and errors are counted, since retries during a run explain a slow figure.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { REPO_ROOT, type LocalStack } from './stack';

const KEPT_LINES = 40;
const running = new Set<WharfChild>();

/** Stops every wharf still running (the benchmark was interrupted). */
export async function stopEveryWharf(): Promise<void> {
  await Promise.all([...running].map((wharf) => wharf.stop(10_000)));
}

/** What a benchmark's wharf configuration sets; the servers are the local stack's. */
export interface WharfSetup {
  topic: string;
  dlqTopic: string;
  zookeeperRoot: string;
  groupId: string;
  /** Partition consumers (wharf's default when absent). */
  consumers?: number;
  sources?: unknown[];
  sinks: unknown[];
  /** Where the actors run (wharf's default, forked, when absent). */
  placement?: Placement;
}

/**
 * forked: wharf's default, each poller and consumer a process of its own. compact: every actor
 * inside wharf's process (`mode: "in-memory"`), which runs with the heap limits docs/footprint.md
 * gives for that placement.
 */
export type Placement = 'forked' | 'compact';
export const COMPACT_NODE_FLAGS = ['--max-old-space-size=128', '--max-semi-space-size=8'];

/** Writes the configuration into `dir` (created) and starts `wharf run` with it. */
export function startWharf(stack: LocalStack, dir: string, setup: WharfSetup): WharfChild {
  mkdirSync(dir, { recursive: true });
  const configFile = join(dir, 'actors.json');
  writeFileSync(
    configFile,
    JSON.stringify({
      log: { level: 'info' },
      kafka: { ...stack.config.kafka, topic: setup.topic, dlqTopic: setup.dlqTopic },
      zookeeper: { ...stack.config.zookeeper, root: setup.zookeeperRoot },
      metrics: { port: 0 },
      sources: setup.sources ?? [],
      sinks: setup.sinks,
      pipeline:
        setup.placement === 'compact'
          ? { consumers: { count: setup.consumers, groupId: setup.groupId, mode: 'in-memory' }, pollers: { mode: 'in-memory' } }
          : { consumers: { count: setup.consumers, groupId: setup.groupId } },
    }),
  );
  return new WharfChild(configFile, setup.placement === 'compact' ? COMPACT_NODE_FLAGS : []);
}

/**
 * The wharf that runs: this checkout's build, or WHARF_BENCH_CLI (the dist/src/cli.js of another
 * checkout's build) to measure an earlier commit with the same benchmark, for before/after figures.
 */
function wharfCli(): string {
  return process.env.WHARF_BENCH_CLI ?? resolve(REPO_ROOT, 'dist/src/cli.js');
}

interface LogLine {
  level?: string;
  msg?: string;
  [key: string]: unknown;
}

export class WharfChild {
  readonly exited: Promise<number | null>;
  /** Log lines at warn level or above, by message. */
  readonly problems = new Map<string, number>();
  private readonly child: ChildProcess;
  private readonly tail: string[] = [];
  private readonly watchers = new Set<(line: LogLine) => void>();

  /** `nodeFlags` and WHARF_BENCH_NODE_FLAGS go to wharf's own process, not the benchmark's (as NODE_OPTIONS would); forked actors inherit them as wharf's execArgv. */
  constructor(configFile: string, nodeFlags: string[] = []) {
    const envFlags = (process.env.WHARF_BENCH_NODE_FLAGS ?? '').split(/\s+/).filter(Boolean);
    this.child = spawn(process.execPath, [...nodeFlags, ...envFlags, wharfCli(), 'run', '--config', configFile, '--pid-file', `${configFile}.pid`], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    createInterface({ input: this.child.stdout! }).on('line', (text) => this.onLine(text));
    createInterface({ input: this.child.stderr! }).on('line', (text) => this.keep(text));
    this.exited = new Promise((done) => this.child.on('exit', (code) => done(code)));
    running.add(this);
    void this.exited.then(() => running.delete(this));
  }

  /** Resolves with the next log line whose msg is `msg`; rejects on exit or after `timeoutMs`. */
  logged(msg: string, timeoutMs: number): Promise<LogLine> {
    return new Promise((found, fail) => {
      const watcher = (line: LogLine) => {
        if (line.msg !== msg) return;
        clearTimeout(timer);
        this.watchers.delete(watcher);
        found(line);
      };
      const timer = setTimeout(() => {
        this.watchers.delete(watcher);
        fail(new Error(`wharf did not log "${msg}" within ${timeoutMs} ms; its last output:\n${this.tail.join('\n')}`));
      }, timeoutMs);
      this.watchers.add(watcher);
      void this.exited.then((code) => {
        if (!this.watchers.delete(watcher)) return;
        clearTimeout(timer);
        fail(new Error(`wharf exited (${code}) before logging "${msg}"; its last output:\n${this.tail.join('\n')}`));
      });
    });
  }

  /** SIGTERM (a drain), then SIGKILL if it has not exited within `graceMs`. */
  async stop(graceMs = 30_000): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    this.child.kill('SIGTERM');
    const drained = await Promise.race([this.exited.then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), graceMs))]);
    if (!drained) this.child.kill('SIGKILL');
    await this.exited;
  }

  private onLine(text: string): void {
    this.keep(text);
    let line: LogLine;
    try {
      line = JSON.parse(text) as LogLine;
    } catch {
      return;
    }
    if (line.level === 'warn' || line.level === 'error' || line.level === 'fatal') {
      const key = `${line.level}: ${line.msg ?? ''}`;
      this.problems.set(key, (this.problems.get(key) ?? 0) + 1);
    }
    for (const watcher of [...this.watchers]) watcher(line);
  }

  private keep(text: string): void {
    this.tail.push(text);
    if (this.tail.length > KEPT_LINES) this.tail.shift();
  }
}
