/**
 * Lists the files an ndjson-files source follows and what tells each one apart. A file's
 * fingerprint is the first 16 hex digits of the SHA-256 of its first line (newline included), or
 * of its first KiB when that line is longer: it depends on content only, so a copy of the file on
 * another machine has the same. Its `<dev>-<ino>` follows it through renames on this machine
 * (rotation), and tells a hard link from a second file. Until a file has a complete first line
 * (or a KiB) it has no fingerprint and is "pending": not read yet, since bytes written later
 * could still change it. Its tail at an offset (a fingerprint of the bytes just before it) is
 * how a cursor entry recognises its file where the inode means nothing (file-identity.ts).
 */
import { createHash } from 'node:crypto';
import { open, readdir, stat, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { describeError } from '../../errors';
import { SourceUnavailableError } from '../source-adapter';

const FINGERPRINT_BYTES = 1024;
const TAIL_BYTES = 256;

export interface ScannedFile {
  fingerprint: string;
  /** `<dev>-<ino>`: all a pending file is known by. */
  inode: string;
  name: string;
  path: string;
  size: number;
  mtimeNs: bigint;
}

export interface DirectoryScan {
  /** Files with a fingerprint, oldest first (modification time, then name), one per inode. */
  files: ScannedFile[];
  /** Matching files that have no fingerprint yet: inode -> size. */
  pending: Map<string, number>;
}

export async function scanDirectory(source: string, directory: string, pattern: RegExp): Promise<DirectoryScan> {
  let names: string[];
  try {
    names = (await readdir(directory)).filter((name) => pattern.test(name)).sort();
  } catch (err) {
    throw new SourceUnavailableError(source, `cannot list directory ${directory}: ${describeError(err)}`, { cause: err });
  }
  const byInode = new Map<string, ScannedFile>();
  const pending = new Map<string, number>();
  for (const name of names) {
    const file = await identify(source, join(directory, name), name);
    if (file === 'gone') continue;
    if ('pendingInode' in file) pending.set(file.pendingInode, file.size);
    // A hard link is the same file: read it once, under its first name.
    else if (!byInode.has(file.inode)) byInode.set(file.inode, file);
  }
  const files = [...byInode.values()].sort((a, b) => compare(a.mtimeNs, b.mtimeNs) || compare(a.name, b.name));
  return { files, pending };
}

/** Opens a file by name and checks it is still the one scanned (a rotation may have replaced it since); null if not. */
export async function reopen(source: string, file: ScannedFile): Promise<{ handle: FileHandle; size: number } | null> {
  const handle = await openIfPresent(source, file.path);
  if (!handle) return null;
  try {
    const stats = await handle.stat({ bigint: true });
    if (inodeOf(stats) === file.inode) return { handle, size: Number(stats.size) };
  } catch (err) {
    await handle.close();
    throw new SourceUnavailableError(source, `cannot read ${file.path}: ${describeError(err)}`, { cause: err });
  }
  await handle.close();
  return null;
}

/** The fingerprint of the (up to) 256 bytes before `offset`: with the first line's, it recognises a file read up to there. */
export async function tailAt(handle: FileHandle, offset: number): Promise<string> {
  const start = Math.max(0, offset - TAIL_BYTES);
  const window = Buffer.alloc(offset - start);
  const { bytesRead } = await handle.read(window, 0, window.length, start);
  return createHash('sha256').update(window.subarray(0, bytesRead)).digest('hex').slice(0, 16);
}

/** The file's tail at `offset`, or null if it is no longer there (or another file is under its name). */
export async function tailOf(source: string, file: ScannedFile, offset: number): Promise<string | null> {
  const opened = await reopen(source, file);
  if (!opened) return null;
  try {
    return await tailAt(opened.handle, offset);
  } catch (err) {
    throw new SourceUnavailableError(source, `cannot read ${file.path}: ${describeError(err)}`, { cause: err });
  } finally {
    await opened.handle.close();
  }
}

async function identify(source: string, path: string, name: string): Promise<ScannedFile | { pendingInode: string; size: number } | 'gone'> {
  // Only regular files (through symlinks): opening a FIFO would block.
  if (!(await isRegularFile(source, path))) return 'gone';
  const handle = await openIfPresent(source, path);
  if (!handle) return 'gone';
  try {
    // Stat and fingerprint through one handle, so both describe the same file even mid-rotation.
    const stats = await handle.stat({ bigint: true });
    const inode = inodeOf(stats);
    const head = Buffer.alloc(FINGERPRINT_BYTES);
    const { bytesRead } = await handle.read(head, 0, FINGERPRINT_BYTES, 0);
    const newline = head.subarray(0, bytesRead).indexOf(0x0a);
    if (newline === -1 && bytesRead < FINGERPRINT_BYTES) return { pendingInode: inode, size: Number(stats.size) };
    const firstLine = head.subarray(0, newline === -1 ? FINGERPRINT_BYTES : newline + 1);
    const fingerprint = createHash('sha256').update(firstLine).digest('hex').slice(0, 16);
    return { fingerprint, inode, name, path, size: Number(stats.size), mtimeNs: stats.mtimeNs };
  } catch (err) {
    throw new SourceUnavailableError(source, `cannot read ${path}: ${describeError(err)}`, { cause: err });
  } finally {
    await handle.close();
  }
}

async function isRegularFile(source: string, path: string): Promise<boolean> {
  try {
    return (await stat(path)).isFile();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw new SourceUnavailableError(source, `cannot stat ${path}: ${describeError(err)}`, { cause: err });
  }
}

async function openIfPresent(source: string, path: string): Promise<FileHandle | null> {
  try {
    return await open(path, 'r');
  } catch (err) {
    // Deleted or renamed since the directory was listed: the next scan sees what is there now.
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw new SourceUnavailableError(source, `cannot open ${path}: ${describeError(err)}`, { cause: err });
  }
}

function inodeOf(stats: { dev: bigint; ino: bigint }): string {
  return `${stats.dev}-${stats.ino}`;
}

function compare<T extends bigint | string>(a: T, b: T): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
