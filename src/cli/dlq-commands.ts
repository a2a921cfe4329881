/** `wharf dlq list` and `wharf dlq replay`. */
import type { Command } from 'commander';
import { KafkaClient } from '../kafka/client';
import { rangeSize } from '../kafka/range-reader';
import { RecordProducer } from '../kafka/record-producer';
import { ensureWharfTopics } from '../kafka/topics';
import { listDeadLetters, planDlqList, type DlqSummary } from '../replay/dlq-list';
import { planDlqReplay, replayDeadLetters, replayGroupId } from '../replay/dlq-replay';
import { intOption, loadConfigOrExit, stderrLogger, stopOnSignals } from './common';
import { Progress } from './progress';
import { renderTable } from './render-table';

interface DlqListOpts {
  config: string;
  stage?: string;
  source?: string;
  limit?: number;
  follow?: boolean;
  json?: boolean;
}

export function registerDlqCommands(program: Command): void {
  const dlq = program.command('dlq').description('the dead-letter topic: what could not be delivered, and why');

  dlq
    .command('list')
    .description(
      'stream the dead letters as JSON lines (record, stage, error, attempts, time, dlq position) and end with a count by error; commits nothing, so it can be run any time',
    )
    .option('--stage <stage>', 'only letters of this stage: a sink id, "intake" or "consume"')
    .option('--source <id>', 'only letters of this source')
    .option('--limit <n>', 'stop after n letters', intOption(1))
    .option('--follow', 'after the letters already there, go on with new ones until Ctrl-C')
    .option('--json', 'the summary as one JSON line on stdout instead of text on stderr')
    .option('-c, --config <file>', 'configuration file')
    .action(async (opts: DlqListOpts) => {
      const config = loadConfigOrExit(opts.config);
      const client = new KafkaClient(config.kafka, stderrLogger('error'), 'dlq-list');
      const topic = config.kafka.dlqTopic;
      const groupId = `${config.kafka.clientId}-dlq-list-${process.pid}-${Date.now()}`;
      const stop = stopOnSignals();
      const ranges = await planDlqList(client, topic, groupId);
      if (ranges.length === 0) {
        process.stderr.write(`no dead-letter topic ${topic} (nothing was ever dead-lettered)\n`);
        process.exit(0);
      }
      // Progress only when the letters go to a file or a pipe: on a terminal they are the progress.
      const progress = opts.follow || process.stdout.isTTY ? undefined : new Progress(rangeSize(ranges), 'letters');
      let listed = 0;
      const summary = await listDeadLetters(client, ranges, {
        topic,
        groupId,
        filter: { stage: opts.stage, source: opts.source },
        follow: opts.follow === true,
        signal: stop.signal,
        onLetter: (letter) => {
          process.stdout.write(`${JSON.stringify(letter)}\n`);
          if (++listed === opts.limit) stop.abort();
        },
        onRead: (n) => progress?.advance(n),
      });
      progress?.finish();
      printListSummary(summary, topic, opts, listed === opts.limit);
      process.exit(0);
    });

  dlq
    .command('replay')
    .summary('send dead letters back through the pipeline once the cause is fixed')
    .description(
      'send dead letters not replayed before back to the records topic, once the cause is fixed; each sink writes them under their own ids (no duplicates). Raw upstream items that never became records are listed, not replayed',
    )
    .option('-c, --config <file>', 'configuration file')
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

function printListSummary(summary: DlqSummary, topic: string, opts: DlqListOpts, limited: boolean): void {
  if (opts.json) return void process.stdout.write(`${JSON.stringify({ summary: { topic, ...summary, limited } })}\n`);
  const filtered = opts.stage !== undefined || opts.source !== undefined;
  const lines = [`${summary.read} dead letter(s) read from ${topic}${filtered ? `, ${summary.matched} matching` : ''}${limited ? ` (stopped at --limit ${opts.limit})` : ''}`];
  if (summary.errors.length > 0) {
    lines.push('by error:', ...renderTable(['COUNT', 'STAGE', 'ERROR'], summary.errors.map((e) => [String(e.count), e.stage, e.error])).map((l) => `  ${l}`));
  }
  if (summary.otherErrors > 0) lines.push(`  ${summary.otherErrors} more letter(s) with other errors`);
  process.stderr.write(`${lines.join('\n')}\n`);
}
