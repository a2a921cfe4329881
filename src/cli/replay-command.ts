/** `wharf replay --from <time> [--sink id] [--dry-run]`: re-delivery from Kafka (src/replay/redeliver.ts). */
import type { Command } from 'commander';
import { KafkaClient } from '../kafka/client';
import { rangesFromTime, rangeSize } from '../kafka/range-reader';
import { RecordProducer } from '../kafka/record-producer';
import { redeliver, redeliveryGroupId } from '../replay/redeliver';
import { DEFAULT_CONFIG, intOption, loadConfigOrExit, selectSinks, stderrLogger } from './common';
import { Progress } from './progress';

function parseTime(value: string): Date {
  const time = new Date(value);
  if (!/^\d{4}-\d{2}-\d{2}/.test(value) || Number.isNaN(time.getTime())) {
    process.stderr.write(`wharf: --from: expected an ISO time such as 2026-11-26T08:00:00Z, got "${value}"\n`);
    process.exit(2);
  }
  return time;
}

export function registerReplayCommand(program: Command): void {
  program
    .command('replay')
    .summary('re-deliver records from Kafka since a time to the sinks (all, or one)')
    .description(
      're-deliver every record Kafka holds from a point in time to the sinks (all, or one), through a consumer group of its own whose offsets are moved to that time; documents keep their ids, so nothing is duplicated and the running wharf is undisturbed',
    )
    .requiredOption('--from <time>', 'ISO time: re-deliver records written to Kafka at or after it')
    .option('--sink <id>', 'only this sink')
    .option('-c, --config <file>', 'configuration file', DEFAULT_CONFIG)
    .option('--dry-run', 'print what would be re-delivered per partition; write and move nothing')
    .option('--sink-deadline-ms <ms>', 'how long to retry a sink that is down before giving up (progress is kept)', intOption(1), 600_000)
    .action(async (opts: { from: string; sink?: string; config: string; dryRun?: boolean; sinkDeadlineMs: number }) => {
      const config = loadConfigOrExit(opts.config);
      const from = parseTime(opts.from);
      const sinks = selectSinks(config, opts.sink, opts.config);
      const log = stderrLogger();
      const client = new KafkaClient(config.kafka, log, 'replay');
      const ranges = await rangesFromTime(client, config.kafka.topic, from.getTime());
      const total = rangeSize(ranges);
      const target = sinks.map((s) => s.id).join(', ');
      if (opts.dryRun) {
        for (const r of ranges) process.stdout.write(`${JSON.stringify({ partition: r.partition, fromOffset: r.from.toString(), toOffset: r.to.toString(), records: Number(r.to - r.from) })}\n`);
        process.stdout.write(`${JSON.stringify({ dryRun: true, from: from.toISOString(), sinks: sinks.map((s) => s.id), records: total })}\n`);
        process.exit(0);
      }
      process.stderr.write(`re-delivering ${total} record(s) from ${from.toISOString()} to ${target}\n`);
      const producer = new RecordProducer(client);
      await producer.connect();
      const progress = new Progress(total, 'records');
      try {
        const outcome = await redeliver({
          client,
          producer,
          sinks,
          consumers: config.pipeline.consumers,
          groupId: redeliveryGroupId(config.pipeline.consumers.groupId, opts.sink),
          ranges,
          log,
          sinkDeadlineMs: opts.sinkDeadlineMs,
          onProgress: (n) => progress.advance(n),
        });
        progress.finish();
        process.stdout.write(`${JSON.stringify({ from: from.toISOString(), records: total, written: outcome.written, stale: outcome.stale, deadLettered: outcome.deadLettered })}\n`);
      } finally {
        await producer.disconnect();
      }
      process.exit(0);
    });
}
