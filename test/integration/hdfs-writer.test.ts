/**
 * The HDFS archive writer against the real HDFS: every offset archived once whatever the
 * re-deliveries (same or other batch boundaries), files under source and day named by topic,
 * partition and range, rolled by size and by age; a new owner that finds a segment a crashed
 * one left half-written (bytes past its ledger, a torn ledger line, litter without a ledger)
 * cuts it back to what was acknowledged, finalizes it and goes on from HDFS's high-water mark;
 * and permission denied, safe mode and a space quota make the sink unavailable, never refuse
 * documents.
 */
import { expect } from 'chai';
import { archivedFiles, readDocuments, readIndex, segmentIndexes } from '../../src/sinks/hdfs/archive-files';
import type { HdfsSinkConfig } from '../../src/sinks/hdfs/config';
import { segmentDir, tempFile } from '../../src/sinks/hdfs/layout';
import { hdfsCheck } from '../../src/sinks/hdfs/health';
import { HdfsReader } from '../../src/sinks/hdfs/reader';
import { HdfsWriter } from '../../src/sinks/hdfs/writer';
import { SinkUnavailableError } from '../../src/sinks/sink-writer';
import type { SinkRecord } from '../../src/records/sink-record';
import { freePort } from '../helpers/names';
import { dfsadmin, HDFS_URL, HDFS_USER, hdfsClient, hdfsSuperuser, scratchDir } from '../helpers/hdfs';

const TOPIC = 'wharf.records';

/** Records of one partition at offsets [from, to], of two sources, over two ingest days. */
function partitionRecords(partition: number, from: number, to: number): SinkRecord[] {
  return Array.from({ length: to - from + 1 }, (_, i) => {
    const offset = from + i;
    const source = offset % 3 === 0 ? 'users' : 'orders';
    return {
      id: `${source}:${offset % 40}`,
      source,
      ingestedAt: new Date(Date.UTC(2026, 10, offset < 60 ? 29 : 30, 12)).toISOString(),
      partition,
      offset: String(offset),
      version: String(offset),
      payload: { n: offset, text: 'x'.repeat(50) },
    };
  });
}

/** Every archived document's offset, per partition, in file order (must be each offset once). */
async function archivedOffsets(root: string): Promise<Map<number, number[]>> {
  const hdfs = hdfsClient();
  const seen = new Map<number, number[]>();
  for await (const file of archivedFiles(hdfs, root)) {
    for (const doc of await readDocuments(hdfs, file)) {
      const meta = doc.wharf as { partition: number; offset: string };
      seen.set(meta.partition, [...(seen.get(meta.partition) ?? []), Number(meta.offset)]);
    }
  }
  await hdfs.close();
  return seen;
}

const sorted = (values: number[]) => [...values].sort((a, b) => a - b);
const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

