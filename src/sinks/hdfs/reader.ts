/**
 * What the archive holds, for `wharf verify`: the archive keeps every version of a record, so
 * the reader lists, per record id, the newest version it holds (and that document's content
 * hash), as if it were a sink that keeps the newest. It reads every finalized file and keeps one
 * entry per id in memory (about 100 bytes each): fine for millions of ids, not for billions.
 */
import { contentHash } from '../../records/document';
import { compareVersions, isVersion } from '../../records/version';
import type { SinkReader, StoredDocument } from '../sink-reader';
import { archivedFiles, readDocuments } from './archive-files';
import { createWebHdfs } from './client';
import type { HdfsSinkConfig } from './config';
import type { WebHdfsClient } from './webhdfs-client';

export class HdfsReader implements SinkReader {
  readonly id: string;
  private readonly hdfs: WebHdfsClient;

  constructor(private readonly config: HdfsSinkConfig) {
    this.id = config.id;
    this.hdfs = createWebHdfs(config);
  }

  async *scan(): AsyncIterable<StoredDocument> {
    const newest = new Map<string, StoredDocument>();
    for await (const file of archivedFiles(this.hdfs, this.config.path)) {
      for (const doc of await readDocuments(this.hdfs, file)) {
        const meta = doc.wharf as { id?: unknown; version?: unknown } | undefined;
        if (typeof meta?.id !== 'string') continue;
        const version = isVersion(meta.version) ? meta.version : null;
        const kept = newest.get(meta.id);
        if (kept && kept.version !== null && (version === null || compareVersions(version, kept.version) <= 0)) continue;
        newest.set(meta.id, { id: meta.id, version, hash: contentHash(doc) });
      }
    }
    yield* newest.values();
  }

  close(): Promise<void> {
    return this.hdfs.close();
  }
}
