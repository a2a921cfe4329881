/**
 * Child specs and supervisor flags checked field by field before anything starts, like OTP's
 * check_childspecs: the first problem throws an InvalidChildSpecError whose `tag` names it
 * (`duplicate_child_id`, `invalid_restart_type`, ...), with the child's id, the field and the
 * value found, e.g. {duplicate_child_id, "a"}. Pure: no I/O (a module path is checked to be
 * absolute, not to exist).
 */
import { isAbsolute } from 'node:path';
import { WharfError } from '../errors';
import { canonicalJson } from '../util/canonical-json';
import { groupChildren, type ChildSpec, type SupervisorSpec, type WorkerTemplate } from './spec';

export type SpecErrorTag =
  | 'invalid_child_spec'
  | 'invalid_kind'
  | 'invalid_child_id'
  | 'duplicate_child_id'
  | 'invalid_restart_type'
  | 'invalid_shutdown'
  | 'invalid_mode'
  | 'invalid_module'
  | 'invalid_settings'
  | 'invalid_heartbeat'
  | 'invalid_heap'
  | 'invalid_flags'
  | 'invalid_strategy'
  | 'invalid_intensity'
  | 'invalid_period'
  | 'invalid_backoff'
  | 'invalid_children'
  | 'invalid_template'
  | 'invalid_count'
  | 'invalid_group_children'
  /** add/replace/remove of one child of a dynamic group (use scale), or scale() of a plain supervisor. */
  | 'dynamic_group';

/** A child spec or supervisor flags that cannot be used; nothing was started. */
export class InvalidChildSpecError extends WharfError {
  readonly tag: SpecErrorTag;
  /** The child (or supervisor) whose spec is wrong; undefined when its id itself is unusable. */
  readonly childId: string | undefined;
  /** The field, e.g. "flags.backoff.jitter" or "group.template.mode". */
  readonly field: string;
  readonly value: unknown;

  constructor(tag: SpecErrorTag, childId: string | undefined, field: string, value: unknown, expected: string) {
    super(`child spec ${childId === undefined ? '(no usable id)' : JSON.stringify(childId)}: {${tag}, ${show(value)}} at ${field}: expected ${expected}`, {
      retriable: false,
    });
    this.tag = tag;
    this.childId = childId;
    this.field = field;
    this.value = value;
  }
}

/** setTimeout fires at once for longer delays, so no duration a timer waits may exceed this. */
export const MAX_TIMER_MS = 2 ** 31 - 1;
export const MAX_GROUP_COUNT = 10_000;
const CHILD_ID = /^[^\s\p{Cc}]{1,200}$/u;
const RESTART_TYPES = ['permanent', 'transient', 'temporary'];
const MODES = ['in-memory', 'forked'];
const STRATEGIES = ['one-for-one', 'one-for-all', 'rest-for-one'];

/** Checks one supervisor spec, its flags and, recursively, its children. */
export function checkSupervisorSpec(spec: unknown): asserts spec is SupervisorSpec {
  checkChildSpecs([spec]);
  if ((spec as ChildSpec).kind !== 'supervisor') throw new InvalidChildSpecError('invalid_kind', (spec as ChildSpec).id, 'kind', (spec as ChildSpec).kind, '"supervisor"');
}

/** Checks sibling child specs (ids unique among them) and, recursively, nested supervisors' children. */
export function checkChildSpecs(specs: unknown): asserts specs is readonly ChildSpec[] {
  if (!Array.isArray(specs)) throw new InvalidChildSpecError('invalid_children', undefined, 'children', specs, 'an array of child specs');
  const seen = new Set<string>();
  for (const spec of specs as unknown[]) {
    if (spec === null || typeof spec !== 'object' || Array.isArray(spec)) {
      throw new InvalidChildSpecError('invalid_child_spec', undefined, '(spec)', spec, 'a child spec object');
    }
    const { id, kind } = spec as Partial<ChildSpec>;
    if (typeof id !== 'string' || !CHILD_ID.test(id)) {
      throw new InvalidChildSpecError('invalid_child_id', undefined, 'id', id, 'a string of 1 to 200 characters without spaces or control characters');
    }
    if (seen.has(id)) throw new InvalidChildSpecError('duplicate_child_id', id, 'id', id, 'an id used by no sibling');
    seen.add(id);
    if (kind === 'worker') checkWorkerFields(spec as Record<string, unknown>, id, '');
    else if (kind === 'supervisor') checkSupervisorFields(spec as Record<string, unknown>, id);
    else throw new InvalidChildSpecError('invalid_kind', id, 'kind', kind, '"worker" or "supervisor"');
  }
}

