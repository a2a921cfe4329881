/**
 * HDFS archive benchmark (not a test), on the local stack's HDFS: RECORDS records of ~1 KB over
 * 6 partitions, in batches of BATCH, 4 partitions at a time (as a partition consumer delivers
 * them), into folders of its own under /wharf, removed at the end:
 *   1. the archive writer (`HdfsWriter`), gzip: per batch the checks, one APPEND per file, the
 *      ledger line, and the rolls (rollBytes 1 MiB) with their renames and index files;
 *   2. the same, plain NDJSON;
 *   3. ceiling: one WebHDFS CREATE per file of the very bytes the gzip archive ends with
 *      (encoded beforehand, not timed), so the difference is the archive's per-batch durability;
 *   4. ceiling of per-batch durability: the same gzip members, one APPEND per batch to one file
 *      per partition (no ledger, no checks, no rolls: what any archive that acknowledges a batch
 *      only once it is in HDFS must at least do);
 *   5. gzip encoding of those documents alone (CPU, no I/O), which rows 1 and 3 differ by too.
 * Rates are records per second and MiB per second of JSON documents.
 *
 * Run: npm run bench:archive [-- <records>]
 */
import { encodeLines } from '../src/sinks/hdfs/encoding';
import type { HdfsSinkConfig } from '../src/sinks/hdfs/config';
import { HdfsWriter } from '../src/sinks/hdfs/writer';
import { WebHdfsClient } from '../src/sinks/hdfs/webhdfs-client';
import { documentText, toDocument } from '../src/records/document';
import type { SinkRecord } from '../src/records/sink-record';
import { benchRecord, SOURCE_ID } from './pipeline/records';
import { runName } from './pipeline/stack';

const RECORDS = Number(process.argv[2] ?? 50_000);
const BATCH = 500;
const PARTITIONS = 6;
const CONCURRENT = 4;
const ROLL_BYTES = 1024 * 1024;
const TOPIC = 'bench.records';
const URL = `http://127.0.0.1:${process.env.WHARF_HDFS_HTTP_PORT ?? '9870'}`;
const MIB = 1024 * 1024;

/** Per partition, its batches of sink records, offsets from 0. */
function batches(): SinkRecord[][][] {
  const ingestedAt = new Date().toISOString();
  const perPartition: SinkRecord[][] = Array.from({ length: PARTITIONS }, () => []);
  for (let n = 1; n <= RECORDS; n++) {
    const list = perPartition[n % PARTITIONS];
    const offset = String(list.length);
    list.push({ id: `${SOURCE_ID}:${n}`, source: SOURCE_ID, ingestedAt, partition: n % PARTITIONS, offset, version: offset, payload: benchRecord(n) });
  }
  return perPartition.map((records) => Array.from({ length: Math.ceil(records.length / BATCH) }, (_, i) => records.slice(i * BATCH, (i + 1) * BATCH)));
}

/** Runs `work` for every partition, CONCURRENT at a time. */
async function eachPartition(work: (partition: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: CONCURRENT }, async () => {
    while (next < PARTITIONS) await work(next++);
  }));
}

async function timed(work: () => Promise<void> | void): Promise<number> {
  const started = performance.now();
  await work();
  return (performance.now() - started) / 1000;
}

