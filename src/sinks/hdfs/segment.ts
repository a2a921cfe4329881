/**
 * One segment in HDFS (layout.ts): reading a found one back from its ledger, settling it (every
 * file cut back to what the ledger acknowledged, files it does not know deleted), and finalizing
 * it (each file renamed to its final name, then the index written, then the temporary folder
 * deleted). Every step can be done again after a crash at any point: a rename whose target
 * exists was done before, the index is renamed into place only when complete.
 *
 * Settling also closes files a crash left open: TRUNCATE to the acknowledged length is a no-op
 * on a closed file of that length, cuts off an unacknowledged batch, and on a file whose writer
 * died (HDFS killed mid-append) fails until the NameNode's lease soft limit (60 s) has passed
 * and its lease recovery ran; the delivery retries meanwhile, Kafka holding the backlog.
 */
import { WebHdfsError } from './answers';
import { LEDGER, finalFile, indexDir, indexFile, tempFile, type PartitionPaths, type SegmentIndex } from './layout';
import { parseLedger } from './ledger';
import type { WebHdfsClient } from './webhdfs-client';

export interface Segment {
  dir: string;
  first: bigint;
  last: bigint;
  openedAt: number;
  /** Per file key: [bytes, documents] as acknowledged. */
  files: Map<string, [number, number]>;
  ledgerBytes: number;
}

const SETTLE_MS = 30_000;

/** A temporary segment as its ledger says; null when it acknowledged nothing (then it is only litter). */
export async function readSegment(hdfs: WebHdfsClient, dir: string): Promise<Segment | null> {
  let text: string;
  try {
    text = (await hdfs.read(`${dir}/${LEDGER}`)).toString('utf8');
  } catch (err) {
    if (err instanceof WebHdfsError && err.kind === 'not-found') return null;
    throw err;
  }
  const { entries, bytes } = parseLedger(text);
  if (entries.length === 0) return null;
  const last = entries[entries.length - 1];
  return {
    dir,
    first: BigInt(entries[0].first),
    last: BigInt(last.last),
    openedAt: entries[0].at,
    files: new Map(Object.entries(last.files)),
    ledgerBytes: bytes,
  };
}

/** The data files in a temporary segment folder, by file key (`<source>/<day>`), with their lengths. */
async function tempFiles(hdfs: WebHdfsClient, dir: string, extension: string): Promise<Map<string, number>> {
  const found = new Map<string, number>();
  for (const source of (await hdfs.list(dir)) ?? []) {
    if (source.type !== 'DIRECTORY') continue;
    for (const file of (await hdfs.list(`${dir}/${source.pathSuffix}`)) ?? []) {
      if (file.type === 'FILE' && file.pathSuffix.endsWith(extension)) found.set(`${source.pathSuffix}/${file.pathSuffix.slice(0, -extension.length)}`, file.length);
      else await hdfs.delete(`${dir}/${source.pathSuffix}/${file.pathSuffix}`, { recursive: true });
    }
  }
  return found;
}

/** Cuts a file to `length`, waiting while HDFS recovers its last block. */
async function cutTo(hdfs: WebHdfsClient, path: string, length: number): Promise<void> {
  const deadline = Date.now() + SETTLE_MS;
  for (;;) {
    try {
      if (await hdfs.truncate(path, length)) return;
    } catch (err) {
      if (!(err instanceof WebHdfsError && err.exception === 'RecoveryInProgressException') || Date.now() > deadline) throw err;
    }
    if (Date.now() > deadline) throw new WebHdfsError('transient', 'TRUNCATE', path, `HDFS is still recovering the file's last block after ${SETTLE_MS} ms`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

/** Brings a found segment's files back to what its ledger acknowledged. */
export async function settleSegment(hdfs: WebHdfsClient, segment: Segment, extension: string): Promise<void> {
  for (const [key, length] of await tempFiles(hdfs, segment.dir, extension)) {
    const acknowledged = segment.files.get(key);
    const path = tempFile(segment.dir, key, extension);
    if (!acknowledged) await hdfs.delete(path, { recursive: false });
    else if (length < acknowledged[0]) throw new WebHdfsError('invalid', 'SETTLE', path, `holds ${length} bytes but its ledger acknowledged ${acknowledged[0]}: the segment was altered behind wharf's back`);
    else await cutTo(hdfs, path, acknowledged[0]);
  }
  await cutTo(hdfs, `${segment.dir}/${LEDGER}`, segment.ledgerBytes);
}

/** Renames a settled segment's files to their final names, writes its index, removes its folder. */
export async function finalizeSegment(hdfs: WebHdfsClient, paths: PartitionPaths, segment: Segment): Promise<SegmentIndex> {
  const index: SegmentIndex = { topic: paths.topic, partition: paths.partition, first: String(segment.first), last: String(segment.last), files: [] };
  for (const [key, [bytes, records]] of [...segment.files].sort(([a], [b]) => (a < b ? -1 : 1))) {
    const target = finalFile(paths, key, segment.first, segment.last);
    await moveOnce(hdfs, tempFile(segment.dir, key, paths.extension), target);
    index.files.push({ path: target, bytes, records });
  }
  const pending = `${segment.dir}/_index.json`;
  await hdfs.create(pending, Buffer.from(`${JSON.stringify(index)}\n`), { overwrite: true });
  await hdfs.mkdirs(indexDir(paths));
  await moveOnce(hdfs, pending, indexFile(paths, segment.first, segment.last));
  await hdfs.delete(segment.dir, { recursive: true });
  return index;
}

/** Renames, treating "already there, source gone" as done (a rename an earlier attempt made). */
async function moveOnce(hdfs: WebHdfsClient, from: string, to: string): Promise<void> {
  await hdfs.mkdirs(to.slice(0, to.lastIndexOf('/')));
  try {
    await hdfs.rename(from, to);
  } catch (err) {
    if (!(err instanceof WebHdfsError)) throw err;
    const target = await hdfs.status(to);
    if (err.kind === 'exists' && target) return void (await hdfs.delete(from, { recursive: false }));
    if (err.kind === 'not-found' && target) return;
    throw err;
  }
}
