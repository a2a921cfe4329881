/**
 * Applies a new topology to the running tree, level by level (topology-diff.ts decides what):
 * removed children stop, changed ones restart with their new spec, dynamic groups whose count
 * alone changed scale, new children start after the others. A static supervisor whose children
 * alone changed is not restarted: the change is applied inside it. Children that did not change
 * are not touched.
 */
import type { SupervisorSpec } from '../supervisors/spec';
import type { Supervisor } from '../supervisors/supervisor';
import { diffLevel, flatten, type LevelChange, type TopologyChange } from './topology-diff';

export async function applyTopology(tree: Supervisor, before: SupervisorSpec, after: SupervisorSpec): Promise<TopologyChange> {
  const change = diffLevel(before, after);
  await applyLevel(tree, change, after);
  return flatten(change);
}

async function applyLevel(tree: Supervisor, change: LevelChange, after: SupervisorSpec): Promise<void> {
  const specOf = (id: string) => after.children.find((c) => c.id === id)!;
  for (const id of change.removed) await tree.removeChild(id);
  for (const id of change.restarted) await tree.replaceChild(specOf(id));
  for (const id of change.scaled) {
    const spec = specOf(id);
    // scaleChild also reaches a group that is restarting, which then comes back at the new size.
    if (spec.kind === 'supervisor' && spec.group) await tree.scaleChild(id, spec.group.count);
  }
  for (const { id, change: inner } of change.nested) {
    const spec = specOf(id);
    const nested = tree.child(id);
    if (nested && spec.kind === 'supervisor') await applyLevel(nested, inner, spec);
    // Not running (waiting for its restart): it comes back whole with the new spec.
    else await tree.replaceChild(spec);
  }
  for (const id of change.added) await tree.addChild(specOf(id));
}
