/**
 * The supervisor's decisions as pure functions: whether an exit is restarted, which siblings
 * restart with it, and whether the restart intensity is exceeded.
 */
import type { RestartType, Strategy } from './spec';

export type ExitKind = 'normal' | 'crash' | 'killed' | 'hung' | 'start-failed';

export function shouldRestart(restart: RestartType, exit: ExitKind): boolean {
  if (restart === 'permanent') return true;
  if (restart === 'transient') return exit !== 'normal';
  return false;
}

/** The children (in start order) to stop and start again when `failedId` exited. */
export function childrenToRestart(strategy: Strategy, order: readonly string[], failedId: string): string[] {
  const at = order.indexOf(failedId);
  if (at < 0) return [];
  if (strategy === 'one-for-one') return [failedId];
  if (strategy === 'one-for-all') return [...order];
  return order.slice(at);
}

/**
 * Records a restart at `now` in the sliding window of restart times and says whether this
 * restart is one too many (more than maxRestarts within withinMs).
 */
export function recordRestart(
  history: readonly number[],
  now: number,
  limits: { maxRestarts: number; withinMs: number },
): { history: number[]; exceeded: boolean } {
  const recent = [...history.filter((t) => now - t < limits.withinMs), now];
  return { history: recent, exceeded: recent.length > limits.maxRestarts };
}
