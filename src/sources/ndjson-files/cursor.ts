/**
 * The ndjson-files cursor: one JSON string (the poller keeps it in ZooKeeper) mapping each
 * tracked file's key (the prefix of its lines' ids, see file-identity.ts) to its current name,
 * the byte offset up to which its lines are in Kafka, its generation (how many truncations of
 * that same file were seen; it keeps the ids of rewritten content apart from the old), `ino`,
 * the `<dev>-<ino>` it had on the machine that wrote the cursor (a hint only: it follows renames
 * there, and means nothing elsewhere), and `tail`, a fingerprint of the bytes just before the
 * offset, by which another machine recognises the file. `seq` numbers the keys given to files
 * whose first line another tracked file already had. Entries at offset 0 and generation 0 whose
 * key is their bare fingerprint are left out, as absent means exactly that. The text is
 * canonical (keys sorted), so an unchanged state gives an unchanged string and the poller can
 * tell "nothing new".
 *
 *   {"v":2,"seq":1,"files":{"9f86d081884c7d65":{"name":"app.ndjson","offset":1024,"ino":"2049-131","tail":"…"}}}
 *
 * A version 1 cursor (keys `<dev>-<ino>-<fingerprint>`, no `ino` nor `tail`) is migrated on
 * load: each key is kept as is (so its files keep their ids), its `<dev>-<ino>` becomes `ino`.
 */
import { InvalidCursorError } from '../source-adapter';

export interface FilePosition {
  name: string;
  offset: number;
  generation: number;
  /** `<dev>-<ino>` on the machine that last read the file. */
  inode?: string;
  /** Fingerprint of the bytes before `offset` (absent at offset 0, and in migrated entries). */
  tail?: string;
}

/** File key -> position. */
export type FilePositions = Map<string, FilePosition>;

export interface NdjsonCursor {
  /** The next number for a key `<fingerprint>~<n>`. */
  seq: number;
  files: FilePositions;
}

// The stored forms are checked by hand, not with zod: this runs in the poller process, which
// otherwise needs none of zod (about 11 MiB). Objects are strict (no other keys), as zod's were.
type Check = (value: unknown) => boolean;
const isString: Check = (v) => typeof v === 'string';
const isInt = (min: number): Check => (v) => Number.isSafeInteger(v) && (v as number) >= min;
const optional = (check: Check): Check => (v) => v === undefined || check(v);
const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);
const strictObject = (shape: Record<string, Check>): Check => (v) =>
  isObject(v) && Object.keys(v).every((key) => Object.hasOwn(shape, key)) && Object.entries(shape).every(([key, check]) => check(v[key]));
const recordOf = (value: Check, key?: RegExp): Check => (v) => isObject(v) && Object.entries(v).every(([k, entry]) => (key?.test(k) ?? true) && value(entry));

interface StoredFile {
  name: string;
  offset: number;
  gen?: number;
  ino?: string;
  tail?: string;
}

const isV1 = strictObject({
  v: (v) => v === 1,
  files: recordOf(strictObject({ name: isString, offset: isInt(0), gen: optional(isInt(1)) }), /^\d+-\d+-[0-9a-f]{16}$/),
});

const isV2 = strictObject({
  v: (v) => v === 2,
  seq: optional(isInt(1)),
  files: recordOf(strictObject({ name: isString, offset: isInt(0), gen: optional(isInt(1)), ino: optional(isString), tail: optional(isString) })),
});

/** Why `cursor` is not an ndjson-files cursor, or undefined (`wharf cursor set` checks with it). */
export function cursorProblem(cursor: string): string | undefined {
  try {
    parseCursor('', cursor);
    return undefined;
  } catch (err) {
    if (!(err instanceof InvalidCursorError)) throw err;
    return 'not an ndjson-files cursor: expected the JSON object this source type stores ({"v":2,"files":{...}}; `wharf cursor get` shows one)';
  }
}

export function parseCursor(source: string, cursor: string | null): NdjsonCursor {
  if (cursor === null) return { seq: 0, files: new Map() };
  let json: unknown;
  try {
    json = JSON.parse(cursor);
  } catch {
    json = undefined;
  }
  if (isV2(json)) {
    const v2 = json as { seq?: number; files: Record<string, StoredFile> };
    const entries = Object.entries(v2.files).map(([key, f]): [string, FilePosition] => [
      key,
      { name: f.name, offset: f.offset, generation: f.gen ?? 0, ...(f.ino === undefined ? {} : { inode: f.ino }), ...(f.tail === undefined ? {} : { tail: f.tail }) },
    ]);
    return { seq: v2.seq ?? 0, files: new Map(entries) };
  }
  if (isV1(json)) {
    const v1 = json as { files: Record<string, StoredFile> };
    const entries = Object.entries(v1.files).map(([key, f]): [string, FilePosition] => [
      key,
      { name: f.name, offset: f.offset, generation: f.gen ?? 0, inode: key.slice(0, key.lastIndexOf('-')) },
    ]);
    return { seq: 0, files: new Map(entries) };
  }
  throw new InvalidCursorError(source, `not an ndjson-files cursor: ${cursor.slice(0, 200)}`);
}

export function formatCursor(cursor: NdjsonCursor, isBareKey: (key: string) => boolean): string {
  const files: Record<string, { name: string; offset: number; gen?: number; ino?: string; tail?: string }> = {};
  for (const key of [...cursor.files.keys()].sort()) {
    const { name, offset, generation, inode, tail } = cursor.files.get(key)!;
    if (offset === 0 && generation === 0 && isBareKey(key)) continue;
    files[key] = { name, offset };
    if (generation !== 0) files[key].gen = generation;
    if (inode !== undefined) files[key].ino = inode;
    if (tail !== undefined && offset > 0) files[key].tail = tail;
  }
  return JSON.stringify(cursor.seq === 0 ? { v: 2, files } : { v: 2, seq: cursor.seq, files });
}
