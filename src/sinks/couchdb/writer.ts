/**
 * CouchDB sink: `_bulk_docs` with `_id` = the record id. Record ids are namespaced by their
 * source id ("orders:42"), which starts with a letter, so they never start with the "_" that
 * CouchDB reserves; any other character is legal in a CouchDB id.
 *
 * The newest version wins (records/version.ts), race-free under CouchDB's `_rev`
 * compare-and-set. Within a batch only the greatest version of an id is sent (the others are
 * stale). A new document is written at once. On conflict (the id exists) the stored document is
 * fetched and its `wharf.version` compared: a stored newer version makes the record stale (not
 * written, not retried, never dead-lettered); the same version leaves it unchanged, so a
 * re-delivery leaves no new revision (a repair, `replaceSameVersion`, replaces it when its
 * content differs: `sameContent`); an older one (or none: a document written before wharf
 * versioned records) is replaced, naming the stored `_rev`. If another writer got there first,
 * that is a conflict again: re-read and re-compared on the next round. Documents CouchDB
 * refuses (forbidden by a validation function, invalid, too large) are rejected for the
 * dead-letter topic; refused credentials or access give the batch back at once as
 * SinkUnavailableError saying what to fix (answers.ts); retriable failures are retried with
 * backoff up to maxAttempts, then the batch is given back as SinkUnavailableError
 * (sink-writer.ts, sendInBulk). Results are matched to documents by id: pouchdb-server lists
 * the failed documents first.
 */
import type { DocumentScope, ServerScope } from 'nano';
import { createCouchdb } from './client';
import type { CouchdbSinkConfig } from './config';
import { couchRefusal, itemOutcome, itemUnauthorized, requestRefusal, type BulkItem } from './answers';
import { describeError } from '../../errors';
import { sameContent, toDocument } from '../../records/document';
import type { RejectedRecord, SinkRecord } from '../../records/sink-record';
import { compareVersions, storedVersion } from '../../records/version';
import { sendInBulk, SinkUnavailableError, withoutOversized, type SinkWriteResult, type SinkWriter, type WriteOptions } from '../sink-writer';

type Doc = Record<string, unknown> & { _id: string; _rev?: string };

export class CouchdbWriter implements SinkWriter {
  readonly id: string;
  private readonly server: ServerScope;
  private readonly db: DocumentScope<Doc>;

  constructor(private readonly config: CouchdbSinkConfig) {
    this.id = config.id;
    this.server = createCouchdb(config);
    this.db = this.server.use<Doc>(config.db);
  }

  async prepare(): Promise<void> {
    try {
      await this.server.db.create(this.config.db);
    } catch (err) {
      if ((err as { statusCode?: number }).statusCode === 412) return;
      throw this.unavailable(`cannot create database ${this.config.db}`, err);
    }
  }

  async write(batch: readonly SinkRecord[], options: WriteOptions = {}): Promise<SinkWriteResult> {
    // Within one batch the greatest version of an id wins, as it would have in sequence.
    const newest = new Map<string, SinkRecord>();
    for (const record of batch) {
      const kept = newest.get(record.id);
      if (!kept || compareVersions(record.version, kept.version) > 0) newest.set(record.id, record);
    }
    const { sendable: records, rejected } = withoutOversized(this.id, [...newest.values()], this.config.maxDocumentBytes, toDocument);
    const result: SinkWriteResult = { written: 0, unchanged: 0, stale: batch.length - newest.size, rejected };
    for (let start = 0; start < records.length; start += this.config.batchSize) {
      await this.writeChunk(records.slice(start, start + this.config.batchSize), result, options);
    }
    return result;
  }

  async close(): Promise<void> {
    // nano keeps no connection state of its own to release.
  }

  private async writeChunk(records: SinkRecord[], result: SinkWriteResult, options: WriteOptions): Promise<void> {
    await this.writeDocs(
      records.map((record) => ({ record, doc: { _id: record.id, ...toDocument(record) } })),
      result,
      options,
    );
  }

