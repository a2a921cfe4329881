/**
 * An error nothing caught leaves a process in a state nobody knows. wharf's processes log it as
 * one fatal JSON line (what it was and where it was thrown; the stack's frames only, since an
 * error's message goes through describeError alone) and exit 1 at once: a forked actor is then
 * restarted by its supervisor, wharf's own process (holding every actor in the compact
 * placement) by the service manager. Node's default would print a bare stack to stderr.
 * comedy's bluebird promises report their unhandled rejections here too (bluebird only warns
 * when nobody listens): they count as well.
 */
import { describeError } from '../errors';
import type { Logger } from '../log';

export function exitOnUncaughtErrors(log: Logger, restartedBy: string): void {
  const exit = (what: string) => (err: unknown) => {
    try {
      log.fatal({ err: describeError(err), at: stackFrames(err) }, `${what}: exiting so that ${restartedBy} starts it again`);
    } finally {
      process.exit(1); // even when the log line cannot be written (stdout gone)
    }
  };
  process.on('uncaughtException', exit('uncaught error'));
  process.on('unhandledRejection', exit('unhandled promise rejection'));
}

function stackFrames(err: unknown): string[] | undefined {
  if (!(err instanceof Error) || !err.stack) return undefined;
  return err.stack
    .split('\n')
    .filter((line) => line.startsWith('    at '))
    .slice(0, 8)
    .map((line) => line.trim().slice(3));
}
