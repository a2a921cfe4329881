/**
 * Ready = every actor of the tree is running and every server answered a recent check. The
 * reasons name what is not: an actor and its state (with its last error), or a server and why.
 */
import { describeError } from '../errors';
import type { CheckResult } from '../health/check';
import type { TreeNode } from '../supervisors/supervisor';
import type { Readiness } from './ops-server';

export async function readiness(tree: TreeNode, services: Promise<CheckResult[]>): Promise<Readiness> {
  const reasons: string[] = [];
  const visit = (node: TreeNode, path: string) => {
    const here = path ? `${path}/${node.id}` : node.id;
    if (node.state !== 'running') reasons.push(`actor ${here} is ${node.state}${node.lastError ? ` (last error: ${node.lastError})` : ''}`);
    node.children?.forEach((child) => visit(child, here));
  };
  visit(tree, '');
  let checked: CheckResult[] = [];
  try {
    checked = await services;
  } catch (err) {
    reasons.push(`server checks did not complete: ${describeError(err)}`);
  }
  // "sink:search unavailable at https://…: credentials refused by …" (the detail's own "<service> unavailable: " prefix dropped).
  for (const r of checked) if (!r.ok) reasons.push(`${r.service} unavailable at ${r.endpoint}: ${r.detail.replace(`${r.service} unavailable: `, '')}`);
  return { ready: reasons.length === 0, reasons, services: checked };
}
