#!/usr/bin/env node
/**
 * The `wharf` command. `run` starts the service (`wharf` alone prints help and starts nothing);
 * `--version` says which wharf this is (src/build-info.ts). The other commands inspect a
 * configuration (check-config), a running instance (status, reload, top), Kafka (dlq, replay,
 * lag, tap), source cursors in ZooKeeper (cursor) or the sinks against Kafka (verify), each in
 * its own file under src/cli/. Exit codes: 0 ok, 1 runtime failure (verify: a difference; cursor
 * set: refused), 2 invalid configuration or usage (3: `status` or `top` found no running
 * instance). Every command that reads a configuration finds it the same way (cli/config-file.ts).
 */
import { Command } from 'commander';
import { buildInfo, versionLine } from './build-info';
import { commandFailure, exitOnConfigError, intOption } from './cli/common';
import { resolveConfigBeforeAction } from './cli/config-file';
import { registerConfigCommands } from './cli/config-commands';
import { registerCursorCommands } from './cli/cursor-commands';
import { registerDlqCommands } from './cli/dlq-commands';
import { registerLagCommand } from './cli/lag-command';
import { registerPurgeCommand } from './cli/purge-command';
import { registerReloadCommand } from './cli/reload-command';
import { registerReplayCommand } from './cli/replay-command';
import { registerRestoreCommand } from './cli/restore-command';
import { registerStatusCommand } from './cli/status-command';
import { registerTapCommand } from './cli/tap-command';
import { registerTopCommand } from './cli/top-command';
import { registerVerifyCommand } from './cli/verify-command';
import { DemoUpstream } from './demo/upstream-server';
import { DEFAULT_PID_FILE, removePidFile, writePidFile } from './pid-file';
import { runWharf } from './system';

const program = new Command()
  .name('wharf')
  .description('Fault-tolerant ingestion: source pollers -> Kafka -> Elasticsearch and CouchDB')
  .showHelpAfterError()
  .exitOverride((err) => process.exit(err.exitCode === 0 ? 0 : 2))
  .option('-V, --version', 'print the version and the commit it was built from')
  // Handled as it is parsed, so that a command's run never pays for git (build-info.ts).
  .on('option:version', () => {
    process.stdout.write(`wharf ${versionLine(buildInfo())}\n`);
    process.exit(0);
  });
resolveConfigBeforeAction(program);

program
  .command('run')
  .description('run wharf until SIGTERM or SIGINT')
  .option('-c, --config <file>', 'configuration file (default: WHARF_CONFIG, /etc/wharf/wharf.yaml, /etc/wharf/wharf.json)')
  .option('--pid-file <file>', 'write the process id here, for `wharf reload`', DEFAULT_PID_FILE)
  .action(async (opts: { config: string; pidFile: string }) => {
    writePidFile(opts.pidFile);
    // Also on the exit of an error nothing caught (supervisors/uncaught-errors.ts).
    process.once('exit', () => removePidFile(opts.pidFile));
    const code = await runWharf(opts.config).catch(exitOnConfigError);
    process.exit(code);
  });

registerReloadCommand(program);
registerConfigCommands(program);
registerStatusCommand(program);
registerDlqCommands(program);
registerReplayCommand(program);
registerRestoreCommand(program);
registerVerifyCommand(program);
registerPurgeCommand(program);
registerLagCommand(program);
registerCursorCommands(program);
registerTapCommand(program);
registerTopCommand(program);

program
  .command('demo-upstream')
  .description('serve a demo HTTP JSON feed of orders (for scripts/run-local and trying wharf out)')
  .option('--port <port>', 'port on 127.0.0.1', intOption(0, 65535), Number(process.env.WHARF_DEMO_PORT ?? 8700))
  .option('--records <n>', 'orders available at start', intOption(0), 500)
  .option('--per-second <n>', 'new orders per second afterwards', intOption(0), 5)
  .action(async (opts: { port: number; records: number; perSecond: number }) => {
    const upstream = new DemoUpstream({ port: opts.port, growOnDemand: true });
    upstream.add(opts.records);
    await upstream.start();
    process.stdout.write(`demo upstream: ${upstream.url}?since=0 (${opts.records} orders, +${opts.perSecond}/s)\n`);
    if (opts.perSecond > 0) setInterval(() => upstream.add(opts.perSecond), 1000);
    const stop = () => void upstream.stop().then(() => process.exit(0));
    process.once('SIGTERM', stop);
    process.once('SIGINT', stop);
  });

// No command: help on stdout, exit 0; never the service (that is `wharf run`).
if (process.argv.length <= 2) {
  program.outputHelp();
  process.exit(0);
}

program.parseAsync(process.argv).catch((err: unknown) => {
  process.stderr.write(`wharf: ${commandFailure(err)}\n`);
  process.exit(1);
});
