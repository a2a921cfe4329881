/**
 * Reading the archive back (the reader, `wharf restore --from-archive`, `wharf verify`): its
 * finalized files, folder by folder (`<root>/<source>/<day>/`), optionally only some sources and
 * days, and each file's documents. Temporary segments and index files are not documents.
 */
import { decodeLines } from './encoding';
import { INDEX, parseArchivedName, parseIndexName, TMP, type ArchivedName, type SegmentIndex } from './layout';
import type { WebHdfsClient } from './webhdfs-client';

export interface ArchivedFile extends ArchivedName {
  path: string;
  source: string;
  /** YYYY-MM-DD, the ingest day (UTC) of the file's documents. */
  day: string;
  bytes: number;
}

export interface ArchiveFilter {
  source?: string;
  /** Inclusive days, YYYY-MM-DD. */
  fromDay?: string;
  toDay?: string;
}

/** Every finalized file, by source, then day, then name (so a partition's files come in offset order). */
export async function* archivedFiles(hdfs: WebHdfsClient, root: string, filter: ArchiveFilter = {}): AsyncIterable<ArchivedFile> {
  const sources = ((await hdfs.list(root)) ?? []).filter((s) => s.type === 'DIRECTORY' && s.pathSuffix !== TMP && s.pathSuffix !== INDEX);
  for (const source of sources.map((s) => s.pathSuffix).sort()) {
    if (filter.source !== undefined && source !== filter.source) continue;
    const days = ((await hdfs.list(`${root}/${source}`)) ?? []).filter((d) => d.type === 'DIRECTORY').map((d) => d.pathSuffix).sort();
    for (const day of days) {
      if ((filter.fromDay && day < filter.fromDay) || (filter.toDay && day > filter.toDay)) continue;
      const files = ((await hdfs.list(`${root}/${source}/${day}`)) ?? []).sort((a, b) => (a.pathSuffix < b.pathSuffix ? -1 : 1));
      for (const file of files) {
        const name = file.type === 'FILE' ? parseArchivedName(file.pathSuffix) : null;
        if (name) yield { ...name, path: `${root}/${source}/${day}/${file.pathSuffix}`, source, day, bytes: file.length };
      }
    }
  }
}

/** The documents of one archived file, in the order they were archived; `bytes`: only its first (an open segment's acknowledged part). */
export async function readDocuments(hdfs: WebHdfsClient, file: { path: string; compressed: boolean; bytes?: number }): Promise<Array<Record<string, unknown>>> {
  const body = await hdfs.read(file.path);
  return decodeLines(file.bytes === undefined ? body : body.subarray(0, file.bytes), file.compressed).map((line) => JSON.parse(line) as Record<string, unknown>);
}

/** Every segment index of the archive, per `<topic>/<partition>`, in offset order. */
export async function segmentIndexes(hdfs: WebHdfsClient, root: string): Promise<Map<string, Array<{ first: bigint; last: bigint; path: string }>>> {
  const found = new Map<string, Array<{ first: bigint; last: bigint; path: string }>>();
  for (const topic of (await hdfs.list(`${root}/${INDEX}`)) ?? []) {
    for (const partition of (await hdfs.list(`${root}/${INDEX}/${topic.pathSuffix}`)) ?? []) {
      const dir = `${root}/${INDEX}/${topic.pathSuffix}/${partition.pathSuffix}`;
      const ranges = ((await hdfs.list(dir)) ?? []).flatMap((f) => {
        const range = parseIndexName(f.pathSuffix);
        return range ? [{ ...range, path: `${dir}/${f.pathSuffix}` }] : [];
      });
      found.set(`${topic.pathSuffix}/${partition.pathSuffix}`, ranges.sort((a, b) => (a.first < b.first ? -1 : a.first > b.first ? 1 : 0)));
    }
  }
  return found;
}

export async function readIndex(hdfs: WebHdfsClient, path: string): Promise<SegmentIndex> {
  return JSON.parse((await hdfs.read(path)).toString('utf8')) as SegmentIndex;
}
