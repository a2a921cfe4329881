/**
 * comedy forks every child with the parent's process.execArgv. A parent started with
 * `node -e`/`-p`/`--eval` would make each child re-run that code and fork again without end, and
 * `--inspect` would make children fight over the debug port. Only flags that are safe to repeat
 * in a child are kept.
 */
const SAFE_FLAG = /^--(max-old-space-size|max-semi-space-size|enable-source-maps|stack-size|unhandled-rejections|trace-warnings|no-warnings|heapsnapshot-near-heap-limit)(=|$)/;

export function safeExecArgv(execArgv: readonly string[]): string[] {
  return execArgv.filter((arg) => SAFE_FLAG.test(arg));
}
