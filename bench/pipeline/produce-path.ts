/**
 * The produce path alone: the same records as wharf wire messages (key = record id, value = the
 * JSON envelope, header wharf-source) into a fresh topic, once by wharf's RecordProducer (the
 * poller's settings: idempotent, acks all, gzip; one page a request, each acknowledged before
 * the next, as a poller does) and once by kcat (librdkafka) with the same settings and
 * partitioner, fed `key<TAB>value` lines from a file. Each topic's offsets are checked to hold
 * every record afterwards.
 */
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createKafka, KafkaClient } from '../../src/kafka/client';
import { RecordProducer } from '../../src/kafka/record-producer';
import { ensureTopics } from '../../src/kafka/topics';
import { recordId, toMessage, type WireRecord } from '../../src/records/wire-record';
import { machineBusy, machineCpu, type MachineBusy } from './metrics';
import { SOURCE_ID } from './records';
import { quietLogger, type LocalStack } from './stack';

export interface ProduceRun {
  seconds: number;
  /** CPU of the producing process, where it can be read (wharf's producer runs in the benchmark). */
  cpuSeconds?: number;
  machine: MachineBusy;
}

export interface ProducePath {
  wharf: ProduceRun;
  kcat: ProduceRun;
}

function wireRecord(record: Record<string, unknown>, ingestedAt: string): WireRecord {
  return { id: recordId(SOURCE_ID, String(record.id)), source: SOURCE_ID, ingestedAt, payload: record };
}

export async function measureProducePath(
  stack: LocalStack,
  topics: { wharf: string; kcat: string },
  records: ReadonlyArray<Record<string, unknown>>,
  pageSize: number,
  workDir: string,
): Promise<ProducePath> {
  const kafka = createKafka(stack.config.kafka, quietLogger, 'wharf-bench');
  const admin = kafka.admin();
  await admin.connect();
  try {
    const partitions = stack.config.kafka.partitions;
    await ensureTopics(admin, [{ topic: topics.wharf, numPartitions: partitions }, { topic: topics.kcat, numPartitions: partitions }], quietLogger);
    const ingestedAt = new Date().toISOString();

    const producer = new RecordProducer(new KafkaClient(stack.config.kafka, quietLogger, 'bench'), { sendTimeoutMs: 60_000 });
    await producer.connect();
    let wharf: ProduceRun;
    try {
      const cpuBefore = process.cpuUsage();
      const machineBefore = machineCpu(stack.serverPids);
      const started = performance.now();
      for (let start = 0; start < records.length; start += pageSize) {
        await producer.send(topics.wharf, records.slice(start, start + pageSize).map((r) => toMessage(wireRecord(r, ingestedAt))));
      }
      const cpu = process.cpuUsage(cpuBefore);
      wharf = { seconds: (performance.now() - started) / 1000, cpuSeconds: (cpu.user + cpu.system) / 1e6, machine: machineBusy(machineBefore, machineCpu(stack.serverPids)) };
    } finally {
      await producer.disconnect();
    }

    const lines = join(workDir, 'kcat-input.tsv');
    writeFileSync(lines, records.map((r) => `${recordId(SOURCE_ID, String(r.id))}\t${String(toMessage(wireRecord(r, ingestedAt)).value)}\n`).join(''));
    const kcat = await runKcat(stack, topics.kcat, lines);

    for (const topic of [topics.wharf, topics.kcat]) {
      const offsets = await admin.fetchTopicOffsets(topic);
      const held = offsets.reduce((sum, p) => sum + Number(p.high) - Number(p.low), 0);
      if (held !== records.length) throw new Error(`topic ${topic} holds ${held} records, expected ${records.length}`);
    }
    return { wharf, kcat };
  } finally {
    await admin.disconnect();
  }
}

/** kcat producing every line of `file`; the time includes its start and connection (a few ms). */
function runKcat(stack: LocalStack, topic: string, file: string): Promise<ProduceRun> {
  const args = [
    '-P', '-b', stack.config.kafka.brokers.join(','), '-t', topic, '-K', '\\t', '-z', 'gzip',
    '-X', 'acks=all', '-X', 'enable.idempotence=true', '-X', 'topic.partitioner=murmur2_random',
    '-H', `wharf-source=${SOURCE_ID}`, '-l', file,
  ];
  const machineBefore = machineCpu(stack.serverPids);
  const started = performance.now();
  const child = spawn('kcat', args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((done, fail) => {
    child.on('error', (err) => fail(new Error(`cannot run kcat (Debian package kcat): ${err.message}`)));
    child.on('exit', (code) => {
      if (code === 0 && !/fail|error/i.test(stderr)) done({ seconds: (performance.now() - started) / 1000, machine: machineBusy(machineBefore, machineCpu(stack.serverPids)) });
      else fail(new Error(`kcat ${args.join(' ')} exited ${code}: ${stderr.trim()}`));
    });
  });
}
