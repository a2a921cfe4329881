/**
 * wharf run with the HDFS archive beside Elasticsearch and CouchDB, on the real stack: a
 * partition consumer is SIGKILLed while its segments are open (mid-file), then HDFS itself
 * (NameNode and DataNode) is SIGKILLed while records flow and started again. /readyz says 503
 * naming the archive while HDFS is gone; the partitions wait (Kafka holds the backlog). In the
 * end every file is read back: every offset of every partition once (no gap, no duplicate),
 * every upstream id there with its content, the segment index ranges chained without overlap
 * and matching the files, and no temporary file left; then `wharf verify` agrees.
 */
import { expect } from 'chai';
import { archiveContents, HDFS_URL, HDFS_USER, hdfsSuperuser, killHdfs, scratchDir, type ArchiveContents } from '../helpers/hdfs';
import { eventually, expectSinksHoldNewest, PipelineRun, stack } from '../helpers/pipeline';
import { getJson } from '../helpers/scrape';

type Readiness = { ready: boolean; reasons: string[] };

/** Every offset of every partition once, from 0 to its last, and the index saying the same. */
function expectExactlyOnce(archive: ArchiveContents, total: number): void {
  const byPartition = new Map<number, number[]>();
  for (const d of archive.documents) byPartition.set(d.partition, [...(byPartition.get(d.partition) ?? []), Number(d.offset)]);
  let count = 0;
  for (const [partition, offsets] of byPartition) {
    const sorted = [...offsets].sort((a, b) => a - b);
    expect(sorted, `partition ${partition}: every offset once, no gap`).to.deep.equal(sorted.map((_, i) => i));
    count += sorted.length;
    const segments = archive.segments.get(partition) ?? [];
    expect(segments[0]?.first, `partition ${partition}: the first segment`).to.equal(0n);
    for (let i = 1; i < segments.length; i++) expect(segments[i].first, `partition ${partition}: segment ${i} follows the one before, no overlap`).to.equal(segments[i - 1].last + 1n);
    expect(segments[segments.length - 1].last).to.equal(BigInt(sorted.length - 1));
    for (const s of segments) expect(s.records, `partition ${partition}: segment ${s.first}-${s.last} lists its documents`).to.equal(Number(s.last - s.first) + 1);
  }
  expect(count).to.equal(total);
  expect(archive.temporary, 'temporary files left').to.deep.equal([]);
}

describe('pipeline into the HDFS archive, with a consumer and then HDFS SIGKILLed mid-run (real stack)', function () {
  this.timeout(600_000);
  const run = new PipelineRun();
  let root = '';

  after(async () => {
    await stack('up', 'hdfs');
    await run.stop();
    if (root) await hdfsSuperuser().delete(root, { recursive: true }).catch(() => undefined);
  });

  it('archives every record exactly once, waits while HDFS is gone, and leaves no temporary file', async () => {
    root = await scratchDir('pipe-archive');
    run.upstream.add(1000);
    await run.start({ moreSinks: [{ id: 'archive', type: 'hdfs', url: HDFS_URL, path: root, user: HDFS_USER, rollBytes: 16 * 1024, rollMs: 4000 }] });
    const ops = await run.wharf!.opsUrl();
    const pidOf = (child: string) => Number(run.wharf!.lines.find((l) => l.event === 'child_started' && l.child === child)?.actorPid);
    await eventually(() => run.esCount(), (n) => n > 0, 60_000, 'the first documents');
    const topic = `${run.name}.records`;
    // Mid-file: segments are open (rolled only after 4 s) when the consumer dies.
    await eventually(() => archiveContents(root, topic), (a) => a.temporary.length > 0, 30_000, 'open segments');

    process.kill(pidOf('consumers-1'), 'SIGKILL');
    run.upstream.add(1000);
    await eventually(() => run.esCount(), (n) => n >= 1500, 120_000, '1500 in Elasticsearch after the consumer was killed');

    await killHdfs();
    run.upstream.add(1000);
    const notReady = await eventually(() => getJson<Readiness>(`${ops}/readyz`), (r) => r.status === 503, 60_000, '/readyz to answer 503');
    expect(notReady.body.reasons.join('\n')).to.contain('sink:archive');
    await eventually(
      () => Promise.resolve(run.wharf!.lines.filter((l) => l.msg === 'sink unavailable; partition waits and retries' && l.sink === 'archive').length),
      (n) => n > 0,
      60_000,
      'a consumer to report the archive unavailable',
    );
    await stack('up', 'hdfs');
    await eventually(() => getJson<Readiness>(`${ops}/readyz`), (r) => r.status === 200, 120_000, '/readyz to answer 200 again');

    // A file HDFS was writing when it died stays leased until the NameNode's soft limit (60 s).
    expect(await eventually(() => run.esCount(), (n) => n >= 3000, 300_000, 'all 3000 in Elasticsearch')).to.equal(3000);
    const archive = await eventually(() => archiveContents(root, topic), (a) => a.documents.length >= 3000 && a.temporary.length === 0, 120_000, 'all 3000 archived and finalized');
    expectExactlyOnce(archive, 3000);
    const latest = run.upstream.latest();
    expect(archive.documents.map((d) => d.id).sort()).to.deep.equal([...latest.keys()].map((id) => `orders:${id}`).sort());
    for (const { id, doc } of archive.documents) {
      const own = Object.fromEntries(Object.entries(doc).filter(([key]) => key !== 'wharf'));
      expect(own, id).to.deep.equal(latest.get(id.slice('orders:'.length)));
    }
    await expectSinksHoldNewest(run);
  });
});
