/**
 * Supervision as data, after Erlang/OTP's supervisor (supervisor.erl) and Akka's backoff.
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
 * Restart intensity, per supervisor: more than `maxRestarts` restarts within `withinMs` means
 * restarting does not help; the supervisor escalates at that exit, without waiting out any
 * backoff: it stops its children and reports to its parent (the root exits wharf non-zero, so
 * systemd restarts the whole service).
 * Backoff, per child: each child counts its own consecutive failures, and its restart waits
 * min(maxMs, minMs * 2^failures) stretched by jitter (retry/backoff.ts); the count starts again
 * after `resetAfterMs` without a failure of that child. Siblings stopped with it by the strategy
 * wait with it. The wait holds up nothing else: other children's restarts and reloads (add,
 * replace, remove, scale) go ahead meanwhile; a reload of a waiting child cancels its restart,
 * and stopping or escalating cancels every waiting restart.
 *
 * Kinds of child:
 *   - worker: one actor (`module`, `settings`, `mode`, `heartbeat`);
 *   - supervisor: a nested supervisor with its own flags and children;
 *   - dynamic group (`dynamicGroup()`, after OTP's simple_one_for_one): a supervisor whose
 *     children are `count` identical workers from one `template`, ids `<group id>-1` ..
 *     `<group id>-<count>`. `Supervisor.scale(n)` adds workers at the end or stops the last ones
 *     and leaves the others running; single children are not added, replaced or removed.
 *
 * Specs are immutable: the factories fill the defaults below, copy the input and deep-freeze the
 * result, and `checkSupervisorSpec` (check-spec.ts) checks every field before anything starts.
 *
 * Defaults (one place, below): strategy one-for-one, maxRestarts 5 within 60 s, backoff 200 ms
 * .. 30 s with 20 % jitter reset after 60 s quiet; child restart permanent, mode forked, shutdown
 * 5 s, heartbeat every 1 s with a 5 s timeout (forked children only), V8's own heap limits
 * (forked children only); a supervisor's or group's
 * own shutdown bound is the sum of its children's plus 1 s (a group's follows its count when it
 * scales). A group takes a worker template and a count, and any flags, like a supervisor.
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

/** V8 heap limits of a forked worker's process, in MiB (node --max-old-space-size, --max-semi-space-size); unset: V8's defaults. */
export interface HeapLimits {
  maxOldSpaceMiB?: number;
  maxSemiSpaceMiB?: number;
}

export interface WorkerSpec {
  kind: 'worker';
  id: string;
  /** Absolute path of the compiled actor module (its default export extends SupervisedActor). */
  module: string;
  /** Plain JSON handed to the actor's start(). */
  settings: Record<string, unknown>;
  restart: RestartType;
  shutdownMs: number;
  mode: ActorMode;
  heartbeat: HeartbeatPolicy;
  /** Forked workers only. */
  heap: HeapLimits;
}

/** A dynamic group's workers: a worker spec without its id. */
export type WorkerTemplate = Omit<WorkerSpec, 'id'>;

export interface GroupShape {
  template: WorkerTemplate;
  count: number;
}

export interface SupervisorSpec {
  kind: 'supervisor';
  id: string;
  flags: SupervisorFlags;
  children: readonly ChildSpec[];
  restart: RestartType;
  shutdownMs: number;
  /** Only on a dynamic group: `children` are then exactly `groupChildren(id, template, count)`. */
  group?: GroupShape;
}

/** A dynamic group is a supervisor whose children derive from a template and a count. */
export type GroupSpec = SupervisorSpec & { group: GroupShape };

export type ChildSpec = WorkerSpec | SupervisorSpec;

export type FlagsInput = Partial<Omit<SupervisorFlags, 'backoff'>> & { backoff?: Partial<BackoffPolicy> };
export type WorkerTemplateInput = Pick<WorkerSpec, 'module'> & Partial<Omit<WorkerSpec, 'id' | 'kind'>>;

export const DEFAULT_FLAGS: Readonly<SupervisorFlags> = deepFreeze({
  strategy: 'one-for-one',
  maxRestarts: 5,
  withinMs: 60_000,
  backoff: { ...RETRY_POLICIES.supervisorRestart },
});

