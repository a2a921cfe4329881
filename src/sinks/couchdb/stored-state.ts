/**
 * What a CouchDB database holds for some ids, read before writing them, so that the newest
 * version wins (writer.ts): per id its revision, the version it holds (`wharf.version`) and
 * whether it is deleted.
 *
 * One `POST _all_docs {keys}` with `include_docs` gives the live documents. A deleted one comes
 * back as `value.deleted` with no document, yet its body (a wharf tombstone keeps its version)
 * is still stored under its revision, so those are read with one `_bulk_get`. Reading deleted
 * ones matters: CouchDB lets a write without `_rev` recreate a deleted document, so without
 * this an older write arriving after a deletion would bring the document back.
 *
 * The same rule leaves one race: an id absent when read can be deleted by another writer before
 * this write lands, which then recreates it without having compared. Such a write is told by
 * its new revision's generation (above 1 for a write that named no `_rev`), and
 * `readPredecessors` gives the deletion it went over, so the writer can put the deletion back
 * when it was the newer.
 */
import type { DocumentScope, ServerScope } from 'nano';
import { storedVersion } from '../../records/version';

export type Doc = Record<string, unknown> & { _id: string; _rev?: string; _deleted?: boolean };

export interface StoredState {
  rev: string;
  version: bigint;
  deleted: boolean;
  doc: Doc;
}

interface AllDocsRow {
  id?: string;
  key: string;
  value?: { rev: string; deleted?: boolean };
  doc?: Doc | null;
  error?: string;
}

interface BulkGetResult {
  id: string;
  docs: Array<{ ok?: Doc; error?: unknown }>;
}

export async function readStoredState(server: ServerScope, db: DocumentScope<Doc>, dbName: string, ids: string[]): Promise<Map<string, StoredState>> {
  const states = new Map<string, StoredState>();
  if (ids.length === 0) return states;
  const { rows } = (await db.fetch({ keys: ids })) as unknown as { rows: AllDocsRow[] };
  const deleted: Array<{ id: string; rev: string }> = [];
  for (const row of rows) {
    if (!row.value) continue; // not_found: the id was never written
    if (row.doc) states.set(row.key, state(row.value.rev, row.doc, false));
    else if (row.value.deleted) deleted.push({ id: row.key, rev: row.value.rev });
  }
  for (const [id, found] of await bulkGet(server, dbName, deleted)) states.set(id, found);
  return states;
}

/** The revision each of these writes replaced (the deletion a write without `_rev` recreated over). */
export async function readPredecessors(server: ServerScope, dbName: string, written: Array<{ id: string; rev: string }>): Promise<Map<string, StoredState>> {
  const answer = (await server.request({ db: dbName, method: 'POST', path: '_bulk_get', qs: { revs: true }, body: { docs: written } })) as { results: BulkGetResult[] };
  const previous: Array<{ id: string; rev: string }> = [];
  for (const result of answer.results) {
    const history = result.docs.find((d) => d.ok)?.ok?._revisions as { start: number; ids: string[] } | undefined;
    if (history && history.ids.length > 1) previous.push({ id: result.id, rev: `${history.start - 1}-${history.ids[1]}` });
  }
  return bulkGet(server, dbName, previous);
}

/** Documents at given revisions, deleted ones included, as stored states. */
async function bulkGet(server: ServerScope, dbName: string, docs: Array<{ id: string; rev: string }>): Promise<Map<string, StoredState>> {
  const states = new Map<string, StoredState>();
  if (docs.length === 0) return states;
  const answer = (await server.request({ db: dbName, method: 'POST', path: '_bulk_get', body: { docs } })) as { results: BulkGetResult[] };
  const revs = new Map(docs.map((d) => [d.id, d.rev]));
  for (const result of answer.results) {
    const body = result.docs.find((d) => d.ok)?.ok;
    // A deletion whose body is gone (compacted, or deleted by hand) holds no version: any write wins.
    const doc = body ?? { _id: result.id, _deleted: true };
    states.set(result.id, state(revs.get(result.id)!, doc, doc._deleted === true));
  }
  return states;
}

function state(rev: string, doc: Doc, deleted: boolean): StoredState {
  return { rev, version: storedVersion((doc.wharf as { version?: unknown } | undefined)?.version), deleted, doc };
}
