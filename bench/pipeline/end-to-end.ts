/**
 * wharf end to end: a real `wharf run` with one http-json source (prepared-upstream.ts: the
 * benchmark's records in pages rendered in advance) and both sinks, into topics, a consumer group, a znode root, an
 * index and a database of its own. The database is created first, as the direct loader's is,
 * and wharf creates its index (a store index behind an alias) at start: neither is measured.
 *
 * The window opens when the records appear upstream, once wharf is healthy and its consumer
 * group is stable (so neither start-up nor the first rebalance is measured), and closes at the
 * first metrics sample in which both sinks acknowledged every record (the same moment the direct
 * loader's figure ends: acknowledged, not yet searchable). The documents are then counted in
 * both servers. Metrics are sampled every SAMPLE_MS: the source's produced count (intake done),
 * each sink's written count, and every process's CPU time and resident memory.
 */
import { join } from 'node:path';
import { createCouchdb } from '../../src/sinks/couchdb/client';
import { createKafka } from '../../src/kafka/client';
import { sleep } from '../../src/retry/retry';
import { machineBusy, machineCpu, resources, scrape, total, type MachineBusy, type Resources, type Sample } from './metrics';
import { PreparedUpstream } from './prepared-upstream';
import { INDEX_MAPPINGS, SOURCE_ID } from './records';
import { countDocuments, type SinkNames } from './sink-counts';
import { quietLogger, type LocalStack } from './stack';
import { startWharf, type Placement, type WharfChild } from './wharf-child';

const SAMPLE_MS = 250;
const CONSUMERS = 2;
const POLL_INTERVAL_MS = 100;

export interface EndToEndNames extends SinkNames {
  topic: string;
  dlqTopic: string;
  groupId: string;
  zookeeperRoot: string;
}

export interface Timed {
  count: number;
  seconds: number;
}

export interface EndToEnd extends Resources {
  /** From the records appearing upstream until both sinks acknowledged all of them. */
  seconds: number;
  /** Until Kafka acknowledged every record from the source. */
  intakeSeconds: number;
  elasticsearchSeconds: number;
  couchdbSeconds: number;
  /** What each sink had acknowledged when intake finished (the backlog the sinks still had then). */
  writtenAtIntakeDone: Map<string, number>;
  /** The poller's produce requests in the window: how many, and seconds waiting for Kafka's acks. */
  produceRequests: Timed;
  /** Each sink's writes (one a Kafka batch, of one or more bulk requests): how many, and seconds in them, summed over concurrent partitions. */
  sinkWrites: Map<string, Timed>;
  /** CPU of the benchmark's own process in the window (it serves the upstream and samples). */
  benchCpuSeconds: number;
  /** The machine in the window: every process (servers, wharf, this benchmark, anything else running). */
  machine: MachineBusy;
  samples: number;
  deadLetters: number;
  /** wharf's warn/error log lines in the window, by message (retries explain slow runs). */
  problems: Map<string, number>;
}

export async function runEndToEnd(
  stack: LocalStack,
  names: EndToEndNames,
  records: ReadonlyArray<Record<string, unknown>>,
  options: { batchSize: number; pageSize: number; workDir: string; placement?: Placement },
): Promise<EndToEnd> {
  const upstream = new PreparedUpstream(records, options.pageSize);
  await upstream.start();
  let wharf: WharfChild | undefined;
  try {
    // wharf creates its own index (a store index behind an alias, with the same mappings) at start, before the window.
    await createCouchdb(stack.couchdb).db.create(names.database);
    wharf = startWharf(stack, join(options.workDir, 'wharf'), {
      ...names,
      consumers: CONSUMERS,
      placement: options.placement,
      sources: [{ id: SOURCE_ID, type: 'http-json', url: upstream.url, intervalMs: POLL_INTERVAL_MS }],
      sinks: [
        { ...stack.elasticsearch, index: names.index, mappings: INDEX_MAPPINGS, batchSize: options.batchSize },
        { ...stack.couchdb, db: names.database, batchSize: options.batchSize },
      ],
    });
    return await measure(stack, names, records, upstream, wharf);
  } finally {
    await wharf?.stop();
    await upstream.stop();
  }
}