export const DEFAULT_WORKER: Readonly<Omit<WorkerSpec, 'id' | 'module'>> = deepFreeze({
  kind: 'worker',
  settings: {},
  restart: 'permanent',
  shutdownMs: 5000,
  mode: 'forked',
  heartbeat: { intervalMs: 1000, timeoutMs: 5000 },
  heap: {},
});

const DEFAULT_SUPERVISOR_RESTART: RestartType = 'permanent';
const SUPERVISOR_SHUTDOWN_MARGIN_MS = 1000;

export function worker(spec: Pick<WorkerSpec, 'id' | 'module'> & Partial<WorkerSpec>): WorkerSpec {
  return frozenCopy({ ...DEFAULT_WORKER, ...defined(spec), kind: 'worker' as const });
}

export function supervisor(
  spec: Pick<SupervisorSpec, 'id' | 'children'> & { flags?: FlagsInput } & Partial<Omit<SupervisorSpec, 'flags' | 'group'>>,
): SupervisorSpec {
  return frozenCopy({
    restart: DEFAULT_SUPERVISOR_RESTART,
    ...defined(spec),
    shutdownMs: spec.shutdownMs ?? supervisorShutdownMs(spec.children),
    kind: 'supervisor' as const,
    flags: mergeFlags(spec.flags),
  });
}

/** A dynamic group (OTP's simple_one_for_one): `count` workers from `template`, ids `<id>-1` .. `<id>-<count>`. */
export function dynamicGroup(spec: {
  id: string;
  template: WorkerTemplateInput;
  count: number;
  flags?: FlagsInput;
  restart?: RestartType;
  shutdownMs?: number;
}): GroupSpec {
  const template: WorkerTemplate = { ...DEFAULT_WORKER, ...defined(spec.template), kind: 'worker' };
  const children = groupChildren(spec.id, template, spec.count);
  return frozenCopy({
    kind: 'supervisor' as const,
    id: spec.id,
    flags: mergeFlags(spec.flags),
    children,
    restart: spec.restart ?? DEFAULT_SUPERVISOR_RESTART,
    shutdownMs: spec.shutdownMs ?? supervisorShutdownMs(children),
    group: { template, count: spec.count },
  });
}

/** The same group at another size; a default shutdown bound follows the count, an explicit one stays. */
export function scaledGroup(spec: GroupSpec, count: number): GroupSpec {
  const { template } = spec.group;
  const defaultShutdownMs = (n: number) => SUPERVISOR_SHUTDOWN_MARGIN_MS + n * template.shutdownMs;
  const shutdownMs = spec.shutdownMs === defaultShutdownMs(spec.group.count) ? defaultShutdownMs(count) : spec.shutdownMs;
  return frozenCopy({ ...spec, shutdownMs, children: groupChildren(spec.id, template, count), group: { template, count } });
}

/** The n-th worker of a dynamic group (n from 1). */
export function groupWorker(groupId: string, template: WorkerTemplate, n: number): WorkerSpec {
  return deepFreeze(structuredClone({ ...template, id: `${groupId}-${n}` }));
}

/** A dynamic group's children; none for a count that is not a whole number (check-spec.ts reports it). */
export function groupChildren(groupId: string, template: WorkerTemplate, count: number): WorkerSpec[] {
  const n = Number.isSafeInteger(count) && count > 0 ? count : 0;
  return Array.from({ length: n }, (_, i) => groupWorker(groupId, template, i + 1));
}

export function isGroupSpec(spec: ChildSpec): spec is GroupSpec {
  return spec.kind === 'supervisor' && spec.group !== undefined;
}

/** Freezes an object and everything reachable from it, so that a mutation throws (in strict code). */
export function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const inner of Object.values(value)) deepFreeze(inner);
  }
  return value;
}

function frozenCopy<T>(value: T): T {
  return deepFreeze(structuredClone(value));
}

function mergeFlags(flags: FlagsInput | undefined): SupervisorFlags {
  return { ...DEFAULT_FLAGS, ...defined(flags ?? {}), backoff: { ...DEFAULT_FLAGS.backoff, ...defined(flags?.backoff ?? {}) } };
}

function supervisorShutdownMs(children: readonly ChildSpec[]): number {
  return children.reduce((sum, child) => sum + (typeof child?.shutdownMs === 'number' ? child.shutdownMs : 0), SUPERVISOR_SHUTDOWN_MARGIN_MS);
}

/** The object without its undefined fields, so that `{ mode: undefined }` keeps the default. */
function defined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}
