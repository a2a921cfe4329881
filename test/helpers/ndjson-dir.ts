/** A temporary directory of NDJSON files, written the ways writers and rotators do it. */
import { appendFileSync, cpSync, mkdtempSync, renameSync, rmSync, truncateSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SourceAdapter, SourcePage } from '../../src/sources/source-adapter';

export class NdjsonDir {
  readonly path = mkdtempSync(join(tmpdir(), 'wharf-ndjson-'));

  file(name: string): string {
    return join(this.path, name);
  }

  /** Appends records as NDJSON lines (creating the file if needed). */
  append(name: string, records: readonly object[]): void {
    this.appendRaw(name, records.map((r) => `${JSON.stringify(r)}\n`).join(''));
  }

  appendRaw(name: string, text: string | Buffer): void {
    appendFileSync(this.file(name), text);
  }

  write(name: string, text: string | Buffer): void {
    writeFileSync(this.file(name), text);
  }

  rename(from: string, to: string): void {
    renameSync(this.file(from), this.file(to));
  }

  truncate(name: string): void {
    truncateSync(this.file(name), 0);
  }

  /** Sets a file's modification time, seconds from the epoch (order of files is by mtime). */
  touch(name: string, seconds: number): void {
    utimesSync(this.file(name), seconds, seconds);
  }

  remove(name: string): void {
    rmSync(this.file(name));
  }

  /** A copy of the whole directory, as another machine would see it after a copy or on another mount: new inodes, same names, content and modification times. */
  copy(): NdjsonDir {
    const copy = new NdjsonDir();
    cpSync(this.path, copy.path, { recursive: true, preserveTimestamps: true });
    return copy;
  }

  cleanup(): void {
    rmSync(this.path, { recursive: true, force: true });
  }
}

/** Every page after `cursor` until the cursor stops moving, as the poller follows them. */
export async function drain(source: SourceAdapter, cursor: string | null): Promise<SourcePage & { pages: number }> {
  const all: SourcePage & { pages: number } = { records: [], malformed: [], nextCursor: cursor, pages: 0 };
  for (;;) {
    const page = await source.fetch(all.nextCursor);
    all.records.push(...page.records);
    all.malformed.push(...page.malformed);
    all.pages++;
    if (page.nextCursor === null || page.nextCursor === all.nextCursor) return all;
    all.nextCursor = page.nextCursor;
  }
}
