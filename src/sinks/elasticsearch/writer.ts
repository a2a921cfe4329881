/**
 * Elasticsearch sink: `_bulk` index operations with `_id` = the record id, so a re-delivered
 * record overwrites its document instead of duplicating it, and with the record's version as
 * an external version (`version_type: external`, op_type index), so Elasticsearch writes it
 * only if it is newer than the stored one. A tombstone is indexed the same way, as a document
 * that the sink's alias hides from searches (store-index.ts).
 *
 * Per item: 2xx is written; 409 version_conflict_engine_exception means Elasticsearch holds a
 * newer or the same version: the record is stale, which is done (not retried, never
 * dead-lettered); 408/429/5xx is retried (only those items, with backoff, up to
 * maxAttempts, then the whole batch is given back as SinkUnavailableError); a write block, a
 * closed index or refused credentials (answers.ts), for the request or any item, give the
 * batch back as SinkUnavailableError at once, saying what to fix; any other status (mapping
 * conflict, invalid document) can never succeed and is rejected for the dead-letter topic with
 * Elasticsearch's reason, while the rest of the batch is indexed. A document over
 * maxDocumentBytes is rejected before it is sent. A request too large for the server (413) is
 * split in halves.
 *
 * Requests go through a limiter (adaptive/limiter.ts): at most its limit in flight, each of at
 * most its batch size (and maxBulkBytes), the chunks of one batch sent concurrently within
 * that limit. A whole request answered 429 or 503, items answered 429 (not a write block) or
 * 503, and timeouts are back pressure: the limit and size shrink. A request refused whole with
 * 429 or 503 is retried as its items are (all of them again, with backoff), not the batch at
 * once; retried items are counted.
 *
 * A repair (`wharf verify --repair`, `replaceSameVersion`) indexes with `external_gte` instead,
 * so the same version replaces the stored document: Elasticsearch cannot compare content inside
 * a bulk request, and a repair sends only records found differing.
 */
import { createHash } from 'node:crypto';
import { errors, type Client } from '@elastic/elasticsearch';
import { createElasticsearch } from './client';
import type { ElasticsearchSinkConfig } from './config';
import { describeError, OperationAbortedError } from '../../errors';
import { METRICS } from '../../metrics/catalog';
import { counter } from '../../metrics/process-registry';
import type { BackPressure } from '../adaptive/controller';
import { RequestLimiter, type Judged } from '../adaptive/limiter';
import { documentText, toDocument } from '../../records/document';
import { credentialsOf, esRefusal, itemOutcome, type EsError } from './answers';
import { prepareStore, storeIndexName } from './store-index';
import { newestPerId, type RejectedRecord, type SinkRecord } from '../../records/sink-record';
import { sendInBulk, SinkUnavailableError, withoutOversized, type SinkWriteResult, type SinkWriter, type WriteOptions } from '../sink-writer';

/** Elasticsearch refuses ids over 512 bytes. */
const MAX_ID_BYTES = 512;

export function elasticsearchId(recordId: string): string {
  if (Buffer.byteLength(recordId) <= MAX_ID_BYTES) return recordId;
  return `${recordId.slice(0, recordId.indexOf(':') + 1)}sha256:${createHash('sha256').update(recordId).digest('hex')}`;
}

type VersionType = 'external' | 'external_gte';

/**
 * The version as the bulk line carries it: the decimal string, which Elasticsearch parses as a
 * long (a JSON number would lose precision past 2^53); the client's type says number.
 */
function externalVersion(record: SinkRecord): number {
  return record.version as unknown as number;
}

export class ElasticsearchWriter implements SinkWriter {
  readonly id: string;
  private readonly client: Client;
  private readonly store: string;
  private readonly limiter: RequestLimiter;

  constructor(private readonly config: ElasticsearchSinkConfig) {
    this.id = config.id;
    this.client = createElasticsearch(config);
    this.store = storeIndexName(config.index);
    this.limiter = new RequestLimiter(config.id, config.adaptiveConcurrency, config.batchSize, { maxRecordsPerSecond: config.maxDocsPerSecond });
  }

  /** Concurrent requests and records per request allowed now (adaptive/limiter.ts). */
  get limits(): { concurrency: number; batchSize: number } {
    return { concurrency: this.limiter.limit, batchSize: this.limiter.batchSize };
  }

  async prepare(): Promise<void> {
    let problem: string | undefined;
    try {
      problem = await prepareStore(this.client, this.config);
    } catch (err) {
      throw this.unavailable('cannot create the index', err);
    }
    if (problem) throw new SinkUnavailableError(this.id, problem);
  }

  async write(batch: readonly SinkRecord[], options: WriteOptions = {}): Promise<SinkWriteResult> {
    // The chunks go concurrently, so an id's older copy could land first: only its newest is sent.
    const newest = newestPerId(batch);
    const { sendable, rejected } = withoutOversized(this.id, newest, this.config.maxDocumentBytes, toDocument);
    const result: SinkWriteResult = { written: 0, unchanged: 0, stale: batch.length - newest.length, rejected };
    const versionType = options.replaceSameVersion ? 'external_gte' : 'external';
    // Every chunk runs to its end before the batch fails: none is left in flight behind a retry of the batch.
    const settled = await Promise.allSettled(bulkChunks(sendable, this.limiter.batchSize, this.config.maxBulkBytes).map((chunk) => this.writeChunk(chunk, result, versionType, options.signal)));
    const failed = settled.find((s) => s.status === 'rejected');
    if (failed) throw failed.reason;
    return result;
  }

