/**
 * comedy's logger implementation, routed to pino so the actor framework's own messages come out
 * as JSON lines like the rest of wharf. comedy loads it by module path in every process it
 * forks, hence `export =` and a parameterless-friendly constructor.
 */
import { getProcessLogger, type Logger, type LogLevel } from '../log';

class ComedyPinoLogger {
  private readonly log: Logger;

  constructor(params?: { level?: LogLevel }) {
    this.log = getProcessLogger(params?.level).child({ component: 'comedy' });
  }

  isDebug(): boolean {
    return this.log.isLevelEnabled('debug');
  }

  debug(...messages: unknown[]): void {
    this.log.debug(messages.map(String).join(' '));
  }

  info(...messages: unknown[]): void {
    // comedy reports routine lifecycle steps at info; they are debug detail for an operator.
    this.log.debug(messages.map(String).join(' '));
  }

  warn(...messages: unknown[]): void {
    this.log.warn(messages.map(String).join(' '));
  }

  error(...messages: unknown[]): void {
    this.log.error(messages.map(String).join(' '));
  }
}

export = ComedyPinoLogger;
