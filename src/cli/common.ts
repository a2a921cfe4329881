/** What every `wharf` subcommand shares: the default config file, config errors, a stderr logger. */
import { resolve } from 'node:path';
import pino from 'pino';
import { loadWharfConfig } from '../service/load-config';
import type { WharfConfig } from '../config/schema';
import { ConfigError, describeError, tlsRefusal } from '../errors';
import { kafkaRefusal } from '../kafka/kafka-errors';
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
