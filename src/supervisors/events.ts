/**
 * Every supervision decision is one event object. `reportSupervisionEvent` is the one place an
 * event becomes a log line; metrics subscribe to the same objects.
 */
import type { Logger } from '../log';
import type { ExitKind } from './decider';

export type SupervisionEvent =
  | { type: 'child_started'; supervisor: string; child: string; actorPid?: number; restarts: number }
  | { type: 'child_start_failed'; supervisor: string; child: string; error: string }
  | { type: 'child_exited'; supervisor: string; child: string; exit: ExitKind; detail: string }
  | { type: 'child_not_restarted'; supervisor: string; child: string; exit: ExitKind; restart: string }
  | { type: 'restart_scheduled'; supervisor: string; child: string; restarting: string[]; delayMs: number }
  | { type: 'child_stopped'; supervisor: string; child: string }
  | { type: 'escalated'; supervisor: string; reason: string }
  | { type: 'supervisor_stopped'; supervisor: string };

export type SupervisionEventSink = (event: SupervisionEvent) => void;

export function reportSupervisionEvent(log: Logger, event: SupervisionEvent): void {
  const { type, ...fields } = event;
  const line = { event: type, ...fields };
  switch (type) {
    case 'child_exited':
      if (event.exit === 'normal') log.info(line, `actor ${event.child} exited normally`);
      else log.warn(line, `actor ${event.child} ${event.exit === 'hung' ? 'hung and was killed' : `failed (${event.exit})`}`);
      return;
    case 'child_start_failed':
      log.warn(line, `actor ${event.child} failed to start`);
      return;
    case 'restart_scheduled':
      log.warn(line, `restarting ${event.restarting.join(', ')} in ${event.delayMs} ms`);
      return;
    case 'escalated':
      log.error(line, `supervisor ${event.supervisor} exceeded its restart intensity and gave up`);
      return;
    case 'child_started':
      log.info(line, `actor ${event.child} started`);
      return;
    default:
      log.info(line, type.replace(/_/g, ' '));
  }
}
