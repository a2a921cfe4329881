/**
 * Dynamic groups (OTP's simple_one_for_one) over real forked processes: `count` workers from one
 * template, scaled at the end without touching the others, restarted from the template, and kept
 * at their scaled size when the group itself is restarted.
 */
import { expect } from 'chai';
import { InvalidChildSpecError } from '../../src/supervisors/check-spec';
import { dynamicGroup, groupWorker, type GroupSpec } from '../../src/supervisors/spec';
import { Harness, harnessPerTest, probe, probeTemplate, workerProcesses } from '../helpers/supervision';

const FAST = { maxRestarts: 5, withinMs: 10_000, backoff: { minMs: 50, maxMs: 400, jitter: 0, resetAfterMs: 10_000 } };

function pool(count: number, flags = FAST): GroupSpec {
  return dynamicGroup({ id: 'pool', template: probeTemplate({ settings: { role: 'pool' } }), count, flags });
}

describe('supervision: dynamic groups over forked processes', function () {
  this.timeout(60_000);
  const harness = harnessPerTest();
  let h: Harness;
  beforeEach(() => (h = harness()));

  it('starts count workers from the template, named <group id>-1 .. -<count>', async () => {
    await h.start([probe('before'), pool(3)]);
    const group = h.tree.child('pool')!;
    expect(group.childIds()).to.deep.equal(['pool-1', 'pool-2', 'pool-3']);
    const answer = (await group.call('pool-2', 'echo', 'hi')) as { pid: number };
    expect(answer.pid).to.equal(h.pidOf('pool-2', group));
    expect(workerProcesses()).to.have.length(4);
  });

  it("scaling up adds workers at the end and scaling down stops the last ones, leaving the others' pids unchanged", async () => {
    await h.start([pool(3)]);
    const group = h.tree.child('pool')!;
    const first = h.pids(group);

    await group.scale(5);
    const up = h.pids(group);
    expect(Object.keys(up)).to.deep.equal(['pool-1', 'pool-2', 'pool-3', 'pool-4', 'pool-5']);
    expect([up['pool-1'], up['pool-2'], up['pool-3']]).to.deep.equal([first['pool-1'], first['pool-2'], first['pool-3']]);
    expect(up['pool-4']).to.be.a('number');
    expect(up['pool-5']).to.be.a('number');

    await group.scale(2);
    expect(h.pids(group)).to.deep.equal({ 'pool-1': first['pool-1'], 'pool-2': first['pool-2'] });
    expect(h.of('child_stopped').map((e) => e.child)).to.deep.equal(['pool-5', 'pool-4', 'pool-3']);
    expect(workerProcesses().sort()).to.deep.equal([first['pool-1'], first['pool-2']].sort());

    await group.scale(0);
    expect(group.childIds()).to.deep.equal([]);
    await group.scale(1);
    expect(group.childIds()).to.deep.equal(['pool-1']);
    expect(h.pidOf('pool-1', group)).not.to.equal(first['pool-1']);
    expect(h.of('child_started').filter((e) => e.supervisor === 'pool').map((e) => e.child)).to.deep.equal([
      'pool-1',
      'pool-2',
      'pool-3',
      'pool-4',
      'pool-5',
      'pool-1',
    ]);
  });

  it('a crashed group worker restarts from the template under the same id; its siblings keep their pids', async () => {
    const spec = pool(3);
    await h.start([spec]);
    const group = h.tree.child('pool')!;
    const before = h.pids(group);
    await group.call('pool-2', 'crash', null);
    await h.until((events) => events.some((e) => e.type === 'child_started' && e.child === 'pool-2' && e.restarts === 1));
    const after = h.pids(group);
    expect(Object.keys(after)).to.deep.equal(['pool-1', 'pool-2', 'pool-3']);
    expect(after['pool-2']).not.to.equal(before['pool-2']);
    expect([after['pool-1'], after['pool-3']]).to.deep.equal([before['pool-1'], before['pool-3']]);
    expect(group.currentSpec().children[1]).to.deep.equal(groupWorker('pool', spec.group.template, 2));
    expect(((await group.call('pool-2', 'echo', 1)) as { pid: number }).pid).to.equal(after['pool-2']);
  });

  it('currentSpec() follows scaling and is frozen; the spec the group started from is untouched', async () => {
    const spec = pool(2);
    await h.start([spec]);
    const group = h.tree.child('pool')!;
    await group.scale(4);
    const current = group.currentSpec();
    expect(current.group).to.deep.include({ count: 4 });
    expect(current).to.deep.equal(pool(4));
    expect(() => ((current.group as { count: number }).count = 9)).to.throw(TypeError);
    expect(group.spec).to.deep.equal(spec);
    expect(h.tree.currentSpec().children[0]).to.deep.include({ id: 'pool', group: current.group });
  });

  it('a group restarted by its parent comes back at its scaled size', async () => {
    // maxRestarts 0: the group gives up at its first crash and the root restarts it.
    await h.start([pool(2, { ...FAST, maxRestarts: 0 })]);
    const group = h.tree.child('pool')!;
    await group.scale(3);
    await group.call('pool-1', 'crash', null);
    await h.until((events) => events.filter((e) => e.type === 'child_started' && e.child === 'pool' && e.supervisor === 'test').length === 2);
    const restarted = h.tree.child('pool')!;
    expect(restarted).not.to.equal(group);
    expect(restarted.childIds()).to.deep.equal(['pool-1', 'pool-2', 'pool-3']);
    expect(workerProcesses()).to.have.length(3);
  });

  it("scaleChild scales a running group through its parent, and a group waiting for its restart comes back at the new size", async () => {
    await h.start([probe('plain'), pool(1, { ...FAST, maxRestarts: 0 })], { backoff: { minMs: 1000, maxMs: 1000, jitter: 0, resetAfterMs: 60_000 } });
    await h.tree.scaleChild('pool', 2);
    expect(h.tree.child('pool')!.childIds()).to.deep.equal(['pool-1', 'pool-2']);

    await h.tree.child('pool')!.call('pool-2', 'crash', null);
    await h.until((events) => events.some((e) => e.type === 'restart_scheduled' && e.child === 'pool' && e.supervisor === 'test'));
    expect(h.tree.child('pool')).to.equal(undefined);
    await h.tree.scaleChild('pool', 4);
    await h.until((events) => events.filter((e) => e.type === 'child_started' && e.child === 'pool' && e.supervisor === 'test').length === 2);
    expect(h.tree.child('pool')!.childIds()).to.deep.equal(['pool-1', 'pool-2', 'pool-3', 'pool-4']);
    const err = await h.tree.scaleChild('plain', 2).then(() => undefined, (e: unknown) => e);
    expect(err).to.be.instanceOf(InvalidChildSpecError).and.deep.include({ tag: 'dynamic_group', childId: 'plain' });
  });

  it('refuses a bad count and single-child changes with a tagged error, starting or stopping nothing', async () => {
    await h.start([probe('plain'), pool(2)]);
    const group = h.tree.child('pool')!;
    const pids = h.pids(group);
    const failure = (op: Promise<unknown>) => op.then(() => undefined, (err: unknown) => err);
    for (const count of [-1, 1.5, Number.NaN]) {
      const err = await failure(group.scale(count));
      expect(err).to.be.instanceOf(InvalidChildSpecError).and.deep.include({ tag: 'invalid_count', childId: 'pool', value: count });
    }
    expect(await failure(group.addChild(probe('pool-3')))).to.be.instanceOf(InvalidChildSpecError).and.deep.include({ tag: 'dynamic_group', value: 'addChild' });
    expect(await failure(group.removeChild('pool-1'))).to.deep.include({ tag: 'dynamic_group', value: 'removeChild' });
    expect(await failure(group.replaceChild(probe('pool-1')))).to.deep.include({ tag: 'dynamic_group', value: 'replaceChild' });
    expect(await failure(h.tree.scale(3))).to.deep.include({ tag: 'dynamic_group', childId: 'test' });
    expect(h.pids(group)).to.deep.equal(pids);
    expect(workerProcesses()).to.have.length(3);
  });
});
