/**
 * The scenario that once left every updated document at an older version in both sinks: records
 * updated again and again through an http-json source while a partition consumer is SIGKILLed
 * and `wharf replay --from` re-delivers the older versions alongside the live consumers. Proves
 * content, not counts: in both sinks the exact id set, every document at its last update, and
 * both sinks holding the same version of each record.
 */
import { expect } from 'chai';
import { eventually, PipelineRun } from '../helpers/pipeline';
import { WharfProcess } from '../helpers/wharf-process';

const IDS = 300;
const ROUNDS = 12;

interface Stored {
  id: number;
  round: number;
  wharf: { id: string; version: string };
}

describe('the newest version wins against a SIGKILLed consumer and a replay run alongside (real stack)', function () {
  this.timeout(300_000);
  const run = new PipelineRun();
  let replay: WharfProcess | undefined;

  after(async () => {
    replay?.signal('SIGKILL');
    await run.stop();
  });

  async function esDocuments(): Promise<Map<string, Stored & { _version: number }>> {
    await run.es.indices.refresh({ index: run.name });
    const found = await run.es.search<Stored>({ index: run.name, size: 10_000, version: true, sort: ['_doc'] });
    return new Map(found.hits.hits.map((h) => [h._id!, { ...h._source!, _version: h._version! }]));
  }

  async function couchDocuments(): Promise<Map<string, Stored>> {
    const listed = await run.couch.use<Stored>(run.name).list({ include_docs: true });
    return new Map(listed.rows.filter((r) => !r.id.startsWith('_design/')).map((r) => [r.id, r.doc as Stored]));
  }

  const allAtLastRound = (docs: Map<string, Stored>) => docs.size === IDS && [...docs.values()].every((d) => d.round === ROUNDS);

  it('leaves every document, in both sinks, at its last update, with the same version in both', async () => {
    const startedAt = new Date(Date.now() - 1000).toISOString();
    await run.start();
    for (let round = 1; round <= ROUNDS; round++) {
      run.upstream.add(IDS, (n) => ({ id: ((n - 1) % IDS) + 1, round, amount: round }));
      if (round === 3) {
        const victim = Number(run.wharf!.lines.find((l) => l.event === 'child_started' && l.child === 'consumers-1')?.actorPid);
        await eventually(() => run.esCount(), (n) => n > 0, 60_000, 'the first documents');
        process.kill(victim, 'SIGKILL');
      }
      if (round === 6) replay = new WharfProcess(['replay', '--from', startedAt, '--config', run.configFile]);
      await new Promise((r) => setTimeout(r, 700));
    }
    expect(await replay!.exited, replay!.stderr).to.equal(0);

    const es = await eventually(() => esDocuments(), allAtLastRound, 180_000, `all ${IDS} documents at round ${ROUNDS} in Elasticsearch`);
    const couch = await eventually(() => couchDocuments(), allAtLastRound, 180_000, `all ${IDS} documents at round ${ROUNDS} in CouchDB`);
    const ids = Array.from({ length: IDS }, (_, i) => `orders:${i + 1}`).sort();
    expect([...es.keys()].sort()).to.deep.equal(ids);
    expect([...couch.keys()].sort()).to.deep.equal(ids);
    for (const id of ids) {
      const [inEs, inCouch] = [es.get(id)!, couch.get(id)!];
      expect({ id: inEs.id, round: inEs.round, recordId: inEs.wharf.id }).to.deep.equal({ id: Number(id.split(':')[1]), round: ROUNDS, recordId: id });
      expect(inCouch.wharf.version, `${id}: the same record version in both sinks`).to.equal(inEs.wharf.version);
      expect(String(inEs._version), `${id}: Elasticsearch's external version is the record's`).to.equal(inEs.wharf.version);
    }
    const restarted = run.wharf!.lines.filter((l) => l.event === 'child_started' && l.child === 'consumers-1');
    expect(restarted, 'consumers-1 was killed and restarted').to.have.length(2);
  });
});
