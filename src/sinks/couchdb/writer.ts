/**
 * CouchDB sink: `_bulk_docs` with `_id` = the record id. Record ids are namespaced by their
 * source id ("orders:42"), which starts with a letter, so they never start with the "_" that
 * CouchDB reserves; any other character is legal in a CouchDB id.
 *
 * The newest version wins (records/version.ts), race-free under CouchDB's `_rev`
 * compare-and-set. Within a batch only the greatest version of an id is sent (the others are
 * stale). Before writing, what the database holds for the batch's ids is read (stored-state.ts,
 * deleted documents included) and each record compared with it: a stored newer version makes
 * the record stale (not written, not retried, never dead-lettered); the same version leaves it
 * unchanged, so a re-delivery leaves no new revision (a repair, `replaceSameVersion`, replaces
 * it when its content differs: `sameContent`); an older one (or none: a document written
 * before wharf versioned records, or deleted by hand) is replaced, naming the stored `_rev`; an
 * id never written is created. A tombstone is written as a CouchDB deletion (`_deleted`) that
 * keeps its `wharf` object, so its version still decides against later writes. If another
 * writer got there first, CouchDB answers `conflict`: those ids are read and compared again.
 *
 * One window is left (docs/deletions.md): an id absent when read, then created and deleted by
 * other writers before this write, is recreated by it (CouchDB's compare-and-set cannot name a
 * revision for an id it did not hold). `wharf verify` reports it as deleted-but-present and
 * `--repair` puts it right.
 *
 * Documents CouchDB refuses (forbidden by a validation function, invalid, too large) are
 * rejected for the dead-letter topic, and so is, before sending, a record whose payload holds a
 * top-level member beginning with "_" (couchReservedMembers); refused credentials or access
 * give the batch back at once as SinkUnavailableError saying what to fix (answers.ts);
 * retriable failures are retried with backoff up to maxAttempts, then the batch is given back
 * as SinkUnavailableError (sink-writer.ts, sendInBulk). Results are matched to documents by id:
 * pouchdb-server lists the failed documents first.
 */
