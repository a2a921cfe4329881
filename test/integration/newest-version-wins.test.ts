/**
 * The scenario that once left every updated document at an older version in both sinks: records
 * updated again and again through an http-json source (some deleted and written again, some
 * deleted for good at the end) while a partition consumer is SIGKILLed and `wharf replay --from`
 * re-delivers the older versions alongside the live consumers; then the same with every actor
 * inside wharf's own process (`mode: "in-memory"`, the compact placement), where the fault is
 * that whole process SIGKILLed and started again. Proves content, not counts: in both sinks the
 * exact id set (no deleted record back), every document at its last update, and both sinks
 * holding the same version of each record; `wharf verify` exits 0.
 */
import { expect } from 'chai';
import { eventually, expectSinksHoldNewest, PipelineRun } from '../helpers/pipeline';
import { workerProcesses } from '../helpers/supervision';
import { WharfProcess } from '../helpers/wharf-process';

const IDS = 300;
const ROUNDS = 12;
/** Deleted after round 5, written again in round 6 (which the replay re-delivers older versions around). */
const DELETED_THEN_BACK = Array.from({ length: 60 }, (_, i) => 61 + i);
/** Deleted after the last round, for good. */
const DELETED = Array.from({ length: 60 }, (_, i) => 1 + i);

interface Stored {
  id: number;
  round: number;
  wharf: { id: string; version: string };
}

async function esDocuments(run: PipelineRun): Promise<Map<string, Stored>> {
  await run.es.indices.refresh({ index: run.name });
  const found = await run.es.search<Stored>({ index: run.name, size: 10_000, sort: ['_doc'] });
  return new Map(found.hits.hits.map((h) => [h._id!, h._source!]));
}

async function couchDocuments(run: PipelineRun): Promise<Map<string, Stored>> {
  const listed = await run.couch.use<Stored>(run.name).list({ include_docs: true });
  return new Map(listed.rows.filter((r) => !r.id.startsWith('_design/')).map((r) => [r.id, r.doc as Stored]));
}

const allAtLastRound = (docs: Map<string, Stored>) => docs.size === IDS - DELETED.length && [...docs.values()].every((d) => d.round === ROUNDS && d.id > DELETED.length);

/**
 * Updates every record ROUNDS times, 0.7 s apart: `fault` runs at round 3 (once the first
 * documents arrived), the records of DELETED_THEN_BACK are deleted after round 5, `wharf replay
 * --from` starts at round 6, and DELETED go after the last round. Resolves once the replay exited 0.
 */
async function updateInRounds(run: PipelineRun, fault: () => Promise<void> | void): Promise<void> {
  const startedAt = new Date(Date.now() - 1000).toISOString();
  let replay: WharfProcess | undefined;
  try {
    for (let round = 1; round <= ROUNDS; round++) {
      run.upstream.add(IDS, (n) => ({ id: ((n - 1) % IDS) + 1, round, amount: round }));
      if (round === 3) {
        await eventually(() => run.esCount(), (n) => n > 0, 60_000, 'the first documents');
        await fault();
      }
      if (round === 5) run.upstream.remove(DELETED_THEN_BACK);
      if (round === 6) replay = new WharfProcess(['replay', '--from', startedAt, '--config', run.configFile]);
      await new Promise((r) => setTimeout(r, 700));
    }
    run.upstream.remove(DELETED);
    expect(await replay!.exited, replay!.stderr).to.equal(0);
  } finally {
    replay?.signal('SIGKILL');
  }
}

/** Exact ids in both sinks, each document at its last update, one version in both, then wharf verify. */
async function expectEveryDocumentAtItsLastUpdate(run: PipelineRun): Promise<void> {
  const live = IDS - DELETED.length;
  const es = await eventually(() => esDocuments(run), allAtLastRound, 180_000, `${live} documents at round ${ROUNDS}, the deleted ones gone, in Elasticsearch`);
  const couch = await eventually(() => couchDocuments(run), allAtLastRound, 180_000, `${live} documents at round ${ROUNDS}, the deleted ones gone, in CouchDB`);
  expect([...es.values()].every((d) => d.wharf.id === `orders:${d.id}`), 'each document names its record').to.equal(true);
  expect(couch.size).to.equal(live);
  await expectSinksHoldNewest(run);
}

