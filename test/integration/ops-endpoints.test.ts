import { expect } from 'chai';
import { KafkaClient, withAdmin } from '../../src/kafka/client';
import { localConfig, quietLogger } from '../helpers/local-stack';
import { freePort } from '../helpers/names';
import { eventually, PipelineRun } from '../helpers/pipeline';
import { packageVersion } from '../helpers/release';
import { WharfProcess } from '../helpers/wharf-process';
import { findNode, getJson, scrape, type Scrape, type TopologyNode } from '../helpers/scrape';

/** Series whose value must never decrease: those of counters and histograms. */
function cumulative(series: string, types: Map<string, string>): boolean {
  const name = /^[a-zA-Z_:][a-zA-Z0-9_:]*/.exec(series)![0];
  const family = types.has(name) ? name : name.replace(/_(bucket|sum|count)$/, '');
  return types.get(family) === 'counter' || types.get(family) === 'histogram';
}

describe('ops endpoints of a running wharf (real stack)', function () {
  this.timeout(300_000);
  const run = new PipelineRun();
  const kafka = new KafkaClient(localConfig().kafka, quietLogger, 'ops-endpoints-test');
  let ops = '';

  after(() => run.stop());

  it('serves /healthz, /readyz and /topology with every actor, its kind, mode, pid, state and restarts', async () => {
    run.upstream.add(3000);
    await run.start();
    ops = await run.wharf!.opsUrl();
    expect(new URL(ops).hostname).to.equal('127.0.0.1');
    const health = (await getJson<{ status: string; version: string; commit: string }>(`${ops}/healthz`)).body;
    expect(health).to.include({ status: 'alive', version: packageVersion() });
    expect(health.commit).to.match(/^[0-9a-f]{12}$/);
    // Which wharf runs, once (the root exports it, not each actor process).
    const metrics = await (await fetch(`${ops}/metrics`)).text();
    const buildInfo = metrics.split('\n').filter((line) => line.startsWith('wharf_build_info{'));
    expect(buildInfo).to.have.length(1);
    for (const label of [`version="${packageVersion()}"`, `commit="${health.commit}"`, `node="${process.versions.node}"`]) expect(buildInfo[0]).to.contain(label);
    expect(buildInfo[0]).to.match(/\} 1$/);
    const ready = await eventually(() => getJson<{ ready: boolean; reasons: string[] }>(`${ops}/readyz`), (r) => r.status === 200, 30_000, '/readyz 200');
    expect(ready.body).to.include({ ready: true });
    const { body: tree } = await getJson<TopologyNode>(`${ops}/topology`);
    expect(tree.id).to.equal('wharf');
    const expected = { 'health-1': 'service-health', 'consumers-1': 'partition-consumer', 'consumers-2': 'partition-consumer', 'pollers-orders': 'source-poller' };
    for (const [id, actor] of Object.entries(expected)) {
      expect(findNode(tree, id), id).to.include({ kind: 'worker', actor, state: 'running', restarts: 0 });
    }
    expect(findNode(tree, 'consumers-1')!.mode).to.equal('forked');
    expect(findNode(tree, 'consumers-1')!.pid).to.be.a('number');
  });

  it('`wharf status` prints the live tree and readiness; it exits 3 when nothing answers', async () => {
    const status = new WharfProcess(['status', '--url', ops]);
    expect(await status.exited).to.equal(0);
    expect(status.stdout).to.match(/consumers-1 {2}partition-consumer {2}forked {2}pid \d+ {2}running {2}restarts 0/);
    expect(status.stdout).to.contain('pollers-orders  source-poller');
    expect(status.stdout.trim().split('\n').at(-1)).to.equal('ready');
    const closed = await freePort();
    const nobody = new WharfProcess(['status', '--url', `http://127.0.0.1:${closed}`]);
    expect(await nobody.exited).to.equal(3);
    expect(nobody.stderr).to.contain(`wharf: no running wharf answers: cannot reach the instance at 127.0.0.1:${closed} (ECONNREFUSED)`);
  });

  it('merges every process\'s metrics: counters never go backwards while a consumer is SIGKILLed and restarted, and the restart is counted', async () => {
    const previous: Scrape = new Map();
    const types = new Map<string, string>();
    const decreases: string[] = [];
    let scrapes = 0;
    const watch = async () => {
      const now = await scrape(ops, types);
      scrapes++;
      for (const [series, value] of now) {
        if (!cumulative(series, types)) continue;
        const before = previous.get(series);
        if (before !== undefined && value < before) decreases.push(`${series}: ${before} -> ${value}`);
        previous.set(series, value);
      }
      return now;
    };
    const committed = async () =>
      (await withAdmin(kafka, (admin) => admin.fetchOffsets({ groupId: `${run.name}-sinks`, topics: [`${run.name}.records`] })))
        .flatMap((t) => t.partitions)
        .reduce((sum, p) => sum + Math.max(0, Number(p.offset)), 0);
    let watching = true;
    const watcher = (async () => {
      while (watching) {
        await watch();
        await new Promise((r) => setTimeout(r, 100));
      }
    })();

    await eventually(() => watch(), (s) => (s.get('wharf_sink_records_written_total{sink="search"}') ?? 0) > 0, 60_000, 'first writes counted');
    const { body: tree } = await getJson<TopologyNode>(`${ops}/topology`);
    const victim = findNode(tree, 'consumers-1')!.pid!;
    // A SIGKILL loses the counts the victim made after its last collection (collector.ts): records
    // it acknowledged and committed in between are counted by nobody. All it committed before the
    // scrape below was counted by then, so the group's commits from just before that scrape to just
    // after the kill bound what may go uncounted.
    const committedBefore = await committed();
    await watch();
    process.kill(victim, 'SIGKILL');
    const mayGoUncounted = (await committed()) - committedBefore;
    expect(mayGoUncounted, 'records committed around the kill').to.be.below(3000);
    await eventually(
      () => getJson<TopologyNode>(`${ops}/topology`).then((r) => findNode(r.body, 'consumers-1')!),
      (node) => node.state === 'running' && node.pid !== victim && node.restarts === 1,
      30_000,
      'consumers-1 restarted',
    );
    await eventually(() => run.esCount(), (n) => n >= 3000, 180_000, 'all 3000 in Elasticsearch');
    await eventually(() => run.couchCount(), (n) => n >= 3000, 180_000, 'all 3000 in CouchDB');
    const final = await eventually(
      () => watch(),
      // Each record acknowledged at least once per sink (written, or re-delivered after the kill and
      // found already there as stale), but for what the kill may have taken uncounted.
      (s) => ['docs', 'search'].every((sink) => (s.get(`wharf_sink_records_written_total{sink="${sink}"}`) ?? 0) + (s.get(`wharf_sink_stale_writes_total{sink="${sink}"}`) ?? 0) >= 3000 - mayGoUncounted),
      30_000,
      'written counters to reach 3000',
    );
    // Recovery can be quicker than ten scrapes: keep watching until the counters were seen often enough across the restart.
    await eventually(() => Promise.resolve(scrapes), (n) => n > 10, 30_000, 'more than ten scrapes');
    watching = false;
    await watcher;

    expect(decreases, 'series that went backwards').to.deep.equal([]);
    expect(scrapes).to.be.greaterThan(10);
    expect(final.get('wharf_actor_restarts_total{actor="consumers-1"}')).to.equal(1);
    expect(final.get('wharf_actor_running{actor="consumers-1"}')).to.equal(1);
    expect(final.get('wharf_source_records_produced_total{source="orders"}')).to.be.at.least(3000);
    expect(final.get('wharf_source_records_polled_total{source="orders"}')).to.be.at.least(3000);
    expect(final.get('wharf_service_up{service="kafka"}')).to.equal(1);
    expect(final.get(`wharf_consumer_lag_records{group="${run.name}-sinks",partition="0",topic="${run.name}.records"}`)).to.be.a('number');
    expect(final.get('process_resident_memory_bytes{actor="consumers-1"}')).to.be.greaterThan(0);
    expect(final.get('process_resident_memory_bytes{actor="root"}')).to.be.greaterThan(0);
    expect([...final.keys()].some((s) => s.startsWith('wharf_record_age_seconds_bucket{le="1",sink="search"}') || s.startsWith('wharf_record_age_seconds_bucket{sink="search",le="1"}'))).to.equal(true);
  });
});
