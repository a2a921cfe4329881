/**
 * A forked worker's V8 heap limits. comedy forks each child with the parent's process.execArgv as
 * it is at that moment and takes no per-child options, so the flags are put into
 * process.execArgv around the creation of that one child. Creations of forked workers run one at
 * a time, so that no child gets another's flags (supervisors start their children one after the
 * other anyway; a creation takes ~200 ms). A creation that hangs holds the others up for at most
 * FORK_SLOT_MS.
 *
 * Every forked worker also preloads child-preload.ts (which spares it comedy's babel-polyfill),
 * by its absolute path, so that the flag holds wherever wharf is installed.
 *
 * WHARF_FORK_EXEC_ARGV, when set in wharf's environment, adds node flags to every forked actor
 * (space-separated, e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof"): node refuses --cpu-prof in
 * NODE_OPTIONS, and comedy's children take no other flags.
 */
import { resolve } from 'node:path';
import type { HeapLimits } from './spec';

const HEAP_FLAG = /^--max-(old|semi)-space-size(=|$)/;
const FORK_SLOT_MS = 30_000;

/** The node flag that preloads child-preload.js into a forked worker. */
export const CHILD_PRELOAD_FLAG = `--require=${resolve(__dirname, 'child-preload.js')}`;

/** The node flags of these limits. */
export function heapFlags(heap: HeapLimits): string[] {
  return [
    ...(heap.maxOldSpaceMiB !== undefined ? [`--max-old-space-size=${heap.maxOldSpaceMiB}`] : []),
    ...(heap.maxSemiSpaceMiB !== undefined ? [`--max-semi-space-size=${heap.maxSemiSpaceMiB}`] : []),
  ];
}

/** `base` (the parent's flags) with the worker's limits in place of any heap limits the parent had, the preload, then `extra`. */
export function childExecArgv(base: readonly string[], heap: HeapLimits, extra = process.env.WHARF_FORK_EXEC_ARGV ?? ''): string[] {
  const own = heapFlags(heap);
  return [
    ...(own.length === 0 ? base : base.filter((arg) => !HEAP_FLAG.test(arg))),
    ...own,
    CHILD_PRELOAD_FLAG,
    ...extra.split(/\s+/).filter(Boolean),
  ];
}

let slot: Promise<unknown> = Promise.resolve();
/** The parent's own flags, as actor-system.ts left them, taken before any worker's are put in. */
let parentFlags: readonly string[] | undefined;

/** Runs `create` (which forks one child) with the worker's flags in process.execArgv, one creation at a time. */
export function forkingWith<T>(heap: HeapLimits, create: () => Promise<T>): Promise<T> {
  const run = async () => {
    parentFlags ??= [...process.execArgv];
    process.execArgv.splice(0, process.execArgv.length, ...childExecArgv(parentFlags, heap));
    try {
      return await create();
    } finally {
      process.execArgv.splice(0, process.execArgv.length, ...parentFlags);
    }
  };
  const created = slot.then(run, run);
  let timer: NodeJS.Timeout | undefined;
  slot = Promise.race([created, new Promise((free) => (timer = setTimeout(free, FORK_SLOT_MS)))])
    .catch(() => undefined)
    .finally(() => clearTimeout(timer));
  return created;
}
