/**
 * A peer tool (kcat, Benthos) as a child process run under GNU time (`/usr/bin/time`), which
 * reports the child's user and system CPU seconds and its peak resident memory when it exits:
 * the same figures wharf's own /metrics give for its processes.
 */
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';

const TIME = '/usr/bin/time';

export interface ProcessUsage {
  exitCode: number | null;
  cpuSeconds: number;
  peakRssBytes: number;
  stderr: string;
}

export class MeasuredProcess {
  readonly exited: Promise<ProcessUsage>;
  private readonly child: ReturnType<typeof spawn>;

  constructor(command: string, args: readonly string[], usageFile: string, env: NodeJS.ProcessEnv = process.env) {
    if (!existsSync(TIME)) throw new Error(`${TIME} is missing (Debian package "time"): the peers' CPU and memory cannot be measured`);
    this.child = spawn(TIME, ['-f', '%U %S %M', '-o', usageFile, command, ...args], { stdio: ['ignore', 'ignore', 'pipe'], env });
    let stderr = '';
    this.child.stderr!.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-4000)));
    this.exited = new Promise((done, fail) => {
      this.child.on('error', (err) => fail(new Error(`cannot run ${command}: ${err.message}`)));
      this.child.on('exit', (code) => {
        // The last line: GNU time writes "Command exited with non-zero status N" before it on a failure.
        const fields = (readFileSync(usageFile, 'utf8').trim().split('\n').pop() ?? '').split(' ').map(Number);
        done({ exitCode: code, cpuSeconds: fields[0] + fields[1], peakRssBytes: fields[2] * 1024, stderr });
      });
    });
  }

  /** SIGTERM to the tool (GNU time does not pass signals on, and reports once its child exited), then its usage. */
  async stop(): Promise<ProcessUsage> {
    if (this.child.exitCode === null && this.child.signalCode === null) {
      for (const pid of childrenOf(this.child.pid!)) process.kill(pid, 'SIGTERM');
    }
    return this.exited;
  }
}

function childrenOf(pid: number): number[] {
  try {
    return readdirSync(`/proc/${pid}/task`).flatMap((task) => readFileSync(`/proc/${pid}/task/${task}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number));
  } catch {
    return [];
  }
}
