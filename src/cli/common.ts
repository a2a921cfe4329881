/**
 * What every `wharf` subcommand shares (which configuration file: config-file.ts): config errors, numeric flags,
 * the address of a running instance's ops endpoints, a stderr logger.
 */
import { InvalidArgumentError } from 'commander';
import pino from 'pino';
import { loadWharfConfig } from '../service/load-config';
import type { WharfConfig } from '../config/schema';
import { ConfigError, describeError, tlsRefusal } from '../errors';
import { kafkaRefusal } from '../kafka/kafka-errors';
import { createLogger, type Logger } from '../log';

/** Invalid configuration: every problem on stderr, exit 2. */
export function exitOnConfigError(err: unknown): never {
  if (err instanceof ConfigError) {
    process.stderr.write(`wharf: ${err.message}\n`);
    process.exit(2);
  }
  throw err;
}

export function loadConfigOrExit(file: string): WharfConfig {
  try {
    return loadWharfConfig(file);
  } catch (err) {
    exitOnConfigError(err);
  }
}

/** The sinks a command works on: every sink, or the one `--sink` names (exit 2 when there is no such sink). */
export function selectSinks(config: WharfConfig, sinkId: string | undefined, file: string): WharfConfig['sinks'] {
  const sinks = sinkId ? config.sinks.filter((s) => s.id === sinkId) : config.sinks;
  if (sinks.length === 0) {
    process.stderr.write(`wharf: --sink: no sink "${sinkId}" in ${file} (sinks: ${config.sinks.map((s) => s.id).join(', ')})\n`);
    process.exit(2);
  }
  return sinks;
}

/**
 * A commander parser for a whole-number flag within bounds: anything else is a usage error
 * (commander names the flag and the value; exit 2), never a NaN passed on.
 */
export function intOption(min: number, max = Number.MAX_SAFE_INTEGER): (value: string) => number {
  return (value) => {
    const n = /^\d+$/.test(value.trim()) ? Number(value) : NaN;
    if (!(n >= min && n <= max)) throw new InvalidArgumentError(max === Number.MAX_SAFE_INTEGER ? `expected a whole number of at least ${min}.` : `expected a whole number from ${min} to ${max}.`);
    return n;
  };
}

/** The ops endpoints of the running instance: `--url`, else the configuration's `metrics` listener. */
/** The instance wants a (other) bearer token: a usage problem, exit 2. */
export class TokenRefusedError extends Error {
  constructor(url: string) {
    super(`${url} refused the request (401): it wants the bearer token of its configuration's metrics.token; give that file with --config`);
  }
}

/**
 * A running instance's ops endpoint and its bearer token (metrics.token): from `--url`, else the
 * configuration's metrics.host and metrics.port. With --url alone, only an explicit --config is read.
 */
export function opsEndpoint(opts: { config: string; url?: string }, configGiven: boolean): { base: string; token?: string } {
  const metrics = !opts.url || configGiven ? loadConfigOrExit(opts.config).metrics : undefined;
  const base = opts.url ? opts.url.replace(/\/+$/, '') : `http://${metrics!.host.includes(':') ? `[${metrics!.host}]` : metrics!.host}:${metrics!.port}`;
  return { base, token: metrics?.token };
}

/** GET (or POST) an ops endpoint, with its bearer token; a 401 is a TokenRefusedError. */
export async function getOps(url: string, token: string | undefined, timeoutMs = 10_000, method: 'GET' | 'POST' = 'GET'): Promise<{ status: number; text: string }> {
  const headers: Record<string, string> = token ? { authorization: `Bearer ${token}` } : {};
  if (method === 'POST') headers['content-type'] = 'application/json';
  const response = await fetch(url, { method, signal: AbortSignal.timeout(timeoutMs), headers, body: method === 'POST' ? '{}' : undefined });
  if (response.status === 401) throw new TokenRefusedError(url);
  return { status: response.status, text: await response.text() };
}

/** Why an ops endpoint did not answer, in one line: "cannot reach the instance at 127.0.0.1:9464 (ECONNREFUSED)". */
export function unreachable(base: string, err: unknown): string {
  const cause = err instanceof Error && err.cause instanceof Error ? err.cause : err;
  const code = (cause as { code?: unknown } | undefined)?.code;
  const why = err instanceof Error && err.name === 'TimeoutError' ? 'no answer in time' : typeof code === 'string' ? code : describeError(cause);
  return `cannot reach the instance at ${base.replace(/^https?:\/\//, '')} (${why})`;
}

export async function getJson<T>(url: string, token: string | undefined, timeoutMs = 10_000): Promise<{ status: number; body: T }> {
  const { status, text } = await getOps(url, token, timeoutMs);
  return { status, body: JSON.parse(text) as T };
}

/** The configured source of this id; exit 2 when there is none. */
export function sourceOrExit(config: WharfConfig, source: string, file: string): WharfConfig['sources'][number] {
  const found = config.sources.find((s) => s.id === source);
  if (found) return found;
  process.stderr.write(`wharf: no source "${source}" in ${file} (sources: ${config.sources.map((s) => s.id).join(', ') || 'none'})\n`);
  return process.exit(2);
}

/** Aborts on the first SIGINT or SIGTERM, so a command that runs until stopped can clean up; a second one kills. */
export function stopOnSignals(): AbortController {
  const controller = new AbortController();
  const stop = () => controller.abort();
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  return controller;
}

/** Warnings and errors as JSON lines on stderr; stdout carries the command's result. */
export function stderrLogger(level: 'warn' | 'error' = 'warn'): Logger {
  return createLogger({ level, destination: pino.destination(2) });
}

/**
 * A command's failure as one line: a refusal (credentials, ACLs, an untrusted certificate) with
 * what to fix, anything else with its causes; the stack only at log level debug or trace.
 */
export function commandFailure(err: unknown): string {
  const text = kafkaRefusal(err) ?? tlsRefusal(err) ?? describeError(err);
  const verbose = ['debug', 'trace'].includes(process.env.WHARF_LOG_LEVEL ?? '');
  return verbose && err instanceof Error && err.stack ? `${text}\n${err.stack}` : text;
}
