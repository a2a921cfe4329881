/**
 * What every `wharf` subcommand shares: the default config file, config errors, numeric flags,
 * the address of a running instance's ops endpoints, a stderr logger.
 */
import { resolve } from 'node:path';
import { InvalidArgumentError } from 'commander';
import pino from 'pino';
import { loadWharfConfig } from '../service/load-config';
import type { WharfConfig } from '../config/schema';
import { ConfigError } from '../errors';
import { createLogger, type Logger } from '../log';

export const DEFAULT_CONFIG = process.env.WHARF_CONFIG ?? resolve(__dirname, '../../../config/actors.json');

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
export function opsBaseUrl(opts: { config: string; url?: string }): string {
  if (opts.url) return opts.url.replace(/\/+$/, '');
  const { metrics } = loadConfigOrExit(opts.config);
  return `http://${metrics.host.includes(':') ? `[${metrics.host}]` : metrics.host}:${metrics.port}`;
}

export async function getJson<T>(url: string, timeoutMs = 10_000): Promise<{ status: number; body: T }> {
  const response = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
  return { status: response.status, body: (await response.json()) as T };
}

/** Exit 2 unless the configuration has this source. */
export function sourceOrExit(config: WharfConfig, source: string, file: string): void {
  if (config.sources.some((s) => s.id === source)) return;
  process.stderr.write(`wharf: no source "${source}" in ${file} (sources: ${config.sources.map((s) => s.id).join(', ') || 'none'})\n`);
  process.exit(2);
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
