/**
 * Which cursor entry each scanned file is, and the key of a file seen for the first time. A
 * file's key prefixes the ids of its lines (`<key>[.<generation>]:<byte offset>`); it depends on
 * content and on the cursor only, never on device or inode numbers, so the same files with the
 * same cursor give the same ids on any machine (a hand-over, a shared mount, a copied
 * directory). The rules, in order:
 *
 * 1. This machine: an entry whose `ino` is the file's `<dev>-<ino>` and whose key carries the
 *    file's fingerprint is that file, renamed or not (rotation). Another fingerprint under the
 *    same inode is a reused inode or a rewritten file: not that entry.
 * 2. By content, for the entries left (another machine, a file copied or moved across file
 *    systems, or copied away by copytruncate): an entry is the left file with its fingerprint
 *    that is at least as long as the entry's offset and whose tail there (the bytes just before
 *    it) is the entry's tail; at offset 0 the fingerprint suffices; an entry migrated from a
 *    version 1 cursor has no tail and needs the same name instead. A file of the entry's name is
 *    tried first, then the others oldest first.
 * 3. A file left is new: its key is its fingerprint, or `<fingerprint>~<n>` (n from the
 *    cursor's `seq`, never reused while the cursor lives) when a tracked file, or one keyed
 *    earlier in this scan, already has that fingerprint: files with identical first lines (a
 *    header, the same first record) get distinct ids.
 *
 * An entry matching no file is gone, unless its inode is a pending file (emptied in place): it
 * stays, truncated (offset 0, next generation), so content rewritten with the same first line is
 * told from the old.
 */
import type { NdjsonCursor, FilePosition, FilePositions } from './cursor';
import type { DirectoryScan, ScannedFile } from './file-scan';

const KEY = /([0-9a-f]{16})(~\d+)?$/;

/** The first-line fingerprint a key carries (bare `<fp>`, `<fp>~<n>`, or version 1's `<dev>-<ino>-<fp>`). */
export function fingerprintOf(key: string): string {
  return KEY.exec(key)?.[1] ?? '';
}

/** A key that is just a fingerprint, so re-derived when the file is seen again (its entry need not be stored at offset 0). */
export function isBareKey(key: string): boolean {
  return /^[0-9a-f]{16}$/.test(key);
}

export type TailOf = (file: ScannedFile, offset: number) => Promise<string | null>;

export interface Matching {
  /** The next cursor, before this fetch reads anything: every scanned file has its entry. */
  cursor: NdjsonCursor;
  keyOf: Map<ScannedFile, string>;
}

export async function matchFiles(previous: NdjsonCursor, scan: DirectoryScan, tailOf: TailOf): Promise<Matching> {
  const files: FilePositions = new Map();
  const keyOf = new Map<ScannedFile, string>();
  const left = new Map(previous.files);
  const take = (key: string, file: ScannedFile, known?: FilePosition) => {
    keyOf.set(file, key);
    files.set(key, { name: file.name, offset: known?.offset ?? 0, generation: known?.generation ?? 0, inode: file.inode, ...(known?.tail === undefined ? {} : { tail: known.tail }) });
    left.delete(key);
  };

  for (const file of scan.files) {
    const key = [...left.keys()].find((k) => left.get(k)!.inode === file.inode && fingerprintOf(k) === file.fingerprint);
    if (key !== undefined) take(key, file, left.get(key));
  }
  for (const key of [...left.keys()].sort()) {
    const entry = left.get(key)!;
    const candidates = scan.files.filter((f) => !keyOf.has(f) && f.fingerprint === fingerprintOf(key));
    candidates.sort((a, b) => Number(b.name === entry.name) - Number(a.name === entry.name));
    for (const file of candidates) {
      if (await isConsistent(entry, file, tailOf)) {
        take(key, file, entry);
        break;
      }
    }
  }
  for (const [key, entry] of left) {
    const size = entry.inode === undefined ? undefined : scan.pending.get(entry.inode);
    if (size !== undefined) files.set(key, size < entry.offset ? { name: entry.name, offset: 0, generation: entry.generation + 1, inode: entry.inode } : entry);
  }

  const taken = new Set([...previous.files.keys()].map(fingerprintOf));
  let seq = previous.seq;
  for (const file of scan.files) {
    if (keyOf.has(file)) continue;
    take(taken.has(file.fingerprint) ? `${file.fingerprint}~${++seq}` : file.fingerprint, file);
    taken.add(file.fingerprint);
  }
  return { cursor: { seq, files }, keyOf };
}

async function isConsistent(entry: FilePosition, file: ScannedFile, tailOf: TailOf): Promise<boolean> {
  if (entry.offset === 0) return true;
  if (file.size < entry.offset) return false;
  if (entry.tail === undefined) return file.name === entry.name;
  return (await tailOf(file, entry.offset)) === entry.tail;
}
