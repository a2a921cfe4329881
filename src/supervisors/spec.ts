/**
 * Supervision as data, after Erlang/OTP's supervisor.
 *
 * A supervisor starts its children in order and stops them in reverse order. When a child
 * exits, its restart type decides whether it is restarted:
 *   - permanent: always restarted;
 *   - transient: restarted only after an abnormal exit (crash, kill, hang, failed start);
 *   - temporary: never restarted.
 * The strategy decides which children restart with it:
 *   - one-for-one: only the child that exited;
 *   - one-for-all: all children (the others are stopped in reverse order first);
 *   - rest-for-one: the child and the children started after it.
 * Restart intensity: more than `maxRestarts` restarts within `withinMs` means restarting does not
 * help; the supervisor stops its children and escalates to its parent (the root exits wharf
 * non-zero, so systemd restarts the whole service). Each restart waits a backoff delay
 * (backoff.ts) that grows with consecutive failures and resets after a quiet period.
 *
 * Defaults (one place): strategy one-for-one, maxRestarts 5 within 60 s, backoff 200 ms .. 30 s
 * with 20 % jitter reset after 60 s quiet; child restart permanent, mode forked, shutdown 5 s,
 * heartbeat every 1 s with a 5 s timeout (forked children only).
 */
import type { BackoffPolicy } from '../retry/backoff';
import { RETRY_POLICIES } from '../retry/policies';

export type RestartType = 'permanent' | 'transient' | 'temporary';
export type Strategy = 'one-for-one' | 'one-for-all' | 'rest-for-one';
export type ActorMode = 'in-memory' | 'forked';

export interface HeartbeatPolicy {
  intervalMs: number;
  /** No answer for this long: the child is hung and is killed, which counts as a crash. */
  timeoutMs: number;
}

export interface SupervisorFlags {
  strategy: Strategy;
  maxRestarts: number;
  withinMs: number;
  backoff: BackoffPolicy;
}

export interface WorkerSpec {
  kind: 'worker';
  id: string;
  /** Absolute path of the compiled actor module (its default export extends WharfActor). */
  module: string;
  /** Plain JSON handed to the actor's start(). */
  settings: Record<string, unknown>;
  restart: RestartType;
  shutdownMs: number;
  mode: ActorMode;
  heartbeat: HeartbeatPolicy;
}

export interface SupervisorSpec {
  kind: 'supervisor';
  id: string;
  flags: SupervisorFlags;
  children: ChildSpec[];
  restart: RestartType;
  shutdownMs: number;
}

export type ChildSpec = WorkerSpec | SupervisorSpec;

export const DEFAULT_FLAGS: SupervisorFlags = {
  strategy: 'one-for-one',
  maxRestarts: 5,
  withinMs: 60_000,
  backoff: RETRY_POLICIES.supervisorRestart,
};

export const DEFAULT_WORKER: Omit<WorkerSpec, 'id' | 'module'> = {
  kind: 'worker',
  settings: {},
  restart: 'permanent',
  shutdownMs: 5000,
  mode: 'forked',
  heartbeat: { intervalMs: 1000, timeoutMs: 5000 },
};

export function worker(spec: Pick<WorkerSpec, 'id' | 'module'> & Partial<WorkerSpec>): WorkerSpec {
  return { ...DEFAULT_WORKER, ...spec, kind: 'worker' };
}

export function supervisor(
  spec: Pick<SupervisorSpec, 'id' | 'children'> & { flags?: Partial<SupervisorFlags> } & Partial<Omit<SupervisorSpec, 'flags'>>,
): SupervisorSpec {
  const shutdownMs = spec.shutdownMs ?? spec.children.reduce((sum, c) => sum + c.shutdownMs, 1000);
  return {
    restart: 'permanent',
    ...spec,
    shutdownMs,
    kind: 'supervisor',
    flags: { ...DEFAULT_FLAGS, ...spec.flags, backoff: { ...DEFAULT_FLAGS.backoff, ...spec.flags?.backoff } },
  };
}
