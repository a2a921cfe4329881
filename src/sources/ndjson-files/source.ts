/**
 * ndjson-files source: follows a directory of newline-delimited JSON files, as `tail -F` would,
 * across new files, appended lines and rotation.
 *
 * - Files (names matching `pattern`, not subdirectories) are read oldest first (modification
 *   time, then name), each from where it stands in the cursor; a page takes up to
 *   `maxBatchRecords` lines / `maxBatchBytes` from as many files as needed. The next cursor
 *   covers exactly the lines in the page; a last line without its newline waits for it.
 * - Identity (see file-identity.ts): a file is known by a fingerprint of its first line, by
 *   its inode on this machine (so a file renamed by rotation is read to its end under its new
 *   name, the pattern must match it, and the new file under the old name from its start), and,
 *   where the inode means nothing (another machine after a hand-over, a copied directory), by
 *   its fingerprint and the bytes just before its offset. A file shorter than its offset was
 *   truncated in place (copytruncate): it is read again from 0 under a new generation, and
 *   when its new first line differs it is simply a new file. A file seen emptied keeps its
 *   entry, marked truncated, until it has a first line again. Files that disappeared leave the
 *   cursor.
 * - Ids: the record's `idField` when configured and present (non-empty string or number), else the
 *   line's position `<key>[.<generation>]:<byte offset>`, the key being the file's fingerprint
 *   (`~<n>` added when another tracked file has the same first line): stable across re-reads
 *   and machines.
 * - Empty lines are skipped; a line that is not valid UTF-8, not JSON, not a JSON object or
 *   longer than `maxRecordBytes` becomes a malformed item naming the file and byte offset.
 *   Directory and file errors (missing, permission) are SourceUnavailableError (retriable).
 */
import type { NdjsonFilesSourceConfig } from './config';
import { globToRegExp } from './file-glob';
import { formatCursor, parseCursor, type FilePosition } from './cursor';
import { isBareKey, matchFiles } from './file-identity';
import { reopen, scanDirectory, tailAt, tailOf, type ScannedFile } from './file-scan';
import { readLines, type FileLine } from './line-reader';
import { SourceUnavailableError, type MalformedItem, type SourceAdapter, type SourcePage, type UpstreamRecord } from '../source-adapter';
import { describeError } from '../../errors';

export class NdjsonFilesSource implements SourceAdapter {
  readonly id: string;
  private readonly pattern: RegExp;
  private readonly utf8 = new TextDecoder('utf-8', { fatal: true });

  constructor(private readonly config: NdjsonFilesSourceConfig) {
    this.id = config.id;
    this.pattern = globToRegExp(config.pattern);
  }

  async fetch(cursor: string | null): Promise<SourcePage> {
    const previous = parseCursor(this.id, cursor);
    const { files, pending } = await scanDirectory(this.id, this.config.path, this.pattern);
    if (files.length > this.config.maxFiles) {
      throw new SourceUnavailableError(this.id, `${files.length} files in ${this.config.path} match "${this.config.pattern}", more than maxFiles ${this.config.maxFiles}: move finished files away or raise maxFiles`);
    }
    const { cursor: next, keyOf } = await matchFiles(previous, { files, pending }, (file, offset) => tailOf(this.id, file, offset));

    const page: SourcePage = { records: [], malformed: [], nextCursor: null };
    const budget = { lines: this.config.maxBatchRecords, bytes: this.config.maxBatchBytes };
    for (const file of files) {
      if (budget.lines <= 0 || budget.bytes <= 0) break;
      const key = keyOf.get(file)!;
      const position = next.files.get(key)!;
      if (file.size !== position.offset) await this.readFile(file, key, position, page, budget);
    }
    const text = formatCursor(next, isBareKey);
    page.nextCursor = text === formatCursor(previous, isBareKey) ? cursor : text;
    return page;
  }

  /** Adds the file's next lines to the page and moves its position past them. */
  private async readFile(file: ScannedFile, key: string, position: FilePosition, page: SourcePage, budget: { lines: number; bytes: number }): Promise<void> {
    const opened = await reopen(this.id, file);
    if (!opened) return; // replaced since the scan; the next fetch sees the new one
    try {
      if (opened.size < position.offset) {
        position.offset = 0;
        position.generation++;
      }
      const read = await readLines(opened.handle, position.offset, { maxLineBytes: this.config.maxRecordBytes, maxLines: budget.lines, maxBytes: budget.bytes });
      const fileId = position.generation === 0 ? key : `${key}.${position.generation}`;
      for (const line of read.lines) this.addLine(line, file.name, fileId, page);
      if (read.end !== position.offset) position.tail = await tailAt(opened.handle, read.end);
      position.offset = read.end;
      budget.lines -= read.lines.length;
      budget.bytes -= read.bytes;
    } catch (err) {
      throw new SourceUnavailableError(this.id, `cannot read ${file.path}: ${describeError(err)}`, { cause: err });
    } finally {
      await opened.handle.close();
    }
  }

  private addLine(line: FileLine, name: string, fileId: string, page: SourcePage): void {
    const where = `${name} at byte ${line.offset}`;
    if ('oversized' in line) {
      const { length, head } = line.oversized;
      page.malformed.push({ raw: head.toString('utf8'), reason: `line of ${length} bytes in ${where} exceeds maxRecordBytes ${this.config.maxRecordBytes} (first ${head.length} bytes kept)` });
      return;
    }
    const item = this.toItem(line.bytes, where, `${fileId}:${line.offset}`);
    if (item === null) return;
    if ('upstreamId' in item) page.records.push(item);
    else page.malformed.push(item);
  }

  /** A record, a malformed item, or null for a blank line. */
  private toItem(bytes: Buffer, where: string, positionId: string): UpstreamRecord | MalformedItem | null {
    let text: string;
    try {
      text = this.utf8.decode(bytes);
    } catch {
      return { raw: bytes.toString('utf8'), reason: `line in ${where} is not valid UTF-8` };
    }
    if (text.trim() === '') return null;
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (err) {
      return { raw: text, reason: `invalid JSON in ${where}: ${describeError(err)}` };
    }
    if (value === null || typeof value !== 'object' || Array.isArray(value)) {
      return { raw: text, reason: `line in ${where} is not a JSON object` };
    }
    const payload = value as Record<string, unknown>;
    const own = this.config.idField === undefined ? undefined : payload[this.config.idField];
    const upstreamId = (typeof own === 'string' && own !== '') || typeof own === 'number' ? String(own) : positionId;
    return { upstreamId, payload };
  }
}
