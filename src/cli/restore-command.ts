/**
 * `wharf restore --from-archive --sink ID [--source ID] [--from DAY] [--to DAY] [--dry-run]`:
 * re-delivery from the HDFS archive (src/replay/restore.ts). Progress goes to stderr; each
 * finished file is noted in a state file, so Ctrl-C (or a sink down past the deadline) stops it
 * and the same command run again resumes; a run that finishes removes the state file.
 */
import { appendFileSync, existsSync, readFileSync, rmSync } from 'node:fs';
import type { Command } from 'commander';
import type { WharfConfig } from '../config/schema';
import { KafkaClient } from '../kafka/client';
import { RecordProducer } from '../kafka/record-producer';
import { filesToRestore, restoreFromArchive } from '../replay/restore';
import type { HdfsSinkConfig } from '../sinks/hdfs/config';
import { loadConfigOrExit, selectSinks, stderrLogger } from './common';
import { Progress } from './progress';

interface RestoreOptions {
  fromArchive?: boolean;
  archive?: string;
  sink: string;
  source?: string;
  from?: string;
  to?: string;
  config: string;
  dryRun?: boolean;
  state?: string;
  sinkDeadlineMs: number;
}

function fail(message: string): never {
  process.stderr.write(`wharf: ${message}\n`);
  process.exit(2);
}

function day(option: string, value: string | undefined): string | undefined {
  if (value !== undefined && (!/^\d{4}-\d{2}-\d{2}$/.test(value) || Number.isNaN(Date.parse(value)))) fail(`${option}: expected a day such as 2026-11-30, got "${value}"`);
  return value;
}

function archiveOf(config: WharfConfig, id: string | undefined, file: string): HdfsSinkConfig {
  const archives = config.sinks.filter((s): s is HdfsSinkConfig => s.type === 'hdfs' && (id === undefined || s.id === id));
  if (archives.length === 1) return archives[0];
  if (archives.length === 0) fail(`--archive: no hdfs sink${id ? ` "${id}"` : ''} in ${file}`);
  return fail(`--archive: ${file} has several hdfs sinks (${archives.map((a) => a.id).join(', ')}); name one`);
}

export function registerRestoreCommand(program: Command): void {
  program
    .command('restore')
    .summary('re-deliver archived documents from the HDFS archive into one sink')
    .description('re-deliver what the HDFS archive holds into one sink through the pipeline\'s delivery path (the newest version wins); for when Kafka no longer holds the records. Interrupt with Ctrl-C and run again to resume.')
    .option('--from-archive', 'read from the HDFS archive (the only source restore knows)')
    .option('--archive <id>', 'which hdfs sink is the archive, when there are several')
    .requiredOption('--sink <id>', 'the sink to restore into')
    .option('--source <id>', 'only documents of this source')
    .option('--from <day>', 'only documents ingested on or after this day (YYYY-MM-DD, UTC)')
    .option('--to <day>', 'only documents ingested on or before this day (YYYY-MM-DD, UTC)')
    .option('-c, --config <file>', 'configuration file')
    .option('--dry-run', 'list the files that would be restored; write nothing')
    .option('--state <file>', 'where finished files are noted, to resume (default: wharf-restore-<archive>-<sink>.state here)')
    .option('--sink-deadline-ms <ms>', 'how long to retry a sink that is down before giving up (progress is kept)', (v) => Number(v), 600_000)
    .action(async (opts: RestoreOptions) => {
      if (!opts.fromArchive) fail('restore: --from-archive is required (the archive is the only source restore reads)');
      const config = loadConfigOrExit(opts.config);
      const archive = archiveOf(config, opts.archive, opts.config);
      const [sink] = selectSinks(config, opts.sink, opts.config);
      if (sink.type === 'hdfs') fail(`--sink: ${sink.id} is an archive; restore into a sink that serves documents`);
      const filter = { source: opts.source, fromDay: day('--from', opts.from), toDay: day('--to', opts.to) };
      const statePath = opts.state ?? `wharf-restore-${archive.id}-${sink.id}.state`;
      const finished = new Set(existsSync(statePath) ? readFileSync(statePath, 'utf8').split('\n').filter(Boolean) : []);
      const files = (await filesToRestore(archive, filter)).filter((f) => !finished.has(f.path));
      if (opts.dryRun) {
        for (const f of files) process.stdout.write(`${JSON.stringify({ path: f.path, source: f.source, day: f.day, partition: f.partition, first: String(f.first), last: String(f.last), bytes: f.bytes })}\n`);
        process.stdout.write(`${JSON.stringify({ dryRun: true, archive: archive.id, sink: sink.id, files: files.length, bytes: files.reduce((n, f) => n + f.bytes, 0), alreadyRestored: finished.size })}\n`);
        process.exit(0);
      }
      process.stderr.write(`restoring ${files.length} file(s) from archive ${archive.id} (${archive.path}) into ${sink.id}${finished.size ? `, resuming after ${finished.size} finished` : ''}\n`);
      const log = stderrLogger();
      const client = new KafkaClient(config.kafka, log, 'restore');
      const producer = new RecordProducer(client);
      await producer.connect();
      const stop = new AbortController();
      process.once('SIGINT', () => stop.abort());
      process.once('SIGTERM', () => stop.abort());
      const progress = new Progress(files.length, 'files');
      try {
        const outcome = await restoreFromArchive({
          job: { client, producer, consumers: config.pipeline.consumers, log, sinkDeadlineMs: opts.sinkDeadlineMs, onProgress: (n) => progress.advance(n) },
          archive,
          sink,
          files,
          signal: stop.signal,
          onFileDone: (file) => appendFileSync(statePath, `${file.path}\n`),
        });
        progress.finish();
        process.stdout.write(`${JSON.stringify({ archive: archive.id, sink: sink.id, files: outcome.files, documents: outcome.documents, written: outcome.written[sink.id], stale: outcome.stale[sink.id], deadLettered: outcome.deadLettered, interrupted: outcome.interrupted })}\n`);
        if (outcome.interrupted) {
          process.stderr.write(`restore interrupted after ${outcome.files} of ${files.length} file(s); run the same command again to resume (state: ${statePath})\n`);
          process.exit(130);
        }
        rmSync(statePath, { force: true });
      } finally {
        await producer.disconnect();
      }
      process.exit(0);
    });
}
