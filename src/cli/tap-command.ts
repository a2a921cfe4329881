/** `wharf tap SOURCE [--limit N] [--from-beginning]`: a source's records as they flow through Kafka (src/replay/record-tap.ts). */
import type { Command } from 'commander';
import { KafkaClient } from '../kafka/client';
import { tapRecords } from '../replay/record-tap';
import { intOption, loadConfigOrExit, sourceOrExit, stderrLogger, stopOnSignals } from './common';

interface TapOpts {
  config: string;
  limit?: number;
  fromBeginning?: boolean;
}

export function registerTapCommand(program: Command): void {
  program
    .command('tap')
    .summary("a source's records as they flow through Kafka")
    .description(
      "print a source's records as JSON lines as they flow through the records topic (id, version, partition, offset, size, payload), until Ctrl-C or --limit; reads through a throwaway consumer group and moves no offsets",
    )
    .argument('<source>', 'source id')
    .option('--limit <n>', 'stop after n records', intOption(1))
    .option('--from-beginning', 'start with what the topic still holds instead of what arrives from now on')
    .option('-c, --config <file>', 'configuration file')
    .action(async (source: string, opts: TapOpts) => {
      const config = loadConfigOrExit(opts.config);
      sourceOrExit(config, source, opts.config);
      const stop = stopOnSignals();
      let printed = 0;
      await tapRecords(new KafkaClient(config.kafka, stderrLogger('error'), 'tap'), {
        source,
        groupId: `${config.kafka.clientId}-tap-${process.pid}-${Date.now()}`,
        fromBeginning: opts.fromBeginning === true,
        signal: stop.signal,
        onReady: (partitions) =>
          process.stderr.write(`tapping source ${source} on ${config.kafka.topic} (${partitions} partitions) ${opts.fromBeginning ? 'from the beginning' : 'from now on'}; Ctrl-C stops\n`),
        onRecord: (record) => {
          process.stdout.write(`${JSON.stringify(record)}\n`);
          if (++printed === opts.limit) stop.abort();
        },
      });
      process.stderr.write(`${printed} record(s) of ${source}\n`);
      process.exit(0);
    });
}
