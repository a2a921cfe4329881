/**
 * `wharf replay --from <time> [--to <time>] [--source id] [--sink id] [--dry-run]`: re-delivery
 * from Kafka (src/replay/redeliver.ts). Times are ISO, or durations before now ("2h", "30m", "1d").
 */
import type { Command } from 'commander';
import { KafkaClient } from '../kafka/client';
import { rangesFromTime, rangeSize } from '../kafka/range-reader';
import { RecordProducer } from '../kafka/record-producer';
import { redeliver, redeliveryGroupId } from '../replay/redeliver';
import { parsePointInTime } from '../util/duration';
import { intOption, loadConfigOrExit, selectSinks, sourceOrExit, stderrLogger } from './common';
import { Progress } from './progress';

interface ReplayOpts {
  from: string;
  to?: string;
  source?: string;
  sink?: string;
  config: string;
  dryRun?: boolean;
  sinkDeadlineMs: number;
}

function timeOrExit(flag: string, value: string, now: number): Date {
  const time = parsePointInTime(value, now);
  if (!time) {
    process.stderr.write(`wharf: ${flag}: expected an ISO time such as 2026-11-26T08:00:00Z or a time ago such as 2h, 30m, 1d, got "${value}"\n`);
    process.exit(2);
  }
  return time;
}

export function registerReplayCommand(program: Command): void {
  program
    .command('replay')
    .summary('re-deliver records from Kafka since a time to the sinks (all, or one)')
    .description(
      're-deliver every record Kafka holds from a point in time (up to another) to the sinks (all, or one), through a consumer group of its own whose offsets are moved to that time; documents keep their ids, so nothing is duplicated and the running wharf is undisturbed',
    )
    .requiredOption('--from <time>', 're-deliver records written to Kafka at or after it: an ISO time, or a time ago (2h, 30m, 1d)')
    .option('--to <time>', 'and before it (ISO or a time ago); default: up to what Kafka holds now')
    .option('--source <id>', 'only records of this source')
    .option('--sink <id>', 'only this sink')
    .option('-c, --config <file>', 'configuration file')
    .option('--dry-run', 'print what would be re-delivered per partition; write and move nothing')
    .option('--sink-deadline-ms <ms>', 'how long to retry a sink that is down before giving up (progress is kept)', intOption(1), 600_000)
    .action(async (opts: ReplayOpts) => {
      const config = loadConfigOrExit(opts.config);
      const now = Date.now();
      const from = timeOrExit('--from', opts.from, now);
      const to = opts.to === undefined ? undefined : timeOrExit('--to', opts.to, now);
      if (to && to <= from) {
        process.stderr.write(`wharf: --to (${to.toISOString()}) must be after --from (${from.toISOString()})\n`);
        process.exit(2);
      }
      if (opts.source) sourceOrExit(config, opts.source, opts.config);
      // An HDFS archive already holds every offset the pipeline delivered, and a second writer of
      // its partitions would race the pipeline's (docs/hdfs-archive.md): only when named.
      const sinks = selectSinks(config, opts.sink, opts.config).filter((s) => opts.sink !== undefined || s.type !== 'hdfs');
      const log = stderrLogger();
      const client = new KafkaClient(config.kafka, log, 'replay');
      const ranges = await rangesFromTime(client, config.kafka.topic, from.getTime(), to?.getTime());
      const total = rangeSize(ranges);
      const window = { from: from.toISOString(), ...(to ? { to: to.toISOString() } : {}), ...(opts.source ? { source: opts.source } : {}) };
      if (opts.dryRun) {
        for (const r of ranges) process.stdout.write(`${JSON.stringify({ partition: r.partition, fromOffset: r.from.toString(), toOffset: r.to.toString(), records: Number(r.to - r.from) })}\n`);
        // With --source, `records` counts every message of the window: the source's are picked while reading.
        process.stdout.write(`${JSON.stringify({ dryRun: true, ...window, sinks: sinks.map((s) => s.id), records: total })}\n`);
        process.exit(0);
      }
      const what = opts.source ? `of source ${opts.source} among ${total} record(s)` : `${total} record(s)`;
      process.stderr.write(`re-delivering ${what} from ${window.from}${to ? ` to ${window.to}` : ''} to ${sinks.map((s) => s.id).join(', ')}\n`);
      const producer = new RecordProducer(client);
      await producer.connect();
      const progress = new Progress(total, 'records');
      try {
        const outcome = await redeliver({
          client,
          producer,
          sinks,
          source: opts.source,
          consumers: config.pipeline.consumers,
          groupId: redeliveryGroupId(config.pipeline.consumers.groupId, opts.sink),
          ranges,
          log,
          sinkDeadlineMs: opts.sinkDeadlineMs,
          onProgress: (n) => progress.advance(n),
        });
        progress.finish();
        process.stdout.write(`${JSON.stringify({ ...window, records: total, written: outcome.written, stale: outcome.stale, deadLettered: outcome.deadLettered })}\n`);
      } finally {
        await producer.disconnect();
      }
      process.exit(0);
    });
}
