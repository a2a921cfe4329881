/** `wharf dlq list` and `wharf dlq replay`. */
import type { Command } from 'commander';
import { KafkaClient } from '../kafka/client';
import { rangeSize } from '../kafka/range-reader';
import { RecordProducer } from '../kafka/record-producer';
import { ensureWharfTopics } from '../kafka/topics';
import { listDeadLetters } from '../replay/dlq-list';
import { planDlqReplay, replayDeadLetters, replayGroupId } from '../replay/dlq-replay';
import { DEFAULT_CONFIG, loadConfigOrExit, stderrLogger } from './common';
import { Progress } from './progress';

export function registerDlqCommands(program: Command): void {
  const dlq = program.command('dlq').description('the dead-letter topic: what could not be delivered, and why');

  dlq
    .command('list')
    .description('print every dead letter as one JSON line (record, stage, error, attempts, time); commits nothing')
    .option('-c, --config <file>', 'configuration file', DEFAULT_CONFIG)
    .action(async (opts: { config: string }) => {
      const config = loadConfigOrExit(opts.config);
      const client = new KafkaClient(config.kafka, stderrLogger('error'), 'dlq-list');
      const letters = await listDeadLetters(client, config.kafka.dlqTopic, `${config.kafka.clientId}-dlq-list-${process.pid}-${Date.now()}`);
      for (const letter of letters) process.stdout.write(`${JSON.stringify(letter)}\n`);
      process.stderr.write(`${letters.length} dead letter(s) in ${config.kafka.dlqTopic}\n`);
      process.exit(0);
    });

  dlq
    .command('replay')
    .summary('send dead letters back through the pipeline once the cause is fixed')
    .description(
      'send dead letters not replayed before back to the records topic, once the cause is fixed; each sink writes them under their own ids (no duplicates). Raw upstream items that never became records are listed, not replayed',
    )
    .option('-c, --config <file>', 'configuration file', DEFAULT_CONFIG)
    .option('--stage <stage>', 'only letters of this stage: a sink id, "intake" or "consume"')
    .option('--source <id>', 'only letters of this source')
    .option('--dry-run', 'show what would be replayed; produce and commit nothing')
    .action(async (opts: { config: string; stage?: string; source?: string; dryRun?: boolean }) => {
      const config = loadConfigOrExit(opts.config);
      const log = stderrLogger();
      const client = new KafkaClient(config.kafka, log, 'dlq-replay');
      // A dry run reads the same range through a throwaway group, so the real progress stays put.
      const group = replayGroupId(config.pipeline.consumers.groupId);
      const readGroup = opts.dryRun ? `${group}-dry-run-${process.pid}-${Date.now()}` : group;
      const ranges = await planDlqReplay(client, group);
      const total = rangeSize(ranges);
      process.stderr.write(`${total} dead letter(s) not replayed yet in ${config.kafka.dlqTopic}${opts.dryRun ? ' (dry run)' : ''}\n`);
      let producer: RecordProducer | undefined;
      if (!opts.dryRun && total > 0) {
        await ensureWharfTopics(client);
        producer = new RecordProducer(client);
        await producer.connect();
      }
      const progress = new Progress(total, 'letters');
      try {
        const outcome = await replayDeadLetters(client, producer, readGroup, ranges, { stage: opts.stage, source: opts.source }, (n) => progress.advance(n));
        progress.finish();
        for (const item of outcome.notReplayable) process.stdout.write(`${JSON.stringify({ notReplayable: item })}\n`);
        process.stdout.write(
          `${JSON.stringify({ dryRun: Boolean(opts.dryRun), considered: outcome.considered, [opts.dryRun ? 'wouldReplay' : 'replayed']: outcome.replayed, notReplayable: outcome.notReplayable.length, skippedByFilter: outcome.skippedByFilter })}\n`,
        );
      } finally {
        await producer?.disconnect();
      }
      process.exit(0);
    });
}