describe('hdfs archive writer (real HDFS)', function () {
  this.timeout(180_000);
  const dirs: string[] = [];
  const writers: HdfsWriter[] = [];

  async function sink(overrides: Partial<HdfsSinkConfig> = {}): Promise<HdfsSinkConfig> {
    const path = await scratchDir('archive');
    dirs.push(path);
    return { id: 'archive', type: 'hdfs', url: HDFS_URL, path, user: HDFS_USER, compression: 'gzip', rollBytes: 64 * 1024 * 1024, rollMs: 600_000, requestTimeoutMs: 30_000, ...overrides };
  }
  function writer(config: HdfsSinkConfig): HdfsWriter {
    const w = new HdfsWriter(config);
    writers.push(w);
    return w;
  }

  after(async () => {
    for (const w of writers) await w.close();
    const admin = hdfsSuperuser();
    for (const dir of dirs) await admin.delete(dir, { recursive: true }).catch(() => undefined);
    await admin.close();
  });

  it('archives each offset once: re-deliveries with the same or other boundaries are skipped; files by source and day, rolled by size', async () => {
    const config = await sink({ rollBytes: 2048 });
    const w = writer(config);
    await w.prepare();
    expect(await w.write(partitionRecords(2, 0, 49), { topic: TOPIC })).to.include({ written: 50, unchanged: 0 });
    expect(await w.write(partitionRecords(2, 0, 49), { topic: TOPIC })).to.include({ written: 0, unchanged: 50 });
    expect(await w.write(partitionRecords(2, 30, 89), { topic: TOPIC })).to.include({ written: 40, unchanged: 20 });
    expect(await w.write(partitionRecords(2, 90, 139), { topic: TOPIC })).to.include({ written: 50, unchanged: 0 });
    await w.close();

    // A new owner (first contact) finds everything in HDFS, whatever it was told before.
    const next = writer(config);
    expect(await next.write(partitionRecords(2, 60, 159), { topic: TOPIC })).to.include({ written: 20, unchanged: 80 });
    await next.close();
    const third = writer(config);
    expect(await third.write(partitionRecords(2, 100, 159), { topic: TOPIC })).to.include({ written: 0, unchanged: 60 });

    expect(sorted((await archivedOffsets(config.path)).get(2)!)).to.deep.equal(range(0, 159));
    const hdfs = hdfsClient();
    const files = [];
    for await (const file of archivedFiles(hdfs, config.path)) files.push(file);
    expect(new Set(files.map((f) => `${f.source}/${f.day}`))).to.deep.equal(new Set(['orders/2026-11-29', 'orders/2026-11-30', 'users/2026-11-29', 'users/2026-11-30']));
    expect(files.every((f) => f.topic === TOPIC && f.partition === 2 && f.compressed && f.path.endsWith('.ndjson.gz'))).to.equal(true);
    const segments = (await segmentIndexes(hdfs, config.path)).get(`${TOPIC}/2`)!;
    expect(segments.length).to.be.greaterThan(1);
    expect(segments[0].first).to.equal(0n);
    for (let i = 1; i < segments.length; i++) expect(segments[i].first).to.equal(segments[i - 1].last + 1n);
    const index = await readIndex(hdfs, segments[0].path);
    expect(index.files.reduce((n, f) => n + f.records, 0)).to.equal(Number(segments[0].last - segments[0].first) + 1);
    expect(await hdfs.list(`${config.path}/_tmp/${TOPIC}/2`)).to.deep.equal([]);
    await hdfs.close();
  });

  it('a new owner cuts a crashed segment back to its ledger, finalizes it, removes litter, and continues after it', async () => {
    const config = await sink({ compression: 'none' });
    const crashed = writer(config);
    await crashed.prepare();
    await crashed.write(partitionRecords(4, 0, 29), { topic: TOPIC });
    await crashed.write(partitionRecords(4, 30, 59), { topic: TOPIC });
    // The crash: the next batch's documents were half appended, its ledger line torn, and a
    // segment was begun elsewhere without any acknowledged batch.
    const hdfs = hdfsClient();
    const paths = { root: config.path, topic: TOPIC, partition: 4, extension: '.ndjson' };
    const open = segmentDir(paths, 0n);
    await hdfs.append(tempFile(open, 'orders/2026-11-29', '.ndjson'), Buffer.from('{"half":'));
    await hdfs.append(`${open}/_ledger`, Buffer.from('{"first":"60","la'));
    await hdfs.create(tempFile(segmentDir(paths, 500n), 'orders/2026-11-30', '.ndjson'), Buffer.from('{"never":"acknowledged"}\n'), { overwrite: false });

    const owner = writer(config);
    expect(await owner.write(partitionRecords(4, 40, 79), { topic: TOPIC })).to.include({ written: 20, unchanged: 20 });
    expect(sorted((await archivedOffsets(config.path)).get(4)!)).to.deep.equal(range(0, 59));
    expect((await hdfs.list(`${config.path}/_tmp/${TOPIC}/4`))!.map((s) => s.pathSuffix)).to.deep.equal(['00000000000000000060']);
    const segments = (await segmentIndexes(hdfs, config.path)).get(`${TOPIC}/4`)!;
    expect(segments.map((s) => [s.first, s.last])).to.deep.equal([[0n, 59n]]);
    await hdfs.close();
  });

  it('the reader lists the newest version of each id, from finalized files and from open segments up to their ledger', async () => {
    const config = await sink();
    const first = writer(config);
    await first.write(partitionRecords(3, 0, 59), { topic: TOPIC });
    await first.close();
    // The next owner finalizes that segment on first contact; its own batch stays in an open one.
    await writer(config).write(partitionRecords(3, 60, 79), { topic: TOPIC });
    const hdfs = hdfsClient();
    const open = (await hdfs.list(`${config.path}/_tmp/${TOPIC}/3`))!;
    expect(open, 'an open segment').to.have.length(1);
    await hdfs.append(tempFile(`${config.path}/_tmp/${TOPIC}/3/${open[0].pathSuffix}`, 'orders/2026-11-30', '.ndjson.gz'), Buffer.from('not acknowledged'));
    await hdfs.close();
    const expected = new Map<string, string>();
    for (const r of partitionRecords(3, 0, 79)) expected.set(r.id, r.offset);
    const reader = new HdfsReader(config);
    const listed = new Map<string, string | null>();
    for await (const stored of reader.scan()) listed.set(stored.id, stored.version);
    await reader.close();
    expect(listed).to.deep.equal(expected);
  });

  it('finalizes an idle segment once it is rollMs old', async () => {
    const config = await sink({ rollMs: 1000 });
    const w = writer(config);
    await w.write(partitionRecords(0, 0, 9), { topic: TOPIC });
    const hdfs = hdfsClient();
    let segments: Array<{ first: bigint; last: bigint }> = [];
    for (let i = 0; i < 100 && segments.length === 0; i++) {
      await new Promise((r) => setTimeout(r, 200));
      segments = (await segmentIndexes(hdfs, config.path)).get(`${TOPIC}/0`) ?? [];
    }
    expect(segments.map((s) => [s.first, s.last])).to.deep.equal([[0n, 9n]]);
    await hdfs.close();
  });

  it('permission denied, safe mode and a full space quota make the sink unavailable, saying why; nothing is refused', async () => {
    const denied = writer({ ...(await sink()), path: '/wharf-denied/archive' });
    const refused = await denied.prepare().then(() => null, (err: unknown) => err);
    expect(refused).to.be.instanceOf(SinkUnavailableError);
    expect((refused as Error).message).to.contain('permission denied');

    const config = await sink();
    const w = writer(config);
    await w.prepare();
    await dfsadmin('-safemode', 'enter');
    try {
      const err = await w.write(partitionRecords(1, 0, 9), { topic: TOPIC }).then(() => null, (e: unknown) => e);
      expect(err).to.be.instanceOf(SinkUnavailableError);
      expect((err as Error).message).to.contain('safe mode');
    } finally {
      await dfsadmin('-safemode', 'leave');
    }
    expect(await w.write(partitionRecords(1, 0, 9), { topic: TOPIC })).to.include({ written: 10 });

    await dfsadmin('-setSpaceQuota', '1k', config.path);
    const full = await w.write(partitionRecords(1, 10, 19), { topic: TOPIC }).then(() => null, (e: unknown) => e);
    expect(full).to.be.instanceOf(SinkUnavailableError);
    expect((full as Error).message).to.contain('quota');
    await dfsadmin('-clrSpaceQuota', config.path);
    expect(await w.write(partitionRecords(1, 10, 19), { topic: TOPIC })).to.include({ written: 10 });
    await w.close();
    const next = writer({ ...config, rollMs: 1000 });
    expect(await next.write(partitionRecords(1, 0, 19), { topic: TOPIC })).to.include({ written: 0, unchanged: 20 });
    expect(sorted((await archivedOffsets(config.path)).get(1)!)).to.deep.equal(range(0, 19));
  });

  it('the health check (so /readyz) fails for a wrong URL, permission denied, safe mode and a full quota, naming the sink and the cause', async () => {
    const config = await sink();
    const failing = (c: HdfsSinkConfig) => hdfsCheck(c).run().then(() => 'passed', (e: Error) => e.message);
    expect(await hdfsCheck(config).run()).to.contain(`WebHDFS writable at ${config.path} as wharf`);
    expect(await failing({ ...config, url: `http://127.0.0.1:${await freePort()}` })).to.match(/^sink:archive unavailable: .*ECONNREFUSED/);
    expect(await failing({ ...config, user: 'stranger' })).to.contain('permission denied');
    await dfsadmin('-setSpaceQuota', '1k', config.path);
    expect(await failing(config)).to.contain('space quota exceeded');
    await dfsadmin('-clrSpaceQuota', config.path);
    await dfsadmin('-safemode', 'enter');
    try {
      expect(await failing(config)).to.contain('safe mode');
    } finally {
      await dfsadmin('-safemode', 'leave');
    }
    expect(await hdfsCheck(config).run()).to.contain('WebHDFS writable');
  });
});
