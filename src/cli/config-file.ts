/**
 * Which configuration file a command reads, one rule for every command: `--config` (`-c`), else
 * WHARF_CONFIG, else /etc/wharf/wharf.yaml, else /etc/wharf/wharf.json (the installed layout);
 * the checkout's demo, config/actors.json, only when wharf runs from a git checkout, never from
 * an installed package, so an installed `wharf dlq replay` can never talk to the demo's Kafka.
 * The command then names the file it read on stderr (stdout may carry --json).
 */
import type { Command } from 'commander';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { isCheckout, PACKAGE_ROOT } from '../build-info';

export const INSTALLED_CONFIGS = ['/etc/wharf/wharf.yaml', '/etc/wharf/wharf.json'] as const;
export const CHECKOUT_DEMO_CONFIG = join(PACKAGE_ROOT, 'config/actors.json');

export interface ConfigChoice {
  /** The file to read, or undefined when none was found. */
  file?: string;
  /** Where it looked, in order: for the error when nothing was found. */
  looked: string[];
}

export function chooseConfigFile(
  flag: string | undefined,
  env: NodeJS.ProcessEnv = process.env,
  checkout: boolean = isCheckout(),
  exists: (file: string) => boolean = existsSync,
): ConfigChoice {
  if (flag) return { file: flag, looked: [] };
  if (env.WHARF_CONFIG) return { file: env.WHARF_CONFIG, looked: [] };
  const looked = ['--config', 'WHARF_CONFIG', ...INSTALLED_CONFIGS];
  const installed = INSTALLED_CONFIGS.find((file) => exists(file));
  if (installed) return { file: installed, looked };
  if (checkout) return { file: CHECKOUT_DEMO_CONFIG, looked };
  return { looked };
}

/** The file a command reads, announced on stderr; none found is a usage error (exit 2) saying where it looked. */
export function configFileOrExit(flag: string | undefined): string {
  const { file, looked } = chooseConfigFile(flag);
  if (!file) {
    process.stderr.write(`wharf: no configuration found: looked at ${looked.join(', ')}; give one with --config FILE or WHARF_CONFIG\n`);
    process.exit(2);
  }
  process.stderr.write(`wharf: configuration ${file}\n`);
  return file;
}

/**
 * Resolves `--config` before any command that has it runs, and writes the chosen file back as
 * the option's value (its source stays "cli" only when given). `check-config [file]` takes the
 * file as an argument too. A command with `--url` and no `--config` reads no configuration.
 */
export function resolveConfigBeforeAction(program: Command): void {
  program.hook('preAction', (_program, command) => {
    if (!command.options.some((option) => option.attributeName() === 'config')) return;
    const opts = command.opts<{ config?: string; url?: string }>();
    const argument = command.name() === 'check-config' ? (command.args[0] as string | undefined) : undefined;
    if (argument !== undefined && opts.config !== undefined && argument !== opts.config) {
      process.stderr.write(`wharf: check-config: give the file once (argument ${argument} or --config ${opts.config})\n`);
      process.exit(2);
    }
    const given = argument ?? opts.config;
    if (given === undefined && opts.url !== undefined) return;
    command.setOptionValueWithSource('config', configFileOrExit(given), given === undefined ? 'default' : 'cli');
  });
}
