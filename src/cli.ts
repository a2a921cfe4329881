#!/usr/bin/env node
/**
 * The `wharf` command. `run` (the default) starts the service; `check-config` validates a
 * configuration file and prints what it resolves to. Exit codes: 0 ok, 1 runtime failure,
 * 2 invalid configuration or usage.
 */
import { resolve } from 'node:path';
import { Command } from 'commander';
import { loadConfigFile } from './config/load';
import { configJsonSchema } from './config/schema';
import pino from 'pino';
import { createKafka } from './clients/kafka';
import { DemoUpstream } from './demo/upstream-server';
import { listDeadLetters } from './kafka/dead-letter-reader';
import { createLogger } from './log';
import { ConfigError } from './errors';
import { DEFAULT_PID_FILE, readPidFile, removePidFile, writePidFile } from './pid-file';
import { runWharf } from './system';

const DEFAULT_CONFIG = process.env.WHARF_CONFIG ?? resolve(__dirname, '../../config/actors.json');

function exitOnConfigError(err: unknown): never {
  if (err instanceof ConfigError) {
    process.stderr.write(`wharf: ${err.message}\n`);
    process.exit(2);
  }
  throw err;
}

const program = new Command()
  .name('wharf')
  .description('Fault-tolerant ingestion: source pollers -> Kafka -> Elasticsearch and CouchDB')
  .showHelpAfterError()
  .exitOverride((err) => process.exit(err.exitCode === 0 ? 0 : 2));

program
  .command('run', { isDefault: true })
  .description('run wharf until SIGTERM or SIGINT')
  .option('-c, --config <file>', 'configuration file', DEFAULT_CONFIG)
  .option('--pid-file <file>', 'write the process id here, for `wharf reload`', DEFAULT_PID_FILE)
  .action(async (opts: { config: string; pidFile: string }) => {
    writePidFile(opts.pidFile);
    const code = await runWharf(opts.config).catch(exitOnConfigError);
    removePidFile(opts.pidFile);
    process.exit(code);
  });

program
  .command('reload')
  .description('make a running wharf re-read its configuration (SIGHUP); an invalid file is refused and logged')
  .option('--pid-file <file>', 'the running instance\'s pid file', DEFAULT_PID_FILE)
  .action((opts: { pidFile: string }) => {
    const pid = readPidFile(opts.pidFile);
    process.kill(pid, 'SIGHUP');
    process.stdout.write(`sent SIGHUP to wharf (pid ${pid})\n`);
  });

program
  .command('check-config')
  .description('validate a configuration file and print the configuration it resolves to (secrets hidden)')
  .argument('[file]', 'configuration file', DEFAULT_CONFIG)
  .action((file: string) => {
    try {
      const config = loadConfigFile(file);
      const shown = JSON.stringify(config, (key, value: unknown) => (key === 'password' ? '[redacted]' : value), 2);
      process.stdout.write(`${file}: valid\n${shown}\n`);
    } catch (err) {
      exitOnConfigError(err);
    }
  });

const dlq = program.command('dlq').description('the dead-letter topic: what could not be delivered, and why');
dlq
  .command('list')
  .description('print every dead letter as one JSON line (record, stage, error, attempts, time); commits nothing')
  .option('-c, --config <file>', 'configuration file', DEFAULT_CONFIG)
  .action(async (opts: { config: string }) => {
    let config: ReturnType<typeof loadConfigFile>;
    try {
      config = loadConfigFile(opts.config);
    } catch (err) {
      exitOnConfigError(err);
    }
    const kafka = createKafka(config.kafka, createLogger({ level: 'error', destination: pino.destination(2) }), `${config.kafka.clientId}-dlq-list`);
    const letters = await listDeadLetters(kafka, config.kafka.dlqTopic, `${config.kafka.clientId}-dlq-list-${process.pid}-${Date.now()}`);
    for (const letter of letters) process.stdout.write(`${JSON.stringify(letter)}\n`);
    process.stderr.write(`${letters.length} dead letter(s) in ${config.kafka.dlqTopic}\n`);
    process.exit(0);
  });

program
  .command('demo-upstream')
  .description('serve a demo HTTP JSON feed of orders (for scripts/run-local and trying wharf out)')
  .option('--port <port>', 'port on 127.0.0.1', (v) => Number(v), Number(process.env.WHARF_DEMO_PORT ?? 8700))
  .option('--records <n>', 'orders available at start', (v) => Number(v), 500)
  .option('--per-second <n>', 'new orders per second afterwards', (v) => Number(v), 5)
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

program
  .command('config-schema')
  .description('print the JSON Schema of the configuration file (config/actors.schema.json is this output)')
  .action(() => {
    process.stdout.write(`${JSON.stringify(configJsonSchema(), null, 2)}\n`);
  });

program.parseAsync(process.argv).catch((err: unknown) => {
  process.stderr.write(`wharf: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
