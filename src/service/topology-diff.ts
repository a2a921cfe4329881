/**
 * What a reload changes, as data: two supervision trees compared child by child, by id.
 *
 *   - a child whose spec is equal is unchanged and is not touched;
 *   - a dynamic group whose count alone differs is scaled (workers start or stop at its end);
 *   - a static supervisor whose children alone differ (its flags and restart type equal; its
 *     shutdown bound follows the children) is not restarted: the comparison descends into it, so that one
 *     source's poller restarts, starts or stops alone;
 *   - any other difference restarts that child (a whole dynamic group: its workers share one
 *     template).
 *
 * Each actor's settings hold only the configuration sections it reads (service/topology.ts), so
 * a change reaches only the actors that read it. Pure functions, no I/O.
 */
import type { ChildSpec, SupervisorSpec } from '../supervisors/spec';
import { canonicalJson } from '../util/canonical-json';

/** Ids of children at any depth (a source's poller appears as itself, e.g. `pollers-orders`). */
export interface TopologyChange {
  added: string[];
  removed: string[];
  /** Only the count of a dynamic group differs: its supervisor adds or stops workers at its end. */
  scaled: string[];
  /** Anything else differs: the child (a worker, or a group's whole subtree) restarts with its new spec. */
  restarted: string[];
  unchanged: string[];
}

/** One supervisor's children: what happens to each, and the nested supervisors compared child by child. */
export interface LevelChange extends TopologyChange {
  nested: Array<{ id: string; change: LevelChange }>;
}

const CHANGE_KINDS = ['added', 'removed', 'scaled', 'restarted', 'unchanged'] as const;

export function diffLevel(before: SupervisorSpec, after: SupervisorSpec): LevelChange {
  const old = new Map(before.children.map((c) => [c.id, c]));
  const next = new Set(after.children.map((c) => c.id));
  const change: LevelChange = { added: [], removed: [], scaled: [], restarted: [], unchanged: [], nested: [] };
  for (const id of old.keys()) if (!next.has(id)) change.removed.push(id);
  for (const child of after.children) {
    const previous = old.get(child.id);
    if (!previous) change.added.push(child.id);
    else if (same(previous, child)) change.unchanged.push(child.id);
    else if (same(withoutCount(previous), withoutCount(child))) change.scaled.push(child.id);
    else if (isStatic(previous) && isStatic(child) && same(withoutChildren(previous), withoutChildren(child)))
      change.nested.push({ id: child.id, change: diffLevel(previous, child) });
    else change.restarted.push(child.id);
  }
  return change;
}

/** The whole tree's change, nested supervisors flattened into their children. */
export function diffTopology(before: SupervisorSpec, after: SupervisorSpec): TopologyChange {
  return flatten(diffLevel(before, after));
}

export function flatten(level: LevelChange): TopologyChange {
  const change: TopologyChange = { added: [...level.added], removed: [...level.removed], scaled: [...level.scaled], restarted: [...level.restarted], unchanged: [...level.unchanged] };
  for (const { change: nested } of level.nested) {
    const inner = flatten(nested);
    for (const key of CHANGE_KINDS) change[key].push(...inner[key]);
  }
  return change;
}

/** Whether a change touched nothing. */
export function nothingChanged(change: TopologyChange): boolean {
  return change.added.length + change.removed.length + change.scaled.length + change.restarted.length === 0;
}

function same(a: unknown, b: unknown): boolean {
  return canonicalJson(a) === canonicalJson(b);
}

function isStatic(spec: ChildSpec): spec is SupervisorSpec {
  return spec.kind === 'supervisor' && spec.group === undefined;
}

/** A dynamic group's spec without what its count decides (its workers and their summed shutdown time). */
function withoutCount(spec: ChildSpec): unknown {
  if (spec.kind !== 'supervisor' || !spec.group) return spec;
  return { ...spec, children: [], shutdownMs: 0, group: { ...spec.group, count: 0 } };
}

/** A static supervisor without its children and the shutdown bound derived from them. */
function withoutChildren(spec: SupervisorSpec): unknown {
  return { ...spec, children: [], shutdownMs: 0 };
}
