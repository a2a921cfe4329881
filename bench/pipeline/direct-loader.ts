/**
 * The ceiling: the least a loader can do to put the same documents into both sinks. Elasticsearch
 * `_bulk` index operations with `_id` and CouchDB `_bulk_docs` with `_id`, `batchSize` documents
 * a request, each sink one request at a time, both sinks at once; no Kafka, no retries, no
 * conflict handling. Documents are built batch by batch inside the timed part, as wharf does.
 * Without a database, Elasticsearch alone (the Kafka -> Elasticsearch ceiling).
 *
 * `newestWins` adds what any loader needs for the newest version to win, as wharf does it:
 * Elasticsearch external versions, and CouchDB reading what it holds for the batch's ids
 * (`_all_docs` with the keys and their documents) before `_bulk_docs`. On pouchdb-server that
 * read costs about as much CPU per document as the write itself, so this second ceiling shows
 * which part of wharf's gap is the read and which is wharf.
 */
import { createCouchdb } from '../../src/sinks/couchdb/client';
import { createElasticsearch } from '../../src/sinks/elasticsearch/client';
import { machineBusy, machineCpu, type MachineBusy } from './metrics';
import { benchDocument, INDEX_MAPPINGS } from './records';
import { countDocuments, type SinkNames } from './sink-counts';
import type { LocalStack } from './stack';

export interface DirectLoad {
  /** Until both sinks acknowledged every document. */
  seconds: number;
  elasticsearchSeconds: number;
  couchdbSeconds: number;
  /** CPU of the loader's own process (the benchmark) over the load. */
  clientCpuSeconds: number;
  machine: MachineBusy;
}

export async function loadDirectly(
  stack: LocalStack,
  target: SinkNames | { index: string; database?: undefined },
  records: ReadonlyArray<Record<string, unknown>>,
  batchSize: number,
  options: { newestWins?: boolean } = {},
): Promise<DirectLoad> {
  const es = createElasticsearch(stack.elasticsearch);
  const couch = createCouchdb(stack.couchdb);
  try {
    await es.indices.create({ index: target.index, mappings: INDEX_MAPPINGS });
    if (target.database !== undefined) await couch.db.create(target.database);
    const ingestedAt = new Date().toISOString();
    const batches = Array.from({ length: Math.ceil(records.length / batchSize) }, (_, i) => records.slice(i * batchSize, (i + 1) * batchSize));
    const cpuBefore = process.cpuUsage();
    const machineBefore = machineCpu(stack.serverPids);
    const started = performance.now();
    const timed = async (load: () => Promise<void>) => {
      await load();
      return (performance.now() - started) / 1000;
    };
    const [elasticsearchSeconds, couchdbSeconds] = await Promise.all([
      timed(async () => {
        for (const batch of batches) {
          const response = await es.bulk({
            operations: batch.flatMap((record) => {
              const { id, doc } = benchDocument(record, ingestedAt);
              const versioned = options.newestWins ? { version: Number(record.id), version_type: 'external' as const } : {};
              return [{ index: { _index: target.index, _id: id, ...versioned } }, doc];
            }),
          });
          if (response.errors) {
            const failed = response.items.find((item) => item.index?.error);
            throw new Error(`Elasticsearch refused a document: ${JSON.stringify(failed?.index?.error)}`);
          }
        }
      }),
      timed(async () => {
        if (target.database === undefined) return;
        const db = couch.use<Record<string, unknown>>(target.database);
        for (const batch of batches) {
          const docs = batch.map((record) => {
            const { id, doc } = benchDocument(record, ingestedAt);
            return { _id: id, ...doc };
          });
          if (options.newestWins) await db.fetch({ keys: docs.map((d) => d._id) });
          const items = await db.bulk({ docs });
          const failed = items.find((item) => item.error);
          if (failed) throw new Error(`CouchDB refused a document: ${failed.error}: ${failed.reason}`);
        }
      }),
    ]);
    const seconds = Math.max(elasticsearchSeconds, couchdbSeconds);
    const cpu = process.cpuUsage(cpuBefore);
    const machine = machineBusy(machineBefore, machineCpu(stack.serverPids));
    const counts = await countDocuments(stack, target);
    if (counts.elasticsearch !== records.length || (target.database !== undefined && counts.couchdb !== records.length)) {
      throw new Error(`direct load left ${counts.elasticsearch} documents in Elasticsearch and ${counts.couchdb} in CouchDB, expected ${records.length}`);
    }
    return { seconds, elasticsearchSeconds, couchdbSeconds, clientCpuSeconds: (cpu.user + cpu.system) / 1e6, machine };
  } finally {
    await es.close();
  }
}