describe('the newest version wins against a SIGKILLed consumer and a replay run alongside (real stack)', function () {
  this.timeout(300_000);
  const run = new PipelineRun();

  after(() => run.stop());

  it('leaves every document, in both sinks, at its last update or deleted, with the same version in both', async () => {
    await run.start();
    await updateInRounds(run, () => {
      const victim = Number(run.wharf!.lines.find((l) => l.event === 'child_started' && l.child === 'consumers-1')?.actorPid);
      process.kill(victim, 'SIGKILL');
    });
    await expectEveryDocumentAtItsLastUpdate(run);
    const restarted = run.wharf!.lines.filter((l) => l.event === 'child_started' && l.child === 'consumers-1');
    expect(restarted, 'consumers-1 was killed and restarted').to.have.length(2);
  });
});

describe('the newest version wins with every actor inside wharf\'s own process, that process SIGKILLed and started again, and a replay alongside (real stack)', function () {
  this.timeout(300_000);
  const run = new PipelineRun();

  after(() => run.stop());

  it('leaves every document, in both sinks, at its last update or deleted, with the same version in both', async () => {
    await run.start({ consumers: { mode: 'in-memory' }, pollers: { mode: 'in-memory' } });
    const killed = run.wharf!;
    await updateInRounds(run, async () => {
      killed.signal('SIGKILL');
      await killed.exited;
      await run.restart();
    });
    await expectEveryDocumentAtItsLastUpdate(run);
    for (const wharf of [killed, run.wharf!]) {
      const actors = wharf.lines.filter((l) => l.event === 'child_started' && /^(consumers|pollers)-/.test(String(l.child)));
      expect(actors.map((l) => l.child).sort(), 'the poller and both consumers started').to.deep.equal(['consumers-1', 'consumers-2', 'pollers-orders']);
      expect(actors.map((l) => l.actorPid), 'none with a process of its own').to.deep.equal([undefined, undefined, undefined]);
    }
    expect(workerProcesses(run.wharf!.pid), 'actor processes wharf started').to.deep.equal([]);
  });
});

describe('the upstream\'s own version wins over arrival order (versionField, real stack)', function () {
  this.timeout(300_000);
  const run = new PipelineRun();

  after(() => run.stop());

  it('keeps, in both sinks, the record with the greatest `rev`, even when an older one arrives later', async () => {
    await run.start({ source: { versionField: 'rev' } });
    // Ids 1-50 at rev 20, then the same ids at older revs 10 (a late, out-of-order upstream), then ids 51-60 without a rev.
    run.upstream.add(50, (n) => ({ id: n, rev: 20, state: 'new' }));
    await eventually(() => run.esCount(), (n) => n === 50, 90_000, 'the first 50 in Elasticsearch');
    run.upstream.add(50, (n) => ({ id: n - 50, rev: 10, state: 'old' }));
    run.upstream.add(10, (n) => ({ id: n - 50, state: 'no rev' }));
    const stale = async () => {
      const metrics = await fetch(`${await run.wharf!.opsUrl()}/metrics`).then((r) => r.text());
      return ['search', 'docs'].map((sink) => Number(new RegExp(`wharf_sink_stale_writes_total\\{sink="${sink}"\\} (\\d+)`).exec(metrics)?.[1] ?? 0));
    };
    await eventually(stale, (counts) => counts.every((n) => n >= 50), 90_000, 'the 50 older revisions refused as stale in both sinks');

    await run.es.indices.refresh({ index: run.name });
    const es = await run.es.search<{ id: number; rev: number; state: string; wharf: { version: string } }>({ index: run.name, size: 100, version: true });
    const couch = await run.couch.use<{ id: number; rev: number; state: string; wharf: { version: string } }>(run.name).list({ include_docs: true });
    const ids = Array.from({ length: 50 }, (_, i) => `orders:${i + 1}`).sort();
    expect(es.hits.hits.map((h) => h._id).sort()).to.deep.equal(ids);
    expect(couch.rows.map((r) => r.id).sort()).to.deep.equal(ids);
    for (const hit of es.hits.hits) {
      expect({ rev: hit._source!.rev, state: hit._source!.state, version: hit._source!.wharf.version, esVersion: hit._version }).to.deep.equal({ rev: 20, state: 'new', version: '20', esVersion: 20 });
    }
    for (const row of couch.rows) expect({ rev: row.doc!.rev, state: row.doc!.state, version: row.doc!.wharf.version }).to.deep.equal({ rev: 20, state: 'new', version: '20' });
    const letters = await new Promise<string>((done) => {
      const list = new WharfProcess(['dlq', 'list', '--config', run.configFile]);
      void list.exited.then(() => done(list.stdout));
    });
    expect(letters.split('\n').filter((l) => l.includes('no valid version in'))).to.have.length(10);
  });
});