  private writeDocs(docs: Array<{ record: SinkRecord; doc: Doc }>, result: SinkWriteResult, options: WriteOptions): Promise<void> {
    return sendInBulk(
      this.config,
      docs,
      async (pending, attempt) => {
        const items = await this.bulk(pending);
        if ('refused' in items) return items;
        const conflicts: typeof pending = [];
        const failing: typeof pending = [];
        const byId = new Map(pending.map((entry) => [entry.doc._id, entry]));
        items.forEach((item, i) => {
          const entry = (item.id !== undefined ? byId.get(item.id) : undefined) ?? pending[i];
          const outcome = itemOutcome(item);
          if (outcome === 'written') result.written++;
          else if (outcome === 'conflict') conflicts.push(entry);
          else if (outcome === 'unavailable') throw new SinkUnavailableError(this.id, itemUnauthorized(item, this.config.db));
          else if (outcome === 'rejected') result.rejected.push(this.rejection(entry.record, `${item.error}: ${item.reason ?? ''}`, attempt));
          else failing.push(entry);
        });
        const updates = await this.resolveConflicts(conflicts, result, options);
        // Updates of conflicting documents go again at once, with the current revision.
        return { again: [...updates, ...failing], detail: `${failing.length} document(s) failing, ${updates.length} to update after a conflict`, retryAfterMs: failing.length === 0 ? 0 : undefined };
      },
      (one, reason, attempt) => result.rejected.push(this.rejection(one.record, reason, attempt)),
    );
  }

  /** One `_bulk_docs` request: per-document results, or the reason the server refused the whole request. */
  private async bulk(pending: Array<{ doc: Doc }>): Promise<BulkItem[] | { refused: string }> {
    try {
      return await this.db.bulk({ docs: pending.map((p) => p.doc) });
    } catch (err) {
      const refusal = requestRefusal(err as { statusCode?: number; error?: string; reason?: string }, this.config.db);
      if (refusal && 'refused' in refusal) return refusal;
      throw this.unavailable('bulk write failed', err);
    }
  }

  /** Compares conflicting documents' versions with the stored ones; returns those to write again with the current _rev. */
  private async resolveConflicts(
    conflicts: Array<{ record: SinkRecord; doc: Doc }>,
    result: SinkWriteResult,
    options: WriteOptions,
  ): Promise<Array<{ record: SinkRecord; doc: Doc }>> {
    if (conflicts.length === 0) return [];
    const stored = await this.call('fetch current revisions', () => this.db.fetch({ keys: conflicts.map((c) => c.doc._id) }));
    const byId = new Map<string, Doc>();
    for (const row of stored.rows) if ('doc' in row && row.doc) byId.set(row.doc._id, row.doc);
    const updates: Array<{ record: SinkRecord; doc: Doc }> = [];
    for (const conflict of conflicts) {
      const current = byId.get(conflict.doc._id);
      const order = current ? compareVersions(storedVersion((current.wharf as { version?: unknown } | undefined)?.version), conflict.record.version) : -1;
      if (order > 0) result.stale++;
      else if (order === 0 && !(options.replaceSameVersion && !sameContent(current!, conflict.doc))) result.unchanged++;
      else updates.push({ record: conflict.record, doc: { ...conflict.doc, _rev: current?._rev } });
    }
    return updates;
  }

  private async call<T>(what: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      throw this.unavailable(`${what} failed`, err);
    }
  }

  /** A failed request: with what to fix when CouchDB refused access (answers.ts), else the error itself. */
  private unavailable(what: string, err: unknown): SinkUnavailableError {
    return new SinkUnavailableError(this.id, couchRefusal(err, this.config.db) ?? `${what}: ${describeError(err)}`, err);
  }

  private rejection(record: SinkRecord, reason: string, attempts: number): RejectedRecord {
    return { record, sink: this.id, reason, attempts };
  }
}
