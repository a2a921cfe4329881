/**
 * Environment interpolation in the configuration, as Logstash and Vector do it (applied to the
 * file's text before parsing, config-text.ts):
 * `${NAME}` is replaced by the variable's value, `${NAME:-fallback}` uses the fallback when the
 * variable is unset or empty, and `$${` is a literal `${`. It applies to every string in the
 * file, so ports (WHARF_KAFKA_PORT, ...) and secrets (WHARF_COUCHDB_PASSWORD) come from the
 * environment while the file stays free of them. A variable that is missing and has no fallback
 * is an error naming the key that used it.
 */
import type { ConfigIssue } from '../errors';

export const PLACEHOLDER = /\$(\$)?\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}/g;

/** One `${NAME}` or `${NAME:-fallback}` as written. */
export interface Placeholder {
  whole: string;
  name: string;
  fallback: string | undefined;
}

/** The variable's value, else the fallback (also for an empty variable), else an issue at `path`. */
export function lookup(placeholder: Placeholder, env: NodeJS.ProcessEnv, issues: ConfigIssue[], path: string): string {
  const found = env[placeholder.name];
  if (found !== undefined && found !== '') return found;
  if (placeholder.fallback !== undefined) return placeholder.fallback;
  issues.push({ path, message: `environment variable ${placeholder.name} is not set and "${placeholder.whole}" gives no default` });
  return placeholder.whole;
}