import type { DocumentScope, ServerScope } from 'nano';
import { createCouchdb } from './client';
import type { CouchdbSinkConfig } from './config';
import { couchRefusal, itemOutcome, itemUnauthorized, requestRefusal, type BulkItem } from './answers';
import { describeError } from '../../errors';
import { documentText, sameContent, toDocument, type WharfMeta } from '../../records/document';
import { newestPerId, type RejectedRecord, type SinkRecord } from '../../records/sink-record';
import { compareVersions } from '../../records/version';
import { readPredecessors, readStoredState, type Doc, type StoredState } from './stored-state';
import { sendInBulk, SinkUnavailableError, withoutOversized, type SinkWriteResult, type SinkWriter, type WriteOptions } from '../sink-writer';

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
    const newest = newestPerId(batch);
    const { sendable, rejected } = withoutOversized(this.id, newest, this.config.maxDocumentBytes, toDocument);
    const records: SinkRecord[] = [];
    for (const record of sendable) {
      const reserved = couchReservedMembers(record);
      if (reserved.length === 0) records.push(record);
      else rejected.push(this.rejection(record, `payload member(s) ${reserved.join(', ')}: CouchDB reserves top-level members beginning with "_"`, 0));
    }
    const result: SinkWriteResult = { written: 0, unchanged: 0, stale: batch.length - newest.length, rejected };
    for (let start = 0; start < records.length; start += this.config.batchSize) {
      await this.writeChunk(records.slice(start, start + this.config.batchSize), result, options);
    }
    return result;
  }

  async close(): Promise<void> {
    // nano keeps no connection state of its own to release.
  }

  private async writeChunk(records: SinkRecord[], result: SinkWriteResult, options: WriteOptions): Promise<void> {
    // Deletions put back over a recreating write (restoreDeletions) are wharf's own fix-ups, not records of the batch: not counted.
    const restorations = new WeakSet<SinkRecord>();
    const tally = (record: SinkRecord, kind: 'written' | 'stale' | 'unchanged') => {
      if (!restorations.has(record)) result[kind]++;
    };
    const writes = await this.compareWithStored(records, tally, options);
    await sendInBulk(
      this.config,
      writes,
      async (pending, attempt) => {
        const items = await this.bulk(pending);
        if ('refused' in items) return items;
        const conflicts: SinkRecord[] = [];
        const failing: typeof pending = [];
        const recreated: Array<{ entry: Write; rev: string }> = [];
        const byId = new Map(pending.map((entry) => [entry.record.id, entry]));
        items.forEach((item, i) => {
          const entry = (item.id !== undefined ? byId.get(item.id) : undefined) ?? pending[i];
          const outcome = itemOutcome(item);
          if (outcome === 'written') {
            tally(entry.record, 'written');
            if (entry.rev === undefined && item.rev !== undefined && !item.rev.startsWith('1-')) recreated.push({ entry, rev: item.rev });
          } else if (outcome === 'conflict') conflicts.push(entry.record);
          else if (outcome === 'unavailable') throw new SinkUnavailableError(this.id, itemUnauthorized(item, this.config.db));
          else if (outcome === 'rejected') result.rejected.push(this.rejection(entry.record, `${item.error}: ${item.reason ?? ''}`, attempt));
          else failing.push(entry);
        });
        const restores = await this.restoreDeletions(recreated, result, restorations);
        // Another writer changed these since they were read: compared again, they go at once with the current revision.
        const again = [...(await this.compareWithStored(conflicts, tally, options)), ...restores];
        return { again: [...again, ...failing], detail: `${failing.length} document(s) failing, ${again.length} to write again after a conflict`, retryAfterMs: failing.length === 0 ? 0 : undefined };
      },
      (one, reason, attempt) => result.rejected.push(this.rejection(one.record, reason, attempt)),
    );
  }

  /**
   * Writes that named no `_rev` yet landed over a deletion (stored-state.ts: the one race the
   * read before writing leaves): where that deletion was the newer, the write was stale, and the
   * deletion is written back over it.
   */
  private async restoreDeletions(recreated: Array<{ entry: Write; rev: string }>, result: SinkWriteResult, restorations: WeakSet<SinkRecord>): Promise<Write[]> {
    if (recreated.length === 0) return [];
    const previous = await this.call('read replaced revisions', () => readPredecessors(this.server, this.config.db, recreated.map(({ entry, rev }) => ({ id: entry.record.id, rev }))));
    const restores: Write[] = [];
    for (const { entry, rev } of recreated) {
      const deletion = previous.get(entry.record.id);
      if (!deletion?.deleted || compareVersions(deletion.version, entry.record.version) <= 0) continue;
      // Counted as written a moment ago (a restore names its _rev, so it is never a recreating write itself).
      result.written--;
      result.stale++;
      const record = tombstoneOf(deletion.doc);
      restorations.add(record);
      restores.push({ record, rev, stored: deletion.doc });
    }
    return restores;
  }

  /** One `_bulk_docs` request: per-document results, or the reason the server refused the whole request. */
  private async bulk(pending: Write[]): Promise<BulkItem[] | { refused: string }> {
    try {
      // The body goes as bytes written here (writeText): nano serializes an object with a replacer called on every value.
      const body = Buffer.from(`{"docs":[${pending.map(writeText).join(',')}]}`);
      return (await this.server.request({ db: this.config.db, method: 'POST', path: '_bulk_docs', body })) as BulkItem[];
    } catch (err) {
      const refusal = requestRefusal(err as { statusCode?: number; error?: string; reason?: string }, this.config.db);
      if (refusal && 'refused' in refusal) return refusal;
      throw this.unavailable('bulk write failed', err);
    }
  }

  /** Compares records with what the database holds: counts the stale and unchanged ones, returns the documents to write. */
  private async compareWithStored(records: SinkRecord[], tally: (record: SinkRecord, kind: 'stale' | 'unchanged') => void, options: WriteOptions): Promise<Write[]> {
    const stored = await this.call('read stored revisions', () => readStoredState(this.server, this.db, this.config.db, records.map((r) => r.id)));
    const writes: Write[] = [];
    for (const record of records) {
      const current = stored.get(record.id);
      const decision = current ? decide(current, record, options) : 'write';
      if (decision === 'stale' || decision === 'unchanged') tally(record, decision);
      else writes.push({ record, rev: current?.rev });
    }
    return writes;
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

/**
 * The payload's top-level members CouchDB would take as its own: `_deleted: true` would delete
 * the document, `_id` and `_rev` would be overridden by the writer's, and CouchDB refuses the
 * rest. Such a record is refused before anything is sent. A payload kept as text has none
 * (wire-record.ts keeps the text only without them), so its text is not parsed here.
 */
function couchReservedMembers(record: SinkRecord): string[] {
  // A tombstone's document is its deletion and `wharf` object only: its payload is not written.
  if (record.deleted || record.payloadText !== undefined) return [];
  return Object.keys(record.payload).filter((key) => key.startsWith('_'));
}

/** A record to write, naming the stored `_rev` it replaces (none: a create); or a stored deletion put back (`stored`). */
type Write = { record: SinkRecord; rev?: string; stored?: Doc };

/** The document a write sends: the record's (document.ts) with CouchDB's own members, or the stored deletion at its new `_rev`. */
function writeText(write: Write): string {
  if (write.stored) return JSON.stringify({ ...write.stored, _rev: write.rev });
  const head: Record<string, unknown> = { _id: write.record.id };
  if (write.rev !== undefined) head._rev = write.rev;
  if (write.record.deleted) head._deleted = true;
  return documentText(write.record, head);
}

/** The document a record becomes here, as an object (compared with a stored one). */
function couchDocument(record: SinkRecord): Doc {
  const doc: Doc = { _id: record.id, ...toDocument(record) };
  if (record.deleted) doc._deleted = true;
  return doc;
}

/** The tombstone record a stored deletion was written from (its `wharf` object says all of it). */
function tombstoneOf(doc: Doc): SinkRecord {
  const meta = doc.wharf as WharfMeta;
  return { id: meta.id, source: meta.source, ingestedAt: meta.ingestedAt, partition: meta.partition, offset: meta.offset, version: meta.version, payload: {}, deleted: true };
}

/** A record against the stored document of its id: older is stale; the same version is unchanged, unless a repair finds other content. */
function decide(current: StoredState, record: SinkRecord, options: WriteOptions): 'stale' | 'unchanged' | 'write' {
  const order = compareVersions(current.version, record.version);
  if (order > 0) return 'stale';
  if (order < 0) return 'write';
  const same = current.deleted === (record.deleted === true) && sameContent(current.doc, couchDocument(record));
  return options.replaceSameVersion && !same ? 'write' : 'unchanged';
}
