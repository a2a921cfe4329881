/**
 * ndjson-files source: follows a directory of newline-delimited JSON files, as `tail -F` would,
 * across new files, appended lines and rotation.
 *
 * - Files (names matching `pattern`, not subdirectories) are read oldest first (modification
 *   time, then name), each from where it stands in the cursor; a page takes up to
 *   `maxBatchRecords` lines / `maxBatchBytes` from as many files as needed. The next cursor
 *   covers exactly the lines in the page; a last line without its newline waits for it.
 * - Identity (see ndjson-file-scan.ts) is inode plus a fingerprint of the first line, so a file
 *   renamed by rotation is read to its end under its new name (the pattern must match it), and
 *   the new file under the old name is read from its start. A file shorter than its offset was
 *   truncated in place (copytruncate): it is read again from 0 under a new generation, and
 *   when its new first line differs it is simply a new file. A file seen emptied keeps its
 *   entry, marked truncated, until it has a first line again. A file with a reused inode has
 *   another first line, so it is new too. Files that disappeared leave the cursor.
 * - Ids: the record's `idField` when configured and present (non-empty string or number), else the
 *   line's position `<identity>[.<generation>]:<byte offset>`, stable across re-reads.
 * - Empty lines are skipped; a line that is not valid UTF-8, not JSON, not a JSON object or
 *   longer than `maxRecordBytes` becomes a malformed item naming the file and byte offset.
 *   Directory and file errors (missing, permission) are SourceUnavailableError (retriable).
 */
import type { NdjsonFilesSourceConfig } from './config';
import { globToRegExp } from './file-glob';
import { formatCursor, parseCursor, type FilePosition, type FilePositions } from './cursor';
import { reopen, scanDirectory, type ScannedFile } from './file-scan';
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
    const positions: FilePositions = new Map();
    for (const [identity, position] of previous) {
      const size = pending.get(inodeOf(identity));
      // Emptied in place: remembered as truncated, so that content rewritten with the same first line is told apart.
      if (size !== undefined) positions.set(identity, size < position.offset ? { ...position, offset: 0, generation: position.generation + 1 } : position);
    }
    for (const file of files) {
      const known = previous.get(file.identity);
      positions.set(file.identity, { name: file.name, offset: known?.offset ?? 0, generation: known?.generation ?? 0 });
    }

    const page: SourcePage = { records: [], malformed: [], nextCursor: null };
    const budget = { lines: this.config.maxBatchRecords, bytes: this.config.maxBatchBytes };
    for (const file of files) {
      if (budget.lines <= 0 || budget.bytes <= 0) break;
      const position = positions.get(file.identity)!;
      if (file.size !== position.offset) await this.readFile(file, position, page, budget);
    }
    const next = formatCursor(positions);
    page.nextCursor = next === formatCursor(previous) ? cursor : next;
    return page;
  }

  /** Adds the file's next lines to the page and moves its position past them. */
  private async readFile(file: ScannedFile, position: FilePosition, page: SourcePage, budget: { lines: number; bytes: number }): Promise<void> {
    const opened = await reopen(this.id, file);
    if (!opened) return; // replaced since the scan; the next fetch sees the new one
    try {
      if (opened.size < position.offset) {
        position.offset = 0;
        position.generation++;
      }
      const read = await readLines(opened.handle, position.offset, { maxLineBytes: this.config.maxRecordBytes, maxLines: budget.lines, maxBytes: budget.bytes });
      const fileId = position.generation === 0 ? file.identity : `${file.identity}.${position.generation}`;
      for (const line of read.lines) this.addLine(line, file.name, fileId, page);
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

/** The `<dev>-<ino>` part of an identity `<dev>-<ino>-<fingerprint>`. */
function inodeOf(identity: string): string {
  return identity.slice(0, identity.lastIndexOf('-'));
}
