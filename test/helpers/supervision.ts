/** Builds supervision trees of probe actors in real forked processes, and counts processes. */
import { expect } from 'chai';
import { execFileSync } from 'node:child_process';
import { resolve } from 'node:path';
import { createActorSystem, type ActorSystem } from '../../src/supervisors/actor-system';
import type { SupervisionEvent } from '../../src/supervisors/events';
import { supervisor, worker, type ChildSpec, type FlagsInput, type WorkerSpec, type WorkerTemplateInput } from '../../src/supervisors/spec';
import { Supervisor } from '../../src/supervisors/supervisor';

export const PROBE_MODULE = resolve(__dirname, '../fixtures/probe-actor');

export const FAST_FLAGS: FlagsInput = {
  maxRestarts: 5,
  withinMs: 10_000,
  backoff: { minMs: 50, maxMs: 400, jitter: 0, resetAfterMs: 10_000 },
};

export function probe(id: string, extra: Partial<WorkerSpec> = {}): WorkerSpec {
  return worker({ id, module: PROBE_MODULE, shutdownMs: 2000, heartbeat: { intervalMs: 100, timeoutMs: 1000 }, ...extra });
}

/** A dynamic group's template for probe workers. */
export function probeTemplate(extra: Partial<WorkerTemplateInput> = {}): WorkerTemplateInput {
  return { module: PROBE_MODULE, shutdownMs: 2000, heartbeat: { intervalMs: 100, timeoutMs: 1000 }, ...extra };
}

export class Harness {
  readonly events: SupervisionEvent[] = [];
  /** When each event of `events` was reported (performance.now(), same index). */
  readonly times: number[] = [];
  system!: ActorSystem;
  tree!: Supervisor;

  async start(children: ChildSpec[], flags: FlagsInput = FAST_FLAGS): Promise<Supervisor> {
    this.system = createActorSystem({ logLevel: 'silent' });
    const root = await this.system.rootActor();
    this.tree = new Supervisor(supervisor({ id: 'test', children, flags: { ...FAST_FLAGS, ...flags } }), {
      parentActor: root,
      report: (e) => {
        this.events.push(e);
        this.times.push(performance.now());
      },
    });
    await this.tree.start();
    return this.tree;
  }

  async stop(): Promise<void> {
    await this.tree?.stop();
    await this.system?.destroy();
  }

  of<T extends SupervisionEvent['type']>(type: T): Array<Extract<SupervisionEvent, { type: T }>> {
    return this.events.filter((e): e is Extract<SupervisionEvent, { type: T }> => e.type === type);
  }

  /** Resolves when `predicate` holds for the events so far; fails after `timeoutMs`. */
  async until(predicate: (events: SupervisionEvent[]) => boolean, timeoutMs = 10_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!predicate(this.events)) {
      if (Date.now() > deadline) throw new Error(`condition not met in ${timeoutMs} ms; events: ${JSON.stringify(this.events)}`);
      await new Promise((r) => setTimeout(r, 10));
    }
  }

  /** When the first event matching `predicate` was reported (performance.now()). */
  timeOf(predicate: (event: SupervisionEvent) => boolean): number {
    const at = this.events.findIndex(predicate);
    if (at < 0) throw new Error(`no such event; events: ${JSON.stringify(this.events)}`);
    return this.times[at];
  }

  pidOf(child: string, parent: Supervisor = this.tree): number {
    const node = parent.describe().children!.find((c) => c.id === child);
    if (!node?.pid) throw new Error(`${child} has no pid`);
    return node.pid;
  }

  /** Each child's pid (undefined when not running), by id, in start order. */
  pids(parent: Supervisor = this.tree): Record<string, number | undefined> {
    return Object.fromEntries(parent.describe().children!.map((c) => [c.id, c.pid]));
  }
}

/** comedy worker processes that are children of this test process. */
export function workerProcesses(parentPid = process.pid): number[] {
  const out = execFileSync('ps', ['-eo', 'pid=,ppid=,args='], { encoding: 'utf8' });
  return out
    .split('\n')
    .map((line) => line.trim().split(/\s+/))
    .filter(([, ppid, ...args]) => Number(ppid) === parentPid && args.join(' ').includes('forked-actor-worker'))
    .map(([pid]) => Number(pid));
}

/** Waits until no comedy worker process of this test process is left; returns how many stayed. */
export async function orphansAfter(ms = 3000): Promise<number[]> {
  const deadline = Date.now() + ms;
  while (workerProcesses().length > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  return workerProcesses();
}

/** A fresh Harness for each test of the enclosing describe, stopped after it with no worker process left behind. */
export function harnessPerTest(): () => Harness {
  let harness: Harness;
  beforeEach(() => {
    harness = new Harness();
  });
  afterEach(async () => {
    await harness.stop();
    expect(await orphansAfter()).to.deep.equal([]);
  });
  return () => harness;
}
