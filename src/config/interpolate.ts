/**
 * Environment interpolation in configuration values, as Logstash and Vector do it:
 * `${NAME}` is replaced by the variable's value, `${NAME:-fallback}` uses the fallback when the
 * variable is unset or empty, and `$${` is a literal `${`. It applies to every string in the
 * file, so ports (WHARF_KAFKA_PORT, ...) and secrets (WHARF_COUCHDB_PASSWORD) come from the
 * environment while the file stays free of them. A variable that is missing and has no fallback
 * is an error naming the key that used it.
 */
import type { ConfigIssue } from '../errors';

const PLACEHOLDER = /\$(\$)?\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}/g;

export function interpolate(
  value: unknown,
  env: NodeJS.ProcessEnv,
  issues: ConfigIssue[],
  path = '',
): unknown {
  if (typeof value === 'string') return interpolateString(value, env, issues, path);
  if (Array.isArray(value)) return value.map((item, i) => interpolate(item, env, issues, `${path}[${i}]`));
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value).map(([key, item]) => [key, interpolate(item, env, issues, path ? `${path}.${key}` : key)]),
    );
  }
  return value;
}

function interpolateString(text: string, env: NodeJS.ProcessEnv, issues: ConfigIssue[], path: string): string {
  return text.replace(PLACEHOLDER, (whole, escaped: string | undefined, name: string, fallback: string | undefined) => {
    if (escaped) return whole.slice(1);
    const found = env[name];
    if (found !== undefined && found !== '') return found;
    if (fallback !== undefined) return fallback;
    issues.push({ path, message: `environment variable ${name} is not set and "${whole}" gives no default` });
    return whole;
  });
}
