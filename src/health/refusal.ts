/**
 * What an actor that retries on its own (a source poller, a partition consumer) tells readiness:
 * the refusal that failed its last attempt (credentials, a permission, an untrusted certificate:
 * WharfError.refused), until an attempt succeeds. Other failures (a server down) are left to the
 * servers' own checks; a refusal is what no server check shows (a Kafka user may describe the
 * cluster yet not write to a topic).
 */
import { describeError, isRefusal } from '../errors';
import type { CheckResult } from './check';

export class RefusalState {
  private refused?: { detail: string; since: number };

  /** After a failed attempt: remembered if it was a refusal, else forgotten. Returns whether it was one. */
  failed(error: unknown): boolean {
    if (!isRefusal(error)) this.refused = undefined;
    else this.refused = { detail: describeError(error), since: this.refused?.since ?? Date.now() };
    return this.refused !== undefined;
  }

  succeeded(): void {
    this.refused = undefined;
  }

  /** The refusal as a failed check of `service`, or null when there is none. */
  asCheck(service: string, endpoint: string): CheckResult | null {
    if (!this.refused) return null;
    return { service, endpoint, ok: false, detail: `${this.refused.detail} (refused since ${new Date(this.refused.since).toISOString()})`, latencyMs: 0 };
  }
}
