/** The running tree as plain data, for /topology, `wharf status`, readiness and metrics. */
import { basename } from 'node:path';
import { RunningWorker } from './running-worker';
import type { ChildState, Slot } from './slots';
import type { Supervisor } from './supervisor';

export interface TreeNode {
  id: string;
  kind: 'supervisor' | 'worker';
  state: ChildState;
  /** A worker's actor kind: the name of its module ("partition-consumer", or an operator's module). */
  actor?: string;
  mode?: string;
  pid?: number;
  restarts: number;
  lastError?: string;
  children?: TreeNode[];
}

export function describeSupervisor(id: string, state: ChildState, slots: readonly Slot[]): TreeNode {
  return { id, kind: 'supervisor', state, restarts: 0, children: slots.map(describeSlot) };
}

/** One child as its supervisor sees it; a running nested supervisor adds its own children. */
function describeSlot(slot: Slot): TreeNode {
  const nested: Supervisor | undefined = slot.running instanceof RunningWorker ? undefined : slot.running;
  if (nested) return { ...nested.describe(), state: slot.state, restarts: slot.restarts, lastError: slot.lastError };
  const spec = slot.spec;
  return {
    id: spec.id,
    kind: spec.kind,
    state: slot.state,
    actor: spec.kind === 'worker' ? basename(spec.module).replace(/(\.js)?$/, '').replace(/-actor$/, '') : undefined,
    mode: spec.kind === 'worker' ? spec.mode : undefined,
    pid: slot.running instanceof RunningWorker ? slot.running.pid : undefined,
    restarts: slot.restarts,
    lastError: slot.lastError,
  };
}
