/**
 * Reads, interpolates and validates a configuration file: YAML or JSON (config-text.ts). All problems are collected and
 * reported together as one ConfigError, each with its key path, the value found and what was
 * expected, before anything starts. Checks that need to know more than the schema (which actor
 * kinds exist) are passed in by the assembly (src/service/load-config.ts), so validation stays
 * pure and this folder knows no actor.
 */
import { readFileSync } from 'node:fs';
import type { z } from 'zod';
import { ConfigError, type ConfigIssue } from '../errors';
import { formatOf, parseConfigText, type TypedPlaceholders } from './config-text';
import { ConfigSchema, type WharfConfig } from './schema';
import { hideUrlCredentials, isSecretField } from '../util/redaction';

/** A check of a schema-valid configuration; returns its problems. */
export type ConfigCheck = (config: WharfConfig) => ConfigIssue[];

export function loadConfigFile(file: string, env: NodeJS.ProcessEnv = process.env, checks: readonly ConfigCheck[] = []): WharfConfig {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new ConfigError(file, [{ path: '', message: `cannot read the file: ${(err as Error).message}` }]);
  }
  const { raw, issues, typed } = parseConfigText(text, formatOf(file), env);
  if (raw === undefined && issues.length > 0) throw new ConfigError(file, issues);
  return validateConfig(raw, file, issues, checks, typed);
}

/** Configuration data (already parsed), read as the JSON file it would be: one interpolation path for both. */
export function parseConfig(raw: unknown, file: string, env: NodeJS.ProcessEnv = process.env, checks: readonly ConfigCheck[] = []): WharfConfig {
  const parsed = parseConfigText(JSON.stringify(raw), 'json', env);
  if (parsed.raw === undefined && parsed.issues.length > 0) throw new ConfigError(file, parsed.issues);
  return validateConfig(parsed.raw, file, parsed.issues, checks, parsed.typed);
}

function validateConfig(interpolated: unknown, file: string, issues: ConfigIssue[], checks: readonly ConfigCheck[], typed: TypedPlaceholders = new Map()): WharfConfig {
  issues.push(
    ...duplicateIds(interpolated, ['sources']),
    ...duplicateIds(interpolated, ['sinks']),
    ...duplicateIds(interpolated, ['actors', 'groups']),
  );
  const result = ConfigSchema.safeParse(interpolated, { reportInput: true });
  if (!result.success) issues.push(...result.error.issues.flatMap(toConfigIssues).map((issue) => quoteHint(issue, typed)));
  else issues.push(...checks.flatMap((check) => check(result.data)));
  if (issues.length > 0) throw new ConfigError(file, issues);
  return result.data as WharfConfig;
}

/** A value typed from an unquoted placeholder where text was expected: say how to keep it text. */
function quoteHint(issue: ConfigIssue, typed: TypedPlaceholders): ConfigIssue {
  const written = typed.get(issue.path);
  return written && /\bstring\b/.test(issue.message) ? { ...issue, message: `${issue.message} (from ${written} written without quotes: quote it, "${written}", to keep it text)` } : issue;
}

/** Ids that repeat within a list; checked on the raw input so they are reported with any other error. */
function duplicateIds(raw: unknown, listPath: string[]): ConfigIssue[] {
  const list = listPath.reduce<unknown>((node, key) => (node && typeof node === 'object' ? (node as Record<string, unknown>)[key] : undefined), raw);
  if (!Array.isArray(list)) return [];
  const seen = new Map<unknown, number>();
  const issues: ConfigIssue[] = [];
  list.forEach((item: unknown, i) => {
    const id = item && typeof item === 'object' ? (item as { id?: unknown }).id : undefined;
    if (typeof id !== 'string') return;
    const first = seen.get(id);
    if (first === undefined) seen.set(id, i);
    else issues.push({ path: formatPath([...listPath, i, 'id']), message: `duplicate id "${id}" (already used by ${formatPath([...listPath, first])})` });
  });
  return issues;
}

export function formatPath(path: readonly PropertyKey[]): string {
  return path
    .map((part, i) => (typeof part === 'number' ? `[${part}]` : i === 0 ? String(part) : `.${String(part)}`))
    .join('');
}

function toConfigIssues(issue: z.core.$ZodIssue): ConfigIssue[] {
  const path = formatPath(issue.path);
  // A secret's value is never echoed, nor any value inside one (a header of `headers`).
  const got = issue.path.some(isSecretField) ? '[redacted]' : describeValue(issue.input);
  switch (issue.code) {
    case 'unrecognized_keys':
      return issue.keys.map((key) => ({ path: formatPath([...issue.path, key]), message: 'unknown key' }));
    case 'invalid_type':
      return [{ path, message: issue.input === undefined ? `missing: expected ${issue.expected}` : `expected ${issue.expected}, got ${got}` }];
    case 'custom':
      return [{ path, message: issue.message }];
    case 'invalid_union':
      if ('discriminator' in issue && typeof issue.discriminator === 'string') {
        const tag = (issue.input as Record<string, unknown> | undefined)?.[issue.discriminator];
        return [{ path, message: `${lowerFirst(issue.message)}, got ${describeValue(tag)}` }];
      }
      return [{ path, message: issue.input === undefined ? `missing: ${lowerFirst(issue.message)}` : `${lowerFirst(issue.message)}, got ${got}` }];
    default:
      return [{ path, message: `${lowerFirst(issue.message)}, got ${got}` }];
  }
}

function describeValue(value: unknown): string {
  const text = hideUrlCredentials(JSON.stringify(value) ?? String(value));
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

function lowerFirst(text: string): string {
  return text.charAt(0).toLowerCase() + text.slice(1);
}
