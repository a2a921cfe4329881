/**
 * `wharf lag [--group G]... [--json]`: per group, topic and partition, the committed offset, the
 * partition's end, the lag and the member consuming it, as `kafka-consumer-groups --describe`
 * shows them (src/kafka/consumer-lag.ts, the same computation as wharf_consumer_lag_records).
 */
import type { Command } from 'commander';
import { KafkaClient } from '../kafka/client';
import { describeLag, type GroupLag } from '../kafka/consumer-lag';
import { loadConfigOrExit, stderrLogger } from './common';
import { renderTable } from './render-table';

interface LagOpts {
  config: string;
  group?: string[];
  json?: boolean;
}

export function registerLagCommand(program: Command): void {
  program
    .command('lag')
    .summary('consumer lag per group, topic and partition (like kafka-consumer-groups --describe)')
    .description(
      'per consumer group, topic and partition: committed offset, end offset, lag and the member consuming it (like kafka-consumer-groups --describe). Default group: pipeline.consumers.groupId',
    )
    .option('--group <id>', 'a consumer group to describe (repeatable)', (value: string, previous: string[] = []) => [...previous, value])
    .option('--json', 'one JSON line per partition, then one per group with its totals')
    .option('-c, --config <file>', 'configuration file')
    .action(async (opts: LagOpts) => {
      const config = loadConfigOrExit(opts.config);
      const groups = opts.group ?? [config.pipeline.consumers.groupId];
      const described = await describeLag(new KafkaClient(config.kafka, stderrLogger('error'), 'lag'), groups, config.kafka.topic);
      if (opts.json) printJson(described);
      else printTable(described);
      process.exit(0);
    });
}

const totalLag = (group: GroupLag) => group.partitions.reduce((sum, p) => sum + p.lag, 0n);

function printJson(groups: GroupLag[]): void {
  for (const group of groups) {
    for (const p of group.partitions) {
      process.stdout.write(
        `${JSON.stringify({ group: p.group, topic: p.topic, partition: p.partition, committed: p.committed?.toString() ?? null, end: p.end.toString(), lag: Number(p.lag), memberId: p.member?.memberId ?? null, clientId: p.member?.clientId ?? null, host: p.member?.host ?? null })}\n`,
      );
    }
    process.stdout.write(`${JSON.stringify({ group: group.group, state: group.state, members: group.members, partitions: group.partitions.length, lag: Number(totalLag(group)) })}\n`);
  }
}

function printTable(groups: GroupLag[]): void {
  const out: string[] = [];
  for (const group of groups) {
    out.push(`group ${group.group}: ${group.state}, ${group.members} member(s), lag ${totalLag(group)}`);
    if (group.partitions.length === 0) {
      out.push('  (no committed offsets and no assignment)', '');
      continue;
    }
    const rows = group.partitions.map((p) => [
      p.topic,
      String(p.partition),
      p.committed?.toString() ?? '-',
      p.end.toString(),
      p.lag.toString(),
      p.member?.memberId ?? '-',
      p.member?.host ?? '-',
      p.member?.clientId ?? '-',
    ]);
    out.push(...renderTable(['TOPIC', 'PARTITION', 'CURRENT-OFFSET', 'LOG-END-OFFSET', 'LAG', 'CONSUMER-ID', 'HOST', 'CLIENT-ID'], rows).map((l) => `  ${l}`), '');
  }
  process.stdout.write(`${out.join('\n')}`);
}
