/**
 * Lists what the CouchDB sink's database holds, for `wharf verify`: `_all_docs` with
 * `include_docs`, paged by `start_key` (never `skip`, which CouchDB walks from the start each
 * time), design documents left out. The version is the document's `wharf.version` (the `_rev`
 * says nothing about it). Deleted documents are not listed by `_all_docs`: to verify they are
 * simply absent.
 */
import type { DocumentScope } from 'nano';
import { contentHash } from '../../records/document';
import { isVersion } from '../../records/version';
import { createCouchdb } from './client';
import type { CouchdbSinkConfig } from './config';
import type { SinkReader, StoredDocument } from '../sink-reader';

const PAGE = 1000;

type Doc = Record<string, unknown> & { _id: string; wharf?: { version?: unknown } };

export class CouchdbReader implements SinkReader {
  readonly id: string;
  private readonly db: DocumentScope<Doc>;

  constructor(config: CouchdbSinkConfig) {
    this.id = config.id;
    this.db = createCouchdb(config).use<Doc>(config.db);
  }

  async *scan(): AsyncIterable<StoredDocument> {
    let start: string | undefined;
    for (;;) {
      // One row more than the page: its id starts the next page.
      const page = await this.db.list({ include_docs: true, limit: PAGE + 1, ...(start === undefined ? {} : { start_key: start }) }).catch(ifMissing);
      const rows = page.rows.slice(0, PAGE);
      for (const row of rows) {
        if (row.id.startsWith('_design/') || !row.doc) continue;
        const version = row.doc.wharf?.version;
        yield { id: row.id, version: isVersion(version) ? version : null, hash: contentHash(row.doc), deleted: false };
      }
      if (page.rows.length <= PAGE) return;
      start = page.rows[PAGE].id;
    }
  }

  close(): Promise<void> {
    return Promise.resolve(); // nano keeps no connection state of its own
  }
}

/** A database not created yet holds nothing. */
function ifMissing(err: unknown): { rows: [] } {
  if ((err as { statusCode?: number }).statusCode === 404) return { rows: [] };
  throw err;
}
