/** Durations and points in time as operators type them on the command line. */

const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** "7d", "36h", "90m", "3600s", "500ms" in ms; undefined when not such a duration. */
export function parseDuration(text: string): number | undefined {
  const match = /^(\d+)(ms|s|m|h|d)$/.exec(text.trim());
  return match ? Number(match[1]) * UNITS[match[2]] : undefined;
}

/**
 * A point in time: an ISO time ("2026-11-26T08:00:00Z", "2026-11-26"), or a duration before
 * `now` ("2h": two hours ago); undefined when neither.
 */
export function parsePointInTime(text: string, now = Date.now()): Date | undefined {
  const ago = parseDuration(text);
  if (ago !== undefined) return new Date(now - ago);
  const time = new Date(text);
  return /^\d{4}-\d{2}-\d{2}/.test(text) && !Number.isNaN(time.getTime()) ? time : undefined;
}