/** A dynamic group's count, also checked by Supervisor.scale(). */
export function checkGroupCount(count: unknown, groupId: string): asserts count is number {
  if (!Number.isSafeInteger(count) || (count as number) < 0 || (count as number) > MAX_GROUP_COUNT) {
    throw new InvalidChildSpecError('invalid_count', groupId, 'group.count', count, `a whole number from 0 to ${MAX_GROUP_COUNT}`);
  }
}

/** The children of a dynamic group change by scale() only (OTP answers simple_one_for_one to the rest). */
export function refuseInGroup(spec: SupervisorSpec, operation: string): void {
  if (spec.group) throw new InvalidChildSpecError('dynamic_group', spec.id, 'group', operation, 'no single-child change in a dynamic group: use scale()');
}

function checkWorkerFields(spec: Record<string, unknown>, id: string, prefix: string): void {
  const fail = (tag: SpecErrorTag, field: string, expected: string) =>
    new InvalidChildSpecError(tag, id, `${prefix}${field}`, field.split('.').reduce<unknown>((v, key) => (v as Record<string, unknown>)?.[key], spec), expected);
  if (typeof spec.module !== 'string' || !isAbsolute(spec.module)) throw fail('invalid_module', 'module', 'the absolute path of a compiled actor module');
  if (!isPlainObject(spec.settings)) throw fail('invalid_settings', 'settings', 'a plain object (JSON handed to the actor\'s start())');
  checkRestartAndShutdown(spec, id, prefix);
  if (!MODES.includes(spec.mode as string)) throw fail('invalid_mode', 'mode', `one of ${MODES.join(', ')}`);
  if (!isPlainObject(spec.heartbeat)) throw fail('invalid_heartbeat', 'heartbeat', 'an object with intervalMs and timeoutMs');
  for (const key of ['intervalMs', 'timeoutMs']) {
    if (!isDuration(spec.heartbeat[key], { positive: true, timer: true })) throw fail('invalid_heartbeat', `heartbeat.${key}`, `a number of ms above 0, at most ${MAX_TIMER_MS}`);
  }
  if (!isPlainObject(spec.heap)) throw fail('invalid_heap', 'heap', 'an object with optional maxOldSpaceMiB and maxSemiSpaceMiB');
  for (const key of ['maxOldSpaceMiB', 'maxSemiSpaceMiB']) {
    const value = spec.heap[key];
    if (value !== undefined && !(Number.isSafeInteger(value) && (value as number) > 0)) throw fail('invalid_heap', `heap.${key}`, 'a whole number of MiB above 0, or absent');
  }
}

function checkSupervisorFields(spec: Record<string, unknown>, id: string): void {
  checkRestartAndShutdown(spec, id, '');
  checkFlags(spec.flags, id);
  if (!Array.isArray(spec.children)) throw new InvalidChildSpecError('invalid_children', id, 'children', spec.children, 'an array of child specs');
  if (spec.group === undefined) {
    checkChildSpecs(spec.children);
    return;
  }
  if (!isPlainObject(spec.group)) throw new InvalidChildSpecError('invalid_template', id, 'group', spec.group, 'an object with template and count');
  const { template, count } = spec.group;
  checkGroupCount(count, id);
  if (!isPlainObject(template) || template.kind !== 'worker') {
    throw new InvalidChildSpecError('invalid_template', id, 'group.template', template, 'a worker spec without an id');
  }
  checkWorkerFields(template, id, 'group.template.');
  const expected = groupChildren(id, template as unknown as WorkerTemplate, count);
  if (canonicalJson(spec.children) !== canonicalJson(expected)) {
    const found = (spec.children as Array<{ id?: unknown }>).map((c) => c?.id);
    throw new InvalidChildSpecError('invalid_group_children', id, 'children', found, `${count} copies of the template, ids ${id}-1 .. ${id}-${count}`);
  }
}

