/**
 * Applies a new topology to the running tree: removed groups stop, changed groups restart with
 * their new spec, dynamic groups whose count alone changed scale (only the workers at their end
 * start or stop), new groups start after the others. Groups that did not change are not touched.
 */
import type { SupervisorSpec } from '../supervisors/spec';
import type { Supervisor } from '../supervisors/supervisor';
import { diffTopology, type TopologyChange } from './topology';

export async function applyTopology(tree: Supervisor, before: SupervisorSpec, after: SupervisorSpec): Promise<TopologyChange> {
  const change = diffTopology(before, after);
  const specOf = (id: string) => after.children.find((c) => c.id === id)!;
  for (const id of change.removed) await tree.removeChild(id);
  for (const id of change.restarted) await tree.replaceChild(specOf(id));
  for (const id of change.scaled) {
    const spec = specOf(id);
    // scaleChild also reaches a group that is restarting, which then comes back at the new size.
    if (spec.kind === 'supervisor' && spec.group) await tree.scaleChild(id, spec.group.count);
  }
  for (const id of change.added) await tree.addChild(specOf(id));
  return change;
}
