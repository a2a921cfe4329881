/**
 * Kafka -> Elasticsearch alone: N records already in a topic of the configured partitions (put
 * there once per invocation by kcat), read into a fresh index by:
 *   - the ceiling: a minimal loader bulk-writing the same documents straight into Elasticsearch
 *     (direct-loader.ts without CouchDB; no Kafka at all);
 *   - wharf: `wharf run` with no source and only the Elasticsearch sink (its default topology:
 *     two partition consumers), a consumer group of its own;
 *   - Benthos (benthos.ts), a consumer group of its own.
 * Each run writes into an index of its own with the same mappings, created before the window
 * (wharf creates its own at start: a store index behind an alias). A consumer
 * starts delivering as soon as it joins, so wharf's and Benthos's windows both open at the first
 * sample in which their output count moved, and close when it reached N: docs/s = the documents
 * in between / the time in between (sampled every 250 ms for wharf, 100 ms for Benthos).
 */
import { join } from 'node:path';
import { createElasticsearch } from '../../src/sinks/elasticsearch/client';
import { createKafka } from '../../src/kafka/client';
import { ensureTopics } from '../../src/kafka/topics';
import { runBenthos } from './benthos';
import { resources, sampleUntil, total } from './metrics';
import { runKcat, type ToolRun } from './produce-path';
import { INDEX_MAPPINGS } from './records';
import { countDocuments } from './sink-counts';
import { quietLogger, type LocalStack } from './stack';
import { startWharf, type Placement } from './wharf-child';

/** Puts the records into `topic` (created with the configured partitions) with kcat. */
export async function fillTopic(stack: LocalStack, topic: string, kcatFile: string, count: number, workDir: string): Promise<void> {
  const admin = createKafka(stack.config.kafka, quietLogger, 'wharf-bench').admin();
  await admin.connect();
  try {
    await ensureTopics(admin, [{ topic, numPartitions: stack.config.kafka.partitions }], quietLogger);
    await runKcat(stack, topic, kcatFile, count, workDir);
  } finally {
    await admin.disconnect();
  }
}

export interface ConsumeNames {
  topic: string;
  index: string;
  groupId: string;
  dlqTopic: string;
  zookeeperRoot: string;
}

async function createIndex(stack: LocalStack, index: string): Promise<void> {
  const es = createElasticsearch(stack.elasticsearch);
  await es.indices.create({ index, mappings: INDEX_MAPPINGS }).finally(() => es.close());
}

async function checkCount(stack: LocalStack, index: string, count: number, who: string): Promise<void> {
  const { elasticsearch } = await countDocuments(stack, { index });
  if (elasticsearch !== count) throw new Error(`${who} acknowledged every document, yet the index holds ${elasticsearch} of ${count}`);
}

/** wharf creates its index (a store index behind an alias, same mappings) at start: `names.index` must not exist. */
export async function wharfToElasticsearch(
  stack: LocalStack,
  names: ConsumeNames,
  count: number,
  options: { batchSize: number; workDir: string; placement?: Placement },
): Promise<ToolRun> {
  const wharf = startWharf(stack, join(options.workDir, `wharf-${names.index}-${options.placement ?? 'forked'}`), {
    ...names,
    placement: options.placement,
    sinks: [{ ...stack.elasticsearch, index: names.index, mappings: INDEX_MAPPINGS, batchSize: options.batchSize }],
  });
  try {
    const listening = await wharf.logged('ops endpoints listening', 60_000);
    const written = (s: Parameters<typeof total>[0]) => total(s, 'wharf_sink_records_written_total', { sink: stack.elasticsearch.id });
    const window = await sampleUntil(String(listening.url), written, count, 180_000 + count * 10).catch((err: Error) => {
      throw new Error(`${err.message}; wharf's warnings and errors: ${[...wharf.problems].map(([m, k]) => `${k}x ${m}`).join('; ') || 'none'}`);
    });
    const from = window.samples.findIndex((s) => s.at === window.firstAt);
    const used = resources(window.samples.slice(from));
    await checkCount(stack, names.index, count, 'wharf');
    return { seconds: (window.doneAt - window.firstAt) / 1000, count: count - window.firstCount, cpuSeconds: used.cpuSeconds, peakRssBytes: used.peakRssBytes };
  } finally {
    await wharf.stop();
  }
}

export async function benthosToElasticsearch(stack: LocalStack, binary: string, names: ConsumeNames, count: number, options: { batchSize: number; workDir: string }): Promise<ToolRun> {
  await createIndex(stack, names.index);
  const target = { brokers: stack.config.kafka.brokers, topic: names.topic, groupId: names.groupId, elasticsearchUrl: stack.elasticsearch.node, index: names.index, batchSize: options.batchSize };
  const run = await runBenthos(binary, target, count, options.workDir);
  await checkCount(stack, names.index, count, 'Benthos');
  return { seconds: run.seconds, count: run.count, cpuSeconds: run.usage.cpuSeconds, peakRssBytes: run.usage.peakRssBytes };
}
