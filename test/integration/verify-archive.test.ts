/**
 * `wharf verify --sink archive` on the real stack: after a pipeline run into the HDFS archive,
 * every offset range is there once (exit 0, no range problem); then the archive is damaged as
 * an operator might find it (a segment's index lost, a segment copied under an overlapping
 * range, a data file deleted) and verify names each problem with its partition and offsets,
 * and exits 1.
 */
import { expect } from 'chai';
import { archiveContents, HDFS_URL, HDFS_USER, hdfsClient, hdfsSuperuser, scratchDir } from '../helpers/hdfs';
import { eventually, PipelineRun } from '../helpers/pipeline';
import { WharfProcess } from '../helpers/wharf-process';
import { indexFile } from '../../src/sinks/hdfs/layout';
import { readIndex, segmentIndexes } from '../../src/sinks/hdfs/archive-files';

interface Line {
  kind?: string;
  partition?: number;
  from?: string;
  to?: string;
  detail?: string;
  archiveRanges?: Record<string, number>;
}

describe('wharf verify --sink archive: every offset range once (real stack)', function () {
  this.timeout(300_000);
  const run = new PipelineRun();
  let root = '';

  after(async () => {
    await run.stop();
    if (root) await hdfsSuperuser().delete(root, { recursive: true }).catch(() => undefined);
  });

  async function verifyArchive(): Promise<{ code: number | null; lines: Line[]; stderr: string }> {
    const verify = new WharfProcess(['verify', '--sink', 'archive', '--json', '--config', run.configFile]);
    const code = await verify.exited;
    return { code, lines: verify.stdout.trim().split('\n').map((l) => JSON.parse(l) as Line), stderr: verify.stderr };
  }

  it('passes on a whole archive, and names each gap, overlap and lost file', async () => {
    root = await scratchDir('verify-archive');
    await run.start({ moreSinks: [{ id: 'archive', type: 'hdfs', url: HDFS_URL, path: root, user: HDFS_USER, rollBytes: 1024, rollMs: 2000 }] });
    for (let round = 0; round < 5; round++) {
      run.upstream.add(200);
      await new Promise((r) => setTimeout(r, 700));
    }
    const topic = `${run.name}.records`;
    await eventually(() => archiveContents(root, topic), (a) => a.documents.length >= 1000 && a.temporary.length === 0, 120_000, 'all 1000 archived and finalized');
    run.wharf!.signal('SIGTERM');
    await run.wharf!.exited;

    const whole = await verifyArchive();
    expect(whole.code, whole.stderr).to.equal(0);
    expect(whole.lines.find((l) => l.archiveRanges)!.archiveRanges).to.include({ gap: 0, overlap: 0, behind: 0, file: 0, open: 0 });

    // Damage: the partition with the most segments loses its second one's index, another
    // partition's first segment appears again from one offset later, and one data file of a
    // third is deleted.
    const hdfs = hdfsClient();
    const segments = await segmentIndexes(hdfs, root);
    const byCount = [...segments.entries()].sort(([, a], [, b]) => b.length - a.length).map(([key, list]) => ({ partition: Number(key.split('/').pop()), list }));
    const [[a, p0], [b, p1], [c, p2]] = byCount.slice(0, 3).map((e) => [e.partition, e.list] as const);
    expect(p0.length, `partition ${a} has several segments`).to.be.greaterThan(2);
    await hdfs.delete(p0[1].path, { recursive: false });
    const paths = { root, topic, partition: b, extension: '.ndjson.gz' };
    const copy = indexFile(paths, p1[0].first + 1n, p1[0].last);
    await hdfs.create(copy, await hdfs.read(p1[0].path), { overwrite: false });
    const lost = (await readIndex(hdfs, p2[0].path)).files[0].path;
    await hdfs.delete(lost, { recursive: false });
    await hdfs.close();

    const damaged = await verifyArchive();
    expect(damaged.code).to.equal(1);
    const problems = damaged.lines.filter((l) => l.kind && ['gap', 'overlap', 'file', 'behind'].includes(l.kind));
    expect(problems.map((p) => [p.kind, p.partition, p.from, p.to])).to.deep.include.members([
      ['gap', a, String(p0[1].first), String(p0[1].last)],
      ['overlap', b, String(p1[0].first + 1n), String(p1[0].last)],
      ['file', c, String(p2[0].first), String(p2[0].last)],
    ]);
    expect(problems.find((p) => p.kind === 'file')!.detail).to.equal(`${lost}: missing`);
    expect(problems).to.have.length(3);
  });
});