async function measure(stack: LocalStack, names: EndToEndNames, records: ReadonlyArray<Record<string, unknown>>, upstream: PreparedUpstream, wharf: WharfChild): Promise<EndToEnd> {
  const [listening] = await Promise.all([wharf.logged('ops endpoints listening', 60_000), wharf.logged('wharf healthy', 180_000)]);
  const opsUrl = String(listening.url);
  await untilGroupStable(stack, names.groupId);

  const problemsBefore = new Map(wharf.problems);
  const samples: Sample[] = [await scrape(opsUrl)];
  upstream.open();
  const opened = performance.now();
  const benchCpu = process.cpuUsage();
  const machineBefore = machineCpu(stack.serverPids);
  const deadline = Date.now() + 120_000 + records.length * 10;
  const produced = (s: Sample) => total(s, 'wharf_source_records_produced_total', { source: SOURCE_ID });
  const written = (s: Sample, sink: string) => total(s, 'wharf_sink_records_written_total', { sink });
  const firstAt = new Map<string, number>();
  const sinks = [stack.elasticsearch.id, stack.couchdb.id];
  const writtenAtIntakeDone = new Map<string, number>();
  const mark = (what: string, reached: boolean, at: number) => {
    if (reached && !firstAt.has(what)) firstAt.set(what, (at - opened) / 1000);
  };
  for (;;) {
    await sleep(Math.max(0, samples[samples.length - 1].at + SAMPLE_MS - performance.now()));
    const sample = await scrape(opsUrl);
    samples.push(sample);
    mark('intake', produced(sample) >= records.length, sample.at);
    if (firstAt.has('intake') && writtenAtIntakeDone.size === 0) for (const sink of sinks) writtenAtIntakeDone.set(sink, written(sample, sink));
    mark('elasticsearch', written(sample, stack.elasticsearch.id) >= records.length, sample.at);
    mark('couchdb', written(sample, stack.couchdb.id) >= records.length, sample.at);
    if (firstAt.has('elasticsearch') && firstAt.has('couchdb')) break;
    if (Date.now() > deadline) {
      throw new Error(
        `wharf did not deliver ${records.length} records in time: produced ${produced(sample)}, written ${written(sample, stack.elasticsearch.id)} (Elasticsearch), ${written(sample, stack.couchdb.id)} (CouchDB)`,
      );
    }
  }
  const last = samples[samples.length - 1];
  const { user, system } = process.cpuUsage(benchCpu);
  const machine = machineBusy(machineBefore, machineCpu(stack.serverPids));
  const counts = await countDocuments(stack, names);
  if (counts.elasticsearch !== records.length || counts.couchdb !== records.length) {
    throw new Error(`wharf acknowledged every record, yet Elasticsearch holds ${counts.elasticsearch} and CouchDB ${counts.couchdb} of ${records.length}`);
  }
  return {
    ...resources(samples),
    seconds: (last.at - opened) / 1000,
    intakeSeconds: firstAt.get('intake') ?? NaN,
    elasticsearchSeconds: firstAt.get('elasticsearch')!,
    couchdbSeconds: firstAt.get('couchdb')!,
    produceRequests: timed(samples, 'wharf_produce_duration_seconds', { topic: names.topic }),
    writtenAtIntakeDone,
    sinkWrites: new Map(sinks.map((sink) => [sink, timed(samples, 'wharf_sink_bulk_duration_seconds', { sink })])),
    benchCpuSeconds: (user + system) / 1e6,
    machine,
    samples: samples.length,
    deadLetters: total(last, 'wharf_dead_letters_total'),
    problems: new Map([...wharf.problems].map(([msg, n]) => [msg, n - (problemsBefore.get(msg) ?? 0)] as const).filter(([, n]) => n > 0)),
  };
}

/** A histogram's count and sum over the window. */
function timed(samples: readonly Sample[], histogram: string, where: Record<string, string>): Timed {
  const [first, last] = [samples[0], samples[samples.length - 1]];
  const delta = (suffix: string) => total(last, `${histogram}${suffix}`, where) - total(first, `${histogram}${suffix}`, where);
  return { count: delta('_count'), seconds: delta('_sum') };
}

/** Waits until every consumer of the group has its partitions (the first rebalance is over). */
async function untilGroupStable(stack: LocalStack, groupId: string, timeoutMs = 90_000): Promise<void> {
  const admin = createKafka(stack.config.kafka, quietLogger, 'wharf-bench-admin').admin();
  await admin.connect();
  try {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const { groups } = await admin.describeGroups([groupId]);
      const group = groups[0];
      if (group?.state === 'Stable' && group.members.length === CONSUMERS && group.members.every((m) => m.memberAssignment.length > 0)) return;
      if (Date.now() > deadline) throw new Error(`consumer group ${groupId} not stable within ${timeoutMs} ms (state ${group?.state}, ${group?.members.length} members)`);
      await sleep(200);
    }
  } finally {
    await admin.disconnect();
  }
}