  async close(): Promise<void> {
    this.limiter.close();
    await this.client.close();
  }

  private writeChunk(records: SinkRecord[], result: SinkWriteResult, versionType: VersionType, signal?: AbortSignal): Promise<void> {
    const reject = (record: SinkRecord, reason: string, attempt: number, status = 413) => result.rejected.push(this.rejection(record, reason, status, attempt));
    return sendInBulk(
      this.config,
      records,
      async (pending, attempt) => {
        const response = await this.bulk(pending, versionType, signal);
        if (response === 'too-large') return { refused: 'request too large for the server (413)' };
        const failing: Array<{ record: SinkRecord; status: number; reason: string }> = [];
        response.items.forEach((item, i) => {
          const op = item.index!;
          const outcome = itemOutcome(this.config.index, op.status, op.error, credentialsOf(this.config));
          if (outcome.kind === 'written') result.written++;
          else if (outcome.kind === 'stale') result.stale++;
          else if (outcome.kind === 'unavailable') throw new SinkUnavailableError(this.id, outcome.reason);
          else if (outcome.kind === 'again') failing.push({ record: pending[i], status: op.status, reason: outcome.reason });
          else reject(pending[i], outcome.reason, attempt, op.status);
        });
        for (const { status } of failing) counter(METRICS.sinkItemsRetried).inc({ sink: this.id, status: String(status) });
        const statuses = [...new Set(failing.map((f) => f.status))].join(', ');
        return { again: failing.map((f) => f.record), detail: `${failing.length} item(s) failing (status ${statuses}): ${failing[0]?.reason}` };
      },
      reject,
    );
  }

  private async bulk(records: SinkRecord[], versionType: VersionType, signal?: AbortSignal): Promise<BulkItems | 'too-large'> {
    try {
      const operations = records.flatMap((r) => [{ index: { _index: this.store, _id: elasticsearchId(r.id), version: externalVersion(r), version_type: versionType } }, documentText(r)]);
      return await this.limiter.run(() => this.client.bulk({ operations }), backPressure, records.length, signal);
    } catch (err) {
      if (err instanceof OperationAbortedError) throw err; // given up while paced: never sent
      if (err instanceof errors.ResponseError && err.statusCode === 413) return 'too-large';
      const pushedBack = backPressure({ error: err });
      // Refused whole for load: each item is retried as if refused alone, so one chunk's 429 does not fail the whole batch.
      if (err instanceof errors.ResponseError && (pushedBack === 'rejected' || pushedBack === 'overloaded')) {
        const error = (err.body as { error?: EsError } | undefined)?.error ?? { type: `status ${err.statusCode}` };
        return { items: records.map(() => ({ index: { status: err.statusCode!, error } })) };
      }
      throw this.unavailable('bulk request failed', err);
    }
  }

  private rejection(record: SinkRecord, reason: string, status: number, attempts: number): RejectedRecord {
    return { record, sink: this.id, reason, status, attempts };
  }

  /** The request failed: with what to fix when Elasticsearch said (answers.ts), else the error itself. */
  private unavailable(what: string, err: unknown): SinkUnavailableError {
    return new SinkUnavailableError(this.id, esRefusal(this.config, err) ?? `${what}: ${describeError(err)}`, err);
  }
}

/** Bytes a document takes in a request besides its Kafka message (the action line, the wharf object). */
const ACTION_LINE_BYTES = 200;

/** The batch cut into requests of at most `size` records and about `maxBytes` (at least one record each). */
export function bulkChunks(records: readonly SinkRecord[], size: number, maxBytes: number): SinkRecord[][] {
  const chunks: SinkRecord[][] = [];
  let chunk: SinkRecord[] = [];
  let bytes = 0;
  for (const record of records) {
    const estimate = (record.wireBytes ?? Buffer.byteLength(JSON.stringify(record.payload))) + ACTION_LINE_BYTES;
    if (chunk.length > 0 && (chunk.length >= size || bytes + estimate > maxBytes)) {
      chunks.push(chunk);
      chunk = [];
      bytes = 0;
    }
    chunk.push(record);
    bytes += estimate;
  }
  if (chunk.length > 0) chunks.push(chunk);
  return chunks;
}

type BulkItems = { items: Array<{ index?: { status: number; error?: EsError } }> };

/**
 * Whether Elasticsearch pushed back: 429 (es_rejected_execution_exception: its write queue is
 * full) for the request or any item, 503, or no answer in time. A 429 that is a write block
 * (cluster_block_exception) is no load to back off from: the sink is unavailable (answers.ts).
 */
function backPressure(outcome: Judged<BulkItems>): BackPressure | undefined {
  if ('value' in outcome) {
    const statuses = outcome.value.items.map((item) => (item.index?.error?.type === 'cluster_block_exception' ? 0 : (item.index?.status ?? 0)));
    if (statuses.includes(429)) return 'rejected';
    return statuses.includes(503) ? 'overloaded' : undefined;
  }
  const err = outcome.error;
  if (err instanceof errors.TimeoutError) return 'timeout';
  if (!(err instanceof errors.ResponseError)) return undefined;
  const type = (err.body as { error?: { type?: string } } | undefined)?.error?.type;
  if (err.statusCode === 429 && type !== 'cluster_block_exception') return 'rejected';
  return err.statusCode === 503 ? 'overloaded' : undefined;
}
