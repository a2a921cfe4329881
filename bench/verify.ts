/**
 * `wharf verify` benchmark (not a test), on the local stack: RECORDS records of ~1 KB produced
 * to a records topic of its own (6 partitions), then, in one run and on the same data:
 *   1. ceiling: reading the topic's retained range alone (a throwaway group, no parsing);
 *   2. ceiling: listing each sink alone (its SinkReader, no comparison), and the topic read plus
 *      the slowest listing (verify lists the sinks at the same time);
 *   3. `verify --repair` on empty sinks: every record missing in both, re-delivered through
 *      the delivery path (this is also how the sinks get filled);
 *   4. `verify` of both sinks holding everything: read, hash, list and compare (the headline).
 * Rates are records (record ids) per second. Everything it creates is removed at the end.
 *
 * Run: npm run bench:verify [-- <records>]
 */
import { KafkaClient } from '../src/kafka/client';
import { rangeSize, readRanges } from '../src/kafka/range-reader';
import { RecordProducer } from '../src/kafka/record-producer';
import { ensureWharfTopics } from '../src/kafka/topics';
import { recordId, toMessage } from '../src/records/wire-record';
import { retainedRange } from '../src/replay/topic-versions';
import { verify, type VerifyOutcome } from '../src/replay/verify';
import { repair } from '../src/replay/verify-repair';
import { createSinkReader, type SinkConfig } from '../src/sinks/registry';
import { benchRecord, INDEX_MAPPINGS, SOURCE_ID } from './pipeline/records';
import { Leftovers, localStack, quietLogger, runName } from './pipeline/stack';

const RECORDS = Number(process.argv[2] ?? 50_000);
const PRODUCE_BATCH = 1000;

async function timed<T>(work: () => Promise<T>): Promise<{ seconds: number; value: T }> {
  const started = performance.now();
  const value = await work();
  return { seconds: (performance.now() - started) / 1000, value };
}

async function main(): Promise<void> {
  const stack = localStack();
  const name = runName();
  const leftovers = new Leftovers(stack);
  const kafka = { ...stack.config.kafka, topic: `${name}.records`, dlqTopic: `${name}.dlq`, partitions: 6 };
  const sinks: SinkConfig[] = [
    { ...stack.elasticsearch, index: name, mappings: { ...INDEX_MAPPINGS } },
    { ...stack.couchdb, db: name },
  ];
  leftovers.topics.add(kafka.topic).add(kafka.dlqTopic);
  leftovers.indices.add(name);
  leftovers.databases.add(name);
  const client = new KafkaClient(kafka, quietLogger, 'bench-verify');
  const producer = new RecordProducer(client);
  const group = (what: string) => `${name}-${what}`;
  const rows: Array<{ row: string; seconds: number; perSecond: number }> = [];
  const row = (label: string, seconds: number, count: number) => rows.push({ row: label, seconds: Number(seconds.toFixed(2)), perSecond: Math.round(count / seconds) });
  try {
    await ensureWharfTopics(client);
    await producer.connect();
    const ingestedAt = new Date().toISOString();
    for (let start = 1; start <= RECORDS; start += PRODUCE_BATCH) {
      const batch = Array.from({ length: Math.min(PRODUCE_BATCH, RECORDS - start + 1) }, (_, i) => benchRecord(start + i));
      await producer.send(kafka.topic, batch.map((payload) => toMessage({ id: recordId(SOURCE_ID, String(payload.id)), source: SOURCE_ID, ingestedAt, payload })));
    }
    process.stderr.write(`produced ${RECORDS} records to ${kafka.topic}\n`);

    const ranges = await retainedRange(client, group('plan'));
    const read = await timed(() => readRanges(client, { topic: kafka.topic, groupId: group('read'), ranges, throwawayGroup: true, onBatch: () => Promise.resolve() }));
    row('ceiling: read the topic range alone', read.seconds, rangeSize(ranges));

    const run = (what: string) => verify({ client, sinks, groupId: group(what), ranges, onDifference: () => undefined, onProgress: () => undefined });
    const first = await timed(async () => {
      const outcome = await run('verify-empty');
      const repaired = await repair({
        client,
        producer,
        sinks,
        consumers: stack.config.pipeline.consumers,
        plan: outcome.repairs,
        groupId: group('repair'),
        log: quietLogger,
        sinkDeadlineMs: 60_000,
        onProgress: () => undefined,
      });
      return { outcome, repaired };
    });
    expectCounts(first.value.outcome, 'missing', RECORDS);
    row('verify --repair, both sinks empty (re-delivers everything)', first.seconds, RECORDS);

    let slowestListing = 0;
    for (const sink of sinks) {
      const listed = await timed(async () => {
        const reader = createSinkReader(sink);
        let n = 0;
        for await (const stored of reader.scan()) if (stored.id) n++;
        await reader.close();
        return n;
      });
      row(`ceiling: list ${sink.type} alone`, listed.seconds, listed.value);
      slowestListing = Math.max(slowestListing, listed.seconds);
    }
    // verify reads the topic, then lists every sink at the same time.
    row('ceiling: topic read + slowest listing', read.seconds + slowestListing, RECORDS);

    const matching = await timed(() => run('verify-full'));
    expectCounts(matching.value, 'matching', RECORDS);
    row('verify, both sinks matching', matching.seconds, RECORDS);

    console.table(rows);
    process.stdout.write(`${JSON.stringify({ bench: 'verify', records: RECORDS, rows })}\n`);
  } finally {
    await producer.disconnect();
    const failures = await leftovers.removeAll();
    if (failures.length > 0) process.stderr.write(`could not remove: ${failures.join('; ')}\n`);
  }
}

function expectCounts(outcome: VerifyOutcome, kind: 'missing' | 'matching', count: number): void {
  for (const [sink, summary] of Object.entries(outcome.sinks)) {
    if (summary[kind] !== count) throw new Error(`${sink}: expected ${count} ${kind}, got ${JSON.stringify(summary)}`);
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    process.stderr.write(`bench:verify failed: ${err instanceof Error ? err.stack : String(err)}\n`);
    process.exit(1);
  },
);
