/**
 * What the archive holds, for `wharf verify`: the archive keeps every version of a record, so
 * the reader lists, per record id, the newest version it holds (and that document's content
 * hash), as if it were a sink that keeps the newest. It reads every finalized file and keeps one
 * entry per id in memory (about 100 bytes each): fine for millions of ids, not for billions.
 */
import { contentHash, isTombstone } from '../../records/document';
import { compareVersions, isVersion } from '../../records/version';
import type { SinkReader, StoredDocument } from '../sink-reader';
import { WebHdfsError } from './answers';
import { archivedFiles, readDocuments } from './archive-files';
import { createWebHdfs } from './client';
import type { HdfsSinkConfig } from './config';
import { TMP, extensionOf, tempFile } from './layout';
import { readSegment } from './segment';
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
    for await (const file of this.files()) {
      for (const doc of await this.read(file)) {
        const meta = doc.wharf as { id?: unknown; version?: unknown } | undefined;
        if (typeof meta?.id !== 'string') continue;
        const version = isVersion(meta.version) ? meta.version : null;
        const kept = newest.get(meta.id);
        if (kept && kept.version !== null && (version === null || compareVersions(version, kept.version) <= 0)) continue;
        newest.set(meta.id, { id: meta.id, version, hash: contentHash(doc), deleted: isTombstone(doc) });
      }
    }
    yield* newest.values();
  }

  /**
   * Open segments' files cut to their acknowledged length, then the finalized files: a segment
   * rolled meanwhile is then read twice (harmless: the newest per id is kept), never missed.
   */
  private async *files(): AsyncIterable<{ path: string; compressed: boolean; bytes?: number }> {
    const tmp = `${this.config.path}/${TMP}`;
    const extension = extensionOf(this.config.compression);
    for (const topic of (await this.hdfs.list(tmp)) ?? []) {
      if (topic.type !== 'DIRECTORY') continue;
      for (const partition of (await this.hdfs.list(`${tmp}/${topic.pathSuffix}`)) ?? []) {
        for (const dir of (await this.hdfs.list(`${tmp}/${topic.pathSuffix}/${partition.pathSuffix}`)) ?? []) {
          const segment = await readSegment(this.hdfs, `${tmp}/${topic.pathSuffix}/${partition.pathSuffix}/${dir.pathSuffix}`);
          for (const [key, [bytes]] of segment?.files ?? []) yield { path: tempFile(segment!.dir, key, extension), compressed: extension.endsWith('.gz'), bytes };
        }
      }
    }
    yield* archivedFiles(this.hdfs, this.config.path);
  }

  /** A file's documents; none when an open segment's file was rolled away meanwhile (listed again after). */
  private async read(file: { path: string; compressed: boolean; bytes?: number }): Promise<Array<Record<string, unknown>>> {
    try {
      return await readDocuments(this.hdfs, file);
    } catch (err) {
      if (file.bytes !== undefined && err instanceof WebHdfsError && err.kind === 'not-found') return [];
      throw err;
    }
  }

  close(): Promise<void> {
    return this.hdfs.close();
  }
}