function checkRestartAndShutdown(spec: Record<string, unknown>, id: string, prefix: string): void {
  if (!RESTART_TYPES.includes(spec.restart as string)) {
    throw new InvalidChildSpecError('invalid_restart_type', id, `${prefix}restart`, spec.restart, `one of ${RESTART_TYPES.join(', ')}`);
  }
  if (!isDuration(spec.shutdownMs, { positive: false, timer: true })) {
    throw new InvalidChildSpecError('invalid_shutdown', id, `${prefix}shutdownMs`, spec.shutdownMs, `a number of ms from 0 to ${MAX_TIMER_MS}`);
  }
}

function checkFlags(flags: unknown, id: string): void {
  if (!isPlainObject(flags)) throw new InvalidChildSpecError('invalid_flags', id, 'flags', flags, 'an object with strategy, maxRestarts, withinMs and backoff');
  if (!STRATEGIES.includes(flags.strategy as string)) {
    throw new InvalidChildSpecError('invalid_strategy', id, 'flags.strategy', flags.strategy, `one of ${STRATEGIES.join(', ')}`);
  }
  if (!Number.isSafeInteger(flags.maxRestarts) || (flags.maxRestarts as number) < 0) {
    throw new InvalidChildSpecError('invalid_intensity', id, 'flags.maxRestarts', flags.maxRestarts, 'a whole number from 0');
  }
  if (!isDuration(flags.withinMs, { positive: true, timer: false })) {
    throw new InvalidChildSpecError('invalid_period', id, 'flags.withinMs', flags.withinMs, 'a number of ms above 0');
  }
  const backoff = flags.backoff;
  if (!isPlainObject(backoff)) throw new InvalidChildSpecError('invalid_backoff', id, 'flags.backoff', backoff, 'an object with minMs, maxMs, jitter and resetAfterMs');
  const bad = (key: string, expected: string) => new InvalidChildSpecError('invalid_backoff', id, `flags.backoff.${key}`, backoff[key], expected);
  if (!isDuration(backoff.minMs, { positive: false, timer: true })) throw bad('minMs', `a number of ms from 0 to ${MAX_TIMER_MS}`);
  if (!isDuration(backoff.maxMs, { positive: false, timer: true }) || (backoff.maxMs as number) < (backoff.minMs as number)) {
    throw bad('maxMs', `a number of ms from minMs (${backoff.minMs as number}) to ${MAX_TIMER_MS}`);
  }
  if (typeof backoff.jitter !== 'number' || !(backoff.jitter >= 0 && backoff.jitter <= 1)) throw bad('jitter', 'a fraction from 0 to 1');
  if (!isDuration(backoff.resetAfterMs, { positive: false, timer: false })) throw bad('resetAfterMs', 'a number of ms from 0');
}

function isDuration(value: unknown, rule: { positive: boolean; timer: boolean }): boolean {
  return (
    typeof value === 'number' && Number.isFinite(value) && (rule.positive ? value > 0 : value >= 0) && (!rule.timer || value <= MAX_TIMER_MS)
  );
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function show(value: unknown): string {
  if (value === undefined || typeof value === 'number' || typeof value === 'bigint' || typeof value === 'symbol') return String(value);
  if (typeof value === 'function') return `function ${value.name}`;
  try {
    return JSON.stringify(value);
  } catch {
    return '(a value JSON cannot show)';
  }
}
