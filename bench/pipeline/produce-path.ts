/**
 * The produce path: the same records into a fresh topic, once by wharf's source poller and once
 * by kcat (librdkafka), with the same settings: idempotent, acks=all, gzip at wharf's configured
 * level, the same (murmur2) partitioner, the same wire messages (key = record id, value = the
 * JSON envelope, header wharf-source).
 *
 * wharf: a `wharf run` with one http-json source (bench/pipeline/prepared-upstream.ts: the records in pages rendered in advance)
 * and no partition consumer (`consumers.count` 0), so that the poller alone works; the window
 * opens when the records appear upstream and closes at the first metrics sample in which the
 * source's produced count holds them all; CPU and peak RSS of all its processes from its
 * /metrics. kcat: fed `key<TAB>value` lines from a file; from its start to its exit, CPU and
 * peak RSS from GNU time. Each topic's offsets are checked to hold every record afterwards.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createKafka } from '../../src/kafka/client';
import { ensureTopics } from '../../src/kafka/topics';
import { recordId, toMessage, type WireRecord } from '../../src/records/wire-record';
import { PreparedUpstream } from './prepared-upstream';
import { MeasuredProcess } from './measured-process';
import { resources, sampleUntil, total, type Resources } from './metrics';
import { SOURCE_ID } from './records';
import { quietLogger, type LocalStack } from './stack';
import { startWharf } from './wharf-child';

/** One tool's figures for one run: wall time, CPU seconds and peak RSS of all its processes. */
export interface ToolRun {
  seconds: number;
  /** Documents the window counts (a window opened after a tool started delivering counts fewer than N). */
  count: number;
  cpuSeconds: number;
  peakRssBytes: number;
}

export interface ProducePath {
  wharf: ToolRun & Pick<Resources, 'peakRssBytesByProcess'>;
  kcat: ToolRun;
}

export interface ProduceNames {
  wharfTopic: string;
  kcatTopic: string;
  dlqTopic: string;
  zookeeperRoot: string;
  groupId: string;
}

export function wireRecord(record: Record<string, unknown>, ingestedAt: string): WireRecord {
  return { id: recordId(SOURCE_ID, String(record.id)), source: SOURCE_ID, ingestedAt, payload: record };
}

/** The records as kcat input lines, `key<TAB>value`, in a file under `workDir`. */
export function kcatInput(records: ReadonlyArray<Record<string, unknown>>, workDir: string, name: string): string {
  const file = join(workDir, `${name}.tsv`);
  const ingestedAt = new Date().toISOString();
  writeFileSync(file, records.map((r) => `${recordId(SOURCE_ID, String(r.id))}\t${String(toMessage(wireRecord(r, ingestedAt)).value)}\n`).join(''));
  return file;
}

export async function measureProducePath(
  stack: LocalStack,
  names: ProduceNames,
  records: ReadonlyArray<Record<string, unknown>>,
  options: { pageSize: number; workDir: string; kcatFile: string },
): Promise<ProducePath> {
  const kafka = createKafka(stack.config.kafka, quietLogger, 'wharf-bench');
  const admin = kafka.admin();
  await admin.connect();
  try {
    const partitions = stack.config.kafka.partitions;
    await ensureTopics(admin, [{ topic: names.wharfTopic, numPartitions: partitions }, { topic: names.kcatTopic, numPartitions: partitions }], quietLogger);
    const wharf = await producedByPoller(stack, names, records, options);
    const kcat = await runKcat(stack, names.kcatTopic, options.kcatFile, records.length, options.workDir);
    for (const topic of [names.wharfTopic, names.kcatTopic]) {
      const offsets = await admin.fetchTopicOffsets(topic);
      const held = offsets.reduce((sum, p) => sum + Number(p.high) - Number(p.low), 0);
      if (held !== records.length) throw new Error(`topic ${topic} holds ${held} records, expected ${records.length}`);
    }
    return { wharf, kcat };
  } finally {
    await admin.disconnect();
  }
}

async function producedByPoller(stack: LocalStack, names: ProduceNames, records: ReadonlyArray<Record<string, unknown>>, options: { pageSize: number; workDir: string }): Promise<ProducePath['wharf']> {
  const upstream = new PreparedUpstream(records, options.pageSize);
  await upstream.start();
  const wharf = startWharf(stack, join(options.workDir, `wharf-${names.wharfTopic}`), {
    topic: names.wharfTopic,
    dlqTopic: names.dlqTopic,
    zookeeperRoot: names.zookeeperRoot,
    groupId: names.groupId,
    consumers: 0,
    sources: [{ id: SOURCE_ID, type: 'http-json', url: upstream.url, intervalMs: 100 }],
    sinks: [stack.elasticsearch],
  });
  try {
    const [listening] = await Promise.all([wharf.logged('ops endpoints listening', 60_000), wharf.logged('wharf healthy', 180_000)]);
    const produced = (s: Parameters<typeof total>[0]) => total(s, 'wharf_source_records_produced_total', { source: SOURCE_ID });
    const sampling = sampleUntil(String(listening.url), produced, records.length, 120_000 + records.length * 10);
    upstream.open();
    const opened = performance.now();
    const window = await sampling;
    const used = resources(window.samples);
    return { seconds: (window.doneAt - opened) / 1000, count: records.length, cpuSeconds: used.cpuSeconds, peakRssBytes: used.peakRssBytes, peakRssBytesByProcess: used.peakRssBytesByProcess };
  } finally {
    await wharf.stop();
    await upstream.stop();
  }
}

/** kcat producing every line of `file` (its start and connection included: a few ms). */
export async function runKcat(stack: LocalStack, topic: string, file: string, count: number, workDir: string): Promise<ToolRun> {
  const args = [
    '-P', '-b', stack.config.kafka.brokers.join(','), '-t', topic, '-K', '\t',
    '-z', stack.config.kafka.compression, '-X', `compression.level=${stack.config.kafka.compressionLevel}`,
    '-X', 'acks=all', '-X', 'enable.idempotence=true', '-X', 'topic.partitioner=murmur2_random',
    '-H', `wharf-source=${SOURCE_ID}`, '-l', file,
  ];
  const started = performance.now();
  const usage = await new MeasuredProcess('kcat', args, join(workDir, `kcat-${topic}.usage`)).exited;
  const seconds = (performance.now() - started) / 1000;
  if (usage.exitCode !== 0 || /fail|error/i.test(usage.stderr)) throw new Error(`kcat ${args.join(' ')} exited ${usage.exitCode}: ${usage.stderr.trim()}`);
  return { seconds, count, cpuSeconds: usage.cpuSeconds, peakRssBytes: usage.peakRssBytes };
}
