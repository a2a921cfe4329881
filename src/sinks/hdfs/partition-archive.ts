/**
 * The archive of one partition of the records topic, as one consumer process sees it. HDFS, not
 * Kafka's committed offset, is the truth of what is archived:
 *
 *   - on first contact (and after any failure, or when HDFS changed behind this process's back)
 *     it *recovers*: every temporary segment found is settled and finalized (segment.ts), and the
 *     high-water mark is the last offset of the partition's index files;
 *   - a batch is cut to the records after the high-water mark (a re-delivered range already
 *     stored is skipped, whatever the batch boundaries), appended to the open segment's files,
 *     one APPEND per source and day (an APPEND closes the file: the data is durable), then
 *     recorded in the segment's ledger; only then is it acknowledged, so the offsets the
 *     pipeline commits are always durable in HDFS;
 *   - a batch that failed halfway leaves bytes past the ledger: the next attempt recovers first,
 *     which cuts them off, then writes the batch again;
 *   - before each batch the ledger's length (or, with no segment open, the partition's index
 *     folder and temporary folder) is compared with what this process last wrote, so that a
 *     partition that came back after another owner had it is recovered, not continued blindly;
 *   - a segment is rolled (finalized) once its files reach `rollBytes` or its age `rollMs`.
 *
 * One writer per partition at a time is assumed (the consumer group's assignment). A consumer
 * that lost its partition but still finishes an in-flight batch could race the new owner; the
 * index files then show the overlap, which `wharf verify --sink` reports.
 */
import { encodeLines } from './encoding';
import { LEDGER, fileKey, indexDir, parseIndexName, segmentDir, tempFile, tmpPartitionDir, type Compression, type PartitionPaths } from './layout';
import { ledgerLine } from './ledger';
import { finalizeSegment, readSegment, settleSegment, type Segment } from './segment';
import type { WebHdfsClient } from './webhdfs-client';
import { documentText } from '../../records/document';
import type { SinkRecord } from '../../records/sink-record';

export interface RollSettings {
  compression: Compression;
  rollBytes: number;
  rollMs: number;
}

export class PartitionArchive {
  /** The last offset archived (finalized or in the open segment's ledger); null: none yet. */
  private highWater: bigint | null = null;
  private segment: Segment | null = null;
  private known = false;
  private indexMtime = 0;

  constructor(
    private readonly hdfs: WebHdfsClient,
    private readonly paths: PartitionPaths,
    private readonly settings: RollSettings,
    private readonly now: () => number = Date.now,
  ) {}

  /** Archives the records after the high-water mark; how many were new and how many already there. */
  async write(records: readonly SinkRecord[]): Promise<{ written: number; unchanged: number }> {
    if (!this.known || !(await this.unchanged())) await this.recover();
    const mark = this.highWater;
    const fresh = mark === null ? records : records.filter((r) => BigInt(r.offset) > mark);
    if (fresh.length > 0) {
      this.known = false; // until the ledger holds the batch
      await this.append(fresh);
      this.known = true;
      if (this.due()) await this.roll();
    }
    return { written: fresh.length, unchanged: records.length - fresh.length };
  }

  /** Finalizes the open segment if it is old enough and still this process's; false if nothing to do. */
  async rollIfDue(): Promise<boolean> {
    if (!this.known || !this.segment || !this.due()) return false;
    if (!(await this.unchanged())) {
      this.known = false;
      return false;
    }
    await this.roll();
    return true;
  }

  private due(): boolean {
    const segment = this.segment;
    if (!segment) return false;
    let bytes = 0;
    for (const [length] of segment.files.values()) bytes += length;
    return bytes >= this.settings.rollBytes || this.now() - segment.openedAt >= this.settings.rollMs;
  }

  private async append(records: readonly SinkRecord[]): Promise<void> {
    const first = BigInt(records[0].offset);
    const last = BigInt(records[records.length - 1].offset);
    const at = this.now();
    const segment: Segment = this.segment
      ? { ...this.segment, files: new Map(this.segment.files) }
      : { dir: segmentDir(this.paths, first), first, last, openedAt: at, files: new Map(), ledgerBytes: 0 };
    const groups = new Map<string, string[]>();
    for (const record of records) {
      const key = fileKey(record);
      const group = groups.get(key) ?? [];
      if (group.length === 0) groups.set(key, group);
      group.push(documentText(record));
    }
    for (const [key, documents] of groups) {
      const body = await encodeLines(documents, this.settings.compression);
      const path = tempFile(segment.dir, key, this.paths.extension);
      const held = segment.files.get(key);
      // A file the ledger does not know yet may be left from a failed attempt: replaced.
      if (held) await this.hdfs.append(path, body);
      else await this.hdfs.create(path, body, { overwrite: true });
      segment.files.set(key, [(held?.[0] ?? 0) + body.length, (held?.[1] ?? 0) + documents.length]);
    }
    const line = ledgerLine({ first: String(first), last: String(last), at, files: Object.fromEntries(segment.files) });
    const ledger = `${segment.dir}/${LEDGER}`;
    if (segment.ledgerBytes === 0) await this.hdfs.create(ledger, line, { overwrite: true });
    else await this.hdfs.append(ledger, line);
    this.segment = { ...segment, last, ledgerBytes: segment.ledgerBytes + line.length };
    this.highWater = last;
  }

  private async roll(): Promise<void> {
    const segment = this.segment!;
    this.known = false;
    await finalizeSegment(this.hdfs, this.paths, segment);
    this.segment = null;
    this.indexMtime = (await this.hdfs.status(indexDir(this.paths)))?.modificationTime ?? 0;
    this.known = true;
  }

  /** Whether HDFS still holds what this process last wrote for the partition, and nothing else. */
  private async unchanged(): Promise<boolean> {
    if (this.segment) return (await this.hdfs.status(`${this.segment.dir}/${LEDGER}`))?.length === this.segment.ledgerBytes;
    const index = (await this.hdfs.status(indexDir(this.paths)))?.modificationTime ?? 0;
    return index === this.indexMtime && ((await this.hdfs.list(tmpPartitionDir(this.paths))) ?? []).length === 0;
  }

  /** First contact: finish whatever segments are found, then read the high-water mark from the index. */
  private async recover(): Promise<void> {
    this.segment = null;
    const found = ((await this.hdfs.list(tmpPartitionDir(this.paths))) ?? []).map((s) => s.pathSuffix).sort();
    for (const name of found) {
      const dir = `${tmpPartitionDir(this.paths)}/${name}`;
      const segment = await readSegment(this.hdfs, dir);
      if (!segment) {
        await this.hdfs.delete(dir, { recursive: true }); // nothing in it was ever acknowledged
        continue;
      }
      await settleSegment(this.hdfs, segment, this.paths.extension);
      await finalizeSegment(this.hdfs, this.paths, segment);
    }
    let mark: bigint | null = null;
    for (const entry of (await this.hdfs.list(indexDir(this.paths))) ?? []) {
      const range = parseIndexName(entry.pathSuffix);
      if (range && (mark === null || range.last > mark)) mark = range.last;
    }
    this.highWater = mark;
    this.indexMtime = (await this.hdfs.status(indexDir(this.paths)))?.modificationTime ?? 0;
    this.known = true;
  }
}
