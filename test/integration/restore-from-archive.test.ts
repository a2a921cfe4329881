/**
 * `wharf restore --from-archive` on the real stack: records updated over three rounds flow into
 * Elasticsearch, CouchDB and the HDFS archive; wharf is stopped and the Elasticsearch index is
 * deleted; a dry run lists the archive's files (filtered by source and day) and writes nothing;
 * a restore interrupted with SIGINT keeps its state and exits 130, the same command run again
 * resumes and finishes; the recreated index then holds exactly the documents it held before,
 * compared by id, content and version (the newest of the three archived versions of each id won).
 */
import { expect } from 'chai';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { archiveContents, HDFS_URL, HDFS_USER, hdfsSuperuser, scratchDir } from '../helpers/hdfs';
import { storeIndexName } from '../../src/sinks/elasticsearch/store-index';
import { eventually, PipelineRun } from '../helpers/pipeline';
import { WharfProcess } from '../helpers/wharf-process';

const IDS = 200;
const ROUNDS = 3;

describe('wharf restore --from-archive into a deleted Elasticsearch index (real stack)', function () {
  this.timeout(400_000);
  const run = new PipelineRun();
  let root = '';

  after(async () => {
    await run.stop();
    if (root) await hdfsSuperuser().delete(root, { recursive: true }).catch(() => undefined);
  });

  async function esDocuments(): Promise<Map<string, { source: Record<string, unknown>; version: number }>> {
    await run.es.indices.refresh({ index: run.name });
    const found = await run.es.search<Record<string, unknown>>({ index: run.name, size: 10_000, version: true, sort: ['_doc'] });
    return new Map(found.hits.hits.map((h) => [h._id!, { source: h._source!, version: h._version! }]));
  }

  it('restores from the archive alone the same documents, newest version of each, resuming after an interruption', async () => {
    root = await scratchDir('restore-archive');
    await run.start({ moreSinks: [{ id: 'archive', type: 'hdfs', url: HDFS_URL, path: root, user: HDFS_USER, rollBytes: 1024, rollMs: 2000 }] });
    for (let round = 1; round <= ROUNDS; round++) {
      run.upstream.add(IDS, (n) => ({ id: ((n - 1) % IDS) + 1, round, amount: round * 10 }));
      await new Promise((r) => setTimeout(r, 700));
    }
    const atLastRound = (docs: Map<string, { source: Record<string, unknown> }>) => docs.size === IDS && [...docs.values()].every((d) => d.source.round === ROUNDS);
    const before = await eventually(() => esDocuments(), atLastRound, 120_000, `all ${IDS} documents at round ${ROUNDS}`);
    const topic = `${run.name}.records`;
    const archived = await eventually(() => archiveContents(root, topic), (a) => a.documents.length >= IDS * ROUNDS && a.temporary.length === 0, 120_000, 'every version archived and finalized');
    expect(archived.documents).to.have.length(IDS * ROUNDS);

    // The index is lost, and Kafka is not asked: wharf stopped, the restore reads HDFS only.
    run.wharf!.signal('SIGTERM');
    await run.wharf!.exited;
    await run.es.indices.delete({ index: storeIndexName(run.name) }); // the alias goes with it
    const state = join(mkdtempSync(join(tmpdir(), 'wharf-restore-')), 'restore.state');
    const restore = (...extra: string[]) => new WharfProcess(['restore', '--from-archive', '--sink', 'search', '--config', run.configFile, '--state', state, ...extra]);

    const dry = restore('--dry-run');
    expect(await dry.exited, dry.stderr).to.equal(0);
    const listed = dry.stdout.trim().split('\n').map((l) => JSON.parse(l) as { dryRun?: boolean; files?: number; path?: string });
    const files = listed.filter((l) => l.path).length;
    expect(listed[listed.length - 1]).to.include({ dryRun: true, files });
    expect(files).to.be.greaterThan(3);
    expect((await run.es.indices.exists({ index: run.name })).valueOf(), 'the dry run wrote nothing').to.equal(false);
    // Filters by source and ingest day (UTC) pick folders: every file is of source orders.
    const days = archived.documents.map((d) => String((d.doc.wharf as { ingestedAt: string }).ingestedAt).slice(0, 10)).sort();
    const count = async (...filter: string[]) => {
      const listing = restore('--dry-run', ...filter);
      expect(await listing.exited, listing.stderr).to.equal(0);
      return (JSON.parse(listing.stdout.trim().split('\n').pop()!) as { files: number }).files;
    };
    expect(await count('--source', 'orders', '--from', days[0], '--to', days[days.length - 1])).to.equal(files);
    expect(await count('--source', 'users')).to.equal(0);
    expect(await count('--to', '2000-01-01')).to.equal(0);
    const bad = restore('--dry-run', '--from', 'yesterday');
    expect(await bad.exited).to.equal(2);
    expect(bad.stderr).to.contain('--from: expected a day such as 2026-11-30, got "yesterday"');

    const interrupted = restore();
    // Watched closely: the whole restore takes about a second.
    for (const deadline = Date.now() + 60_000; !existsSync(state) && Date.now() < deadline; ) await new Promise((r) => setTimeout(r, 2));
    interrupted.signal('SIGINT');
    expect(await interrupted.exited, interrupted.stderr).to.equal(130);
    expect(interrupted.stderr).to.contain('run the same command again to resume');
    const done = readFileSync(state, 'utf8').trim().split('\n').length;
    expect(done).to.be.within(1, files - 1);

    const resumed = restore();
    expect(await resumed.exited, resumed.stderr).to.equal(0);
    expect(resumed.stderr).to.contain(`resuming after ${done} finished`);
    expect(JSON.parse(resumed.stdout.trim().split('\n').pop()!)).to.include({ files: files - done, interrupted: false });
    expect(existsSync(state), 'a finished restore removes its state').to.equal(false);

    const after = await esDocuments();
    expect([...after.keys()].sort()).to.deep.equal([...before.keys()].sort());
    for (const [id, doc] of before) {
      expect(after.get(id)!.source, id).to.deep.equal(doc.source);
      expect(after.get(id)!.version, `${id}: the newest archived version`).to.equal(doc.version);
    }
  });
});
