/**
 * What every sink reader does, whatever the server: list every document the sink holds, once
 * each, in whatever order is cheapest for the server, as the record id it stands for, its
 * stored version and its content hash (records/document.ts `contentHash`, the `sameContent`
 * rule). `wharf verify` compares that with the records topic; only one page of documents is in
 * memory at a time. Documents wharf does not write (CouchDB design documents) are left out.
 */
export interface StoredDocument {
  /** The record id (not the server's id, which may be a digest of it). */
  id: string;
  /** The stored version (records/version.ts), null for a document without one. */
  version: string | null;
  hash: string;
  /** A tombstone the sink keeps (an Elasticsearch tombstone document); a sink whose deletions are not listed never says so. */
  deleted: boolean;
}

export interface SinkReader {
  readonly id: string;
  scan(): AsyncIterable<StoredDocument>;
  close(): Promise<void>;
}
