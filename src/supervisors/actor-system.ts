/**
 * The comedy actor system as wharf uses it. This folder is the only code that touches comedy.
 *
 * What it corrects in comedy's defaults (see docs/development.md, "comedy quirks"):
 * - comedy installs SIGTERM/SIGINT handlers that exit at once, so no child would ever drain;
 *   they are removed here and system.ts owns the signals.
 * - comedy polls an actors.json at the application root for hot changes; wharf's topology lives
 *   in config/actors.json under its own control, so comedy gets an explicit empty config.
 * - comedy logs through winston; here it logs through pino.
 * - comedy forks children with the parent's execArgv; only safe flags are kept (exec-argv.ts).
 */
import { resolve } from 'node:path';
import * as comedy from 'comedy';
import type { LogLevel } from '../log';
import { safeExecArgv } from './exec-argv';

export type ActorSystem = comedy.ActorSystem;
export type ActorRef = comedy.ActorRef;

interface ComedySignalHandlers {
  sigintHandler?: () => void;
  sigtermHandler?: () => void;
}

export function createActorSystem(options: { logLevel: LogLevel }): ActorSystem {
  process.execArgv.splice(0, process.execArgv.length, ...safeExecArgv(process.execArgv));
  const system = comedy.createSystem({
    // '//' marks an absolute module path for comedy, which children resolve the same way.
    logger: `/${resolve(__dirname, 'comedy-pino-logger')}`,
    loggerParams: { level: options.logLevel },
    config: {},
  });
  const handlers = system as unknown as ComedySignalHandlers;
  if (handlers.sigintHandler) process.removeListener('SIGINT', handlers.sigintHandler);
  if (handlers.sigtermHandler) process.removeListener('SIGTERM', handlers.sigtermHandler);
  return system;
}
