/** `wharf purge-tombstones --older-than <duration> [--sink ID] [--dry-run] [--force]` (src/replay/purge-tombstones.ts). */
import type { Command } from 'commander';
import { describeError } from '../errors';
import { KafkaClient } from '../kafka/client';
import { topicRetentionMs } from '../kafka/topics';
import { purgeCutoff } from '../replay/purge-tombstones';
import { tombstonePurge } from '../sinks/registry';
import { parseDuration } from '../util/duration';
import { loadConfigOrExit, selectSinks, stderrLogger } from './common';

interface PurgeOpts {
  olderThan: string;
  sink?: string;
  dryRun?: boolean;
  force?: boolean;
  config: string;
}

export function registerPurgeCommand(program: Command): void {
  program
    .command('purge-tombstones')
    .summary('remove the tombstone documents of old deletions')
    .description(
      'remove the tombstone documents (Elasticsearch) of deletions fetched more than --older-than ago. Refused when that is within the retention of the records or dead-letter topic, since a replay could then bring a deleted document back. Sinks that keep deletions as the server\'s own (CouchDB) have none. Prints one JSON line per sink',
    )
    .requiredOption('--older-than <duration>', 'age of the tombstones to remove: e.g. 7d, 36h, 90m')
    .option('--sink <id>', 'only this sink')
    .option('--dry-run', 'count what would be removed; remove nothing')
    .option('--force', 'purge even within the topics\' retention')
    .option('-c, --config <file>', 'configuration file')
    .action(async (opts: PurgeOpts) => {
      const config = loadConfigOrExit(opts.config);
      const olderThanMs = parseDuration(opts.olderThan);
      if (olderThanMs === undefined) {
        process.stderr.write(`wharf: --older-than: expected a duration such as 7d, 36h, 90m, 3600s, got "${opts.olderThan}"\n`);
        process.exit(2);
      }
      const sinks = selectSinks(config, opts.sink, opts.config);
      const client = new KafkaClient(config.kafka, stderrLogger('error'), 'purge-tombstones');
      const cutoff = purgeCutoff(olderThanMs, await topicRetentionMs(client, [config.kafka.topic, config.kafka.dlqTopic]), opts.force === true);
      if ('refused' in cutoff) {
        process.stderr.write(`wharf: purge refused: ${cutoff.refused}\n`);
        process.exit(1);
      }
      let failed = false;
      for (const sink of sinks) {
        const purge = tombstonePurge(sink);
        if (!purge) {
          process.stdout.write(`${JSON.stringify({ sink: sink.id, tombstones: 'none kept (deletions are the server\'s own)' })}\n`);
          continue;
        }
        try {
          const count = await purge({ before: cutoff.before, dryRun: opts.dryRun === true });
          process.stdout.write(`${JSON.stringify({ sink: sink.id, before: cutoff.before.toISOString(), [opts.dryRun ? 'wouldPurge' : 'purged']: count })}\n`);
        } catch (err) {
          failed = true;
          process.stderr.write(`wharf: sink ${sink.id}: purge failed: ${describeError(err)}\n`);
        }
      }
      process.exit(failed ? 1 : 0);
    });
}
