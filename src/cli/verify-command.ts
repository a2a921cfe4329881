/** `wharf verify [--sink ID] [--repair] [--json]`: do the sinks hold what Kafka says (src/replay/verify.ts)? */
import type { Command } from 'commander';
import { KafkaClient } from '../kafka/client';
import { rangeSize } from '../kafka/range-reader';
import { RecordProducer } from '../kafka/record-producer';
import { RANGE_PROBLEMS, verifyArchiveRanges, type RangeProblem } from '../replay/archive-ranges';
import { retainedRange } from '../replay/topic-versions';
import { DIFFERENCE_KINDS, REPAIRABLE, verify, type Difference, type VerifyOutcome } from '../replay/verify';
import { repair, type RepairOutcome } from '../replay/verify-repair';
import { intOption, loadConfigOrExit, selectSinks, stderrLogger } from './common';
import { Progress } from './progress';

interface VerifyOpts {
  sink?: string;
  repair?: boolean;
  json?: boolean;
  config: string;
  sinkDeadlineMs: number;
}

export function registerVerifyCommand(program: Command): void {
  program
    .command('verify')
    .summary('compare every sink with the records topic; --repair re-delivers what differs')
    .description(
      'read the records topic over its retained range and compare each sink (all, or one) with it: per record id the newest version and its content. Prints each difference (missing, stale, differs, deleted-but-present, newer, unexpected) and a summary per sink; exit 0 when everything matches, 1 when something differs. Records older than Kafka\'s retention are legitimately gone from the topic: documents of theirs show as "unexpected", and are never deleted',
    )
    .option('--sink <id>', 'only this sink')
    .option('--repair', 're-deliver the newest version of every missing, stale or differing record, through the pipeline\'s delivery path, to the sinks that differ')
    .option('--json', 'one JSON line per difference and one for the summary (and one for the repair)')
    .option('-c, --config <file>', 'configuration file')
    .option('--sink-deadline-ms <ms>', 'with --repair: how long to retry a sink that is down before giving up', intOption(1), 600_000)
    .action(async (opts: VerifyOpts) => {
      const config = loadConfigOrExit(opts.config);
      const sinks = selectSinks(config, opts.sink, opts.config);
      const log = stderrLogger();
      const client = new KafkaClient(config.kafka, log, 'verify');
      const group = (what: string) => `${config.pipeline.consumers.groupId}-${what}-${process.pid}-${Date.now()}`;
      const ranges = await retainedRange(client, group('verify'));
      const total = rangeSize(ranges);
      process.stderr.write(`reading ${total} message(s) of ${config.kafka.topic}, then ${sinks.map((s) => s.id).join(', ')}\n`);
      const progress = new Map<string, Progress>();
      const outcome = await verify({
        client,
        sinks,
        groupId: group('verify'),
        ranges,
        onDifference: (d) => print(opts, d),
        onProgress: (phase, count, expected) => {
          if (!progress.has(phase)) {
            if (phase !== 'topic') progress.get('topic')?.finish();
            progress.set(phase, new Progress(expected, phase === 'topic' ? 'messages' : `documents of ${phase}`));
          }
          progress.get(phase)!.advance(count);
        },
      });
      for (const [phase, bar] of progress) if (phase !== 'topic' || progress.size === 1) bar.finish();
      printSummary(opts, outcome);
      // An archive (hdfs sink) must also hold every offset range once: reported, never repaired.
      let rangesBad = false;
      for (const sink of sinks) {
        if (sink.type !== 'hdfs') continue;
        const summary = await verifyArchiveRanges(sink, config.kafka.topic, ranges, (p) => printRange(opts, p));
        rangesBad ||= RANGE_PROBLEMS.some((k) => summary[k] > 0);
        if (opts.json) process.stdout.write(`${JSON.stringify({ archiveRanges: { sink: sink.id, ...summary } })}\n`);
        else process.stdout.write(`${sink.id} ranges: ${summary.segments} segment(s) (${summary.open} open), ${summary.files} file(s); ${RANGE_PROBLEMS.map((k) => `${k} ${summary[k]}`).join(', ')}\n`);
      }
      const differing = rangesBad || Object.values(outcome.sinks).some((s) => DIFFERENCE_KINDS.some((k) => s[k] > 0));
      if (!opts.repair || outcome.repairs.size === 0) process.exit(differing ? 1 : 0);

      const producer = new RecordProducer(client);
      await producer.connect();
      const repairing = new Progress(outcome.repairs.size, 'records');
      try {
        const repaired = await repair({
          client,
          producer,
          sinks,
          consumers: config.pipeline.consumers,
          plan: outcome.repairs,
          groupId: group('verify-repair'),
          log,
          sinkDeadlineMs: opts.sinkDeadlineMs,
          onProgress: (n) => repairing.advance(n),
        });
        repairing.finish();
        printRepair(opts, repaired);
        const left = rangesBad || Object.values(outcome.sinks).some((s) => DIFFERENCE_KINDS.some((k) => !REPAIRABLE.has(k) && s[k] > 0));
        const short = Object.entries(repaired.requested).some(([sink, n]) => repaired.written[sink] < n) || repaired.deadLettered > 0;
        process.exit(left || short ? 1 : 0);
      } finally {
        await producer.disconnect();
      }
    });
}

function print(opts: VerifyOpts, d: Difference): void {
  if (opts.json) return void process.stdout.write(`${JSON.stringify(d)}\n`);
  const versions = [d.topicVersion === undefined ? '' : `topic v${d.topicVersion}`, d.sinkVersion === undefined ? '' : `sink v${d.sinkVersion ?? '(none)'}`].filter(Boolean).join(', ');
  process.stdout.write(`${d.kind.padEnd(10)} ${d.sink.padEnd(12)} ${d.recordId}${versions ? `  (${versions})` : ''}\n`);
}

function printRange(opts: VerifyOpts, p: RangeProblem): void {
  if (opts.json) return void process.stdout.write(`${JSON.stringify(p)}\n`);
  process.stdout.write(`${p.kind.padEnd(10)} ${p.sink.padEnd(12)} partition ${p.partition} offsets ${p.from}-${p.to}${p.detail ? `  (${p.detail})` : ''}\n`);
}

function printSummary(opts: VerifyOpts, outcome: VerifyOutcome): void {
  const { records, messages, unreadable, sinks } = outcome;
  if (opts.json) return void process.stdout.write(`${JSON.stringify({ summary: { records, messages, unreadable, sinks } })}\n`);
  process.stdout.write(`${records} record id(s) in ${messages} message(s) of the topic's retained range (${unreadable} not wharf records)\n`);
  for (const [sink, s] of Object.entries(sinks)) {
    const kinds = DIFFERENCE_KINDS.map((k) => `${k} ${s[k]}`).join(', ');
    process.stdout.write(`${sink}: checked ${s.checked}, matching ${s.matching}; ${kinds}\n`);
  }
}

function printRepair(opts: VerifyOpts, repaired: RepairOutcome): void {
  if (opts.json) return void process.stdout.write(`${JSON.stringify({ repaired })}\n`);
  for (const [sink, n] of Object.entries(repaired.requested)) {
    process.stdout.write(`repaired ${sink}: ${repaired.written[sink]} of ${n} re-delivered (${repaired.stale[sink]} stale)\n`);
  }
  if (repaired.deadLettered > 0) process.stdout.write(`${repaired.deadLettered} record(s) refused again: see wharf dlq list\n`);
}
