/**
 * Where the archive keeps what, under the sink's `path` (the root):
 *
 *   <root>/<source>/<YYYY-MM-DD>/<topic>-<partition>-<first>-<last>.ndjson.gz   archived documents
 *   <root>/_index/<topic>/<partition>/<first>-<last>.json                     one per segment
 *   <root>/_tmp/<topic>/<partition>/<first>/<source>/<YYYY-MM-DD>.ndjson.gz    a segment being written
 *   <root>/_tmp/<topic>/<partition>/<first>/_ledger                           its acknowledged batches
 *
 * A *segment* is a run of one partition's offsets, [first, last], written by one owner and rolled
 * by size or age. A partition carries records of many sources, so a segment becomes one file per
 * source and day (the record's ingest day, UTC), all named with the segment's range: a file's
 * range is its segment's, not the span of its own records. The segment's index file lists them
 * all; the index files of a partition are what make "every offset range once, no gap, no
 * overlap" checkable without reading the documents. Offsets are zero-padded to 20 digits so that
 * names sort as numbers.
 */
export type Compression = 'gzip' | 'none';

const DIGITS = 20;
export const TMP = '_tmp';
export const INDEX = '_index';
export const LEDGER = '_ledger';

export const padOffset = (offset: bigint | string): string => String(offset).padStart(DIGITS, '0');

export const extensionOf = (compression: Compression): string => (compression === 'gzip' ? '.ndjson.gz' : '.ndjson');

/** `<source>/<YYYY-MM-DD>`: the file of a segment a record goes to. */
export function fileKey(record: { source: string; ingestedAt: string }): string {
  const day = /^\d{4}-\d{2}-\d{2}/.test(record.ingestedAt) ? record.ingestedAt.slice(0, 10) : '0000-00-00';
  return `${record.source}/${day}`;
}

export interface PartitionPaths {
  root: string;
  topic: string;
  partition: number;
  extension: string;
}

export const tmpPartitionDir = (p: PartitionPaths): string => `${p.root}/${TMP}/${p.topic}/${p.partition}`;
export const segmentDir = (p: PartitionPaths, first: bigint | string): string => `${tmpPartitionDir(p)}/${padOffset(first)}`;
export const tempFile = (segment: string, key: string, extension: string): string => `${segment}/${key}${extension}`;
export const indexDir = (p: PartitionPaths): string => `${p.root}/${INDEX}/${p.topic}/${p.partition}`;
export const indexFile = (p: PartitionPaths, first: bigint | string, last: bigint | string): string => `${indexDir(p)}/${padOffset(first)}-${padOffset(last)}.json`;

export function finalFile(p: PartitionPaths, key: string, first: bigint | string, last: bigint | string): string {
  return `${p.root}/${key}/${p.topic}-${p.partition}-${padOffset(first)}-${padOffset(last)}${p.extension}`;
}

export interface ArchivedName {
  topic: string;
  partition: number;
  first: bigint;
  last: bigint;
  compressed: boolean;
}

/** The topic, partition and range an archived file's name holds; null for any other name. */
export function parseArchivedName(name: string): ArchivedName | null {
  const match = /^(.+)-(\d+)-(\d{20})-(\d{20})\.ndjson(\.gz)?$/.exec(name);
  if (!match) return null;
  return { topic: match[1], partition: Number(match[2]), first: BigInt(match[3]), last: BigInt(match[4]), compressed: match[5] !== undefined };
}

/** The range an index file's name holds; null for any other name. */
export function parseIndexName(name: string): { first: bigint; last: bigint } | null {
  const match = /^(\d{20})-(\d{20})\.json$/.exec(name);
  return match ? { first: BigInt(match[1]), last: BigInt(match[2]) } : null;
}

/** What a segment's index file says (and `wharf verify --sink` checks). */
export interface SegmentIndex {
  topic: string;
  partition: number;
  first: string;
  last: string;
  /** Per file: its path, size in bytes and number of documents. */
  files: Array<{ path: string; bytes: number; records: number }>;
}
