/** Supervision events and the live tree as metrics of the root process. */
import type { SupervisionEvent } from '../supervisors/events';
import type { TreeNode } from '../supervisors/supervisor';
import { METRICS } from '../metrics/catalog';
import { counter, gauge } from '../metrics/process-registry';

export function countSupervisionEvent(event: SupervisionEvent): void {
  if (event.type === 'restart_scheduled') {
    for (const actor of event.restarting) counter(METRICS.actorRestarts).inc({ actor });
  } else if (event.type === 'escalated') {
    counter(METRICS.escalations).inc({ supervisor: event.supervisor });
  }
}

/** Sets wharf_actor_running for every worker of the tree as it is now (removed ones vanish). */
export function publishActorStates(tree: TreeNode): void {
  const running = gauge(METRICS.actorRunning);
  running.reset();
  const visit = (node: TreeNode) => {
    if (node.kind === 'worker') running.set({ actor: node.id }, node.state === 'running' ? 1 : 0);
    node.children?.forEach(visit);
  };
  visit(tree);
}