async function main(): Promise<void> {
  const root = `/wharf/${runName()}`;
  const admin = new WebHdfsClient({ url: URL, user: 'wharf', requestTimeoutMs: 60_000 });
  const plan = batches();
  const jsonBytes = plan.flat(2).reduce((n, r) => n + Buffer.byteLength(JSON.stringify(toDocument(r))) + 1, 0);
  const rows: Array<{ row: string; seconds: number; recordsPerSecond: number; mibPerSecond: number; hdfsMiB?: number }> = [];
  const row = (label: string, seconds: number, hdfsBytes?: number) =>
    rows.push({ row: label, seconds: Number(seconds.toFixed(2)), recordsPerSecond: Math.round(RECORDS / seconds), mibPerSecond: Number((jsonBytes / MIB / seconds).toFixed(1)), ...(hdfsBytes === undefined ? {} : { hdfsMiB: Number((hdfsBytes / MIB).toFixed(1)) }) });
  try {
    for (const compression of ['gzip', 'none'] as const) {
      const config: HdfsSinkConfig = { id: 'archive', type: 'hdfs', url: URL, path: `${root}/${compression}`, user: 'wharf', compression, rollBytes: ROLL_BYTES, rollMs: 3_600_000, requestTimeoutMs: 60_000 };
      const writer = new HdfsWriter(config);
      await writer.prepare();
      const seconds = await timed(() => eachPartition(async (p) => {
        for (const batch of plan[p]) await writer.write(batch, { topic: TOPIC });
      }));
      await writer.close();
      row(`archive writer, ${compression === 'gzip' ? 'gzip' : 'plain'} (batches of ${BATCH}, rolls at 1 MiB)`, seconds, await usedBytes(admin, config.path));
      process.stderr.write(`${rows[rows.length - 1].row}: ${rows[rows.length - 1].recordsPerSecond} records/s\n`);
    }
    // The ceiling: the gzip archive's bytes (a gzip member per batch, files of ~1 MiB), one CREATE each.
    const members = await Promise.all(plan.map((partitionBatches) => Promise.all(partitionBatches.map((batch) => encodeLines(batch.map((r) => documentText(r)), 'gzip')))));
    const files: Buffer[][] = members.map((partitionMembers) => {
      const out: Buffer[] = [];
      let current: Buffer[] = [];
      let size = 0;
      for (const member of partitionMembers) {
        current.push(member);
        size += member.length;
        if (size >= ROLL_BYTES) {
          out.push(Buffer.concat(current));
          current = [];
          size = 0;
        }
      }
      if (current.length > 0) out.push(Buffer.concat(current));
      return out;
    });
    const ceilingBytes = files.flat().reduce((n, b) => n + b.length, 0);
    const create = await timed(() => eachPartition(async (p) => {
      for (const [i, body] of files[p].entries()) await admin.create(`${root}/ceiling/${TOPIC}-${p}-${i}.ndjson.gz`, body, { overwrite: false });
    }));
    row('ceiling: one WebHDFS CREATE per file of the same gzip bytes (encoded beforehand)', create, ceilingBytes);
    const append = await timed(() => eachPartition(async (p) => {
      const path = `${root}/appends/${TOPIC}-${p}.ndjson.gz`;
      for (const [i, member] of members[p].entries()) {
        if (i === 0) await admin.create(path, member, { overwrite: false });
        else await admin.append(path, member);
      }
    }));
    row('ceiling of per-batch durability: one APPEND per batch of the same gzip bytes (encoded beforehand)', append, ceilingBytes);
    const encode = await timed(async () => {
      for (const batch of plan.flat()) await encodeLines(batch.map((r) => documentText(r)), 'gzip');
    });
    row('gzip encoding of the same documents alone (CPU only, one batch at a time)', encode);
  } finally {
    await admin.delete(root, { recursive: true }).catch(() => undefined);
    await admin.close();
  }
  process.stdout.write(`${RECORDS} records of ~1 KB (${(jsonBytes / MIB).toFixed(1)} MiB of JSON documents), ${PARTITIONS} partitions, ${CONCURRENT} at a time\n`);
  for (const r of rows) process.stdout.write(`${r.row.padEnd(100)} ${String(r.recordsPerSecond).padStart(7)} records/s ${String(r.mibPerSecond).padStart(6)} MiB/s  ${r.seconds} s${r.hdfsMiB === undefined ? '' : `  (${r.hdfsMiB} MiB in HDFS)`}\n`);
  process.stdout.write(`${JSON.stringify({ records: RECORDS, jsonMiB: Number((jsonBytes / MIB).toFixed(1)), rows })}\n`);
}

/** Bytes of the finalized files under a folder (sources' folders, not _tmp or _index). */
async function usedBytes(hdfs: WebHdfsClient, path: string): Promise<number> {
  let total = 0;
  for (const entry of (await hdfs.list(path)) ?? []) {
    if (entry.type === 'DIRECTORY' && !entry.pathSuffix.startsWith('_')) total += await usedBytes(hdfs, `${path}/${entry.pathSuffix}`);
    else if (entry.type === 'FILE') total += entry.length;
  }
  return total;
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
