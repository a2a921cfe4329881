/** Child specs as immutable data: frozen factories, dynamic group expansion, per-child backoff (pure). */
import { expect } from 'chai';
import { nextBackoff } from '../../src/supervisors/slots';
import { DEFAULT_FLAGS, DEFAULT_WORKER, dynamicGroup, groupWorker, scaledGroup, supervisor, worker, type ChildSpec } from '../../src/supervisors/spec';

const MODULE = '/opt/wharf/dist/actors/probe-actor';
const w = (id: string) => worker({ id, module: MODULE });

describe('child specs are immutable data', () => {
  it('mutating a worker spec throws, at any depth', () => {
    const spec = worker({ id: 'a', module: MODULE, settings: { nested: { batch: 1 } } });
    expect(() => ((spec as { restart: string }).restart = 'temporary')).to.throw(TypeError);
    expect(() => (spec.heartbeat.intervalMs = 1)).to.throw(TypeError);
    expect(() => ((spec.settings.nested as { batch: number }).batch = 2)).to.throw(TypeError);
  });

  it('mutating a supervisor spec throws: its children, flags and backoff', () => {
    const spec = supervisor({ id: 's', children: [w('a')] });
    expect(() => (spec.children as ChildSpec[]).push(w('b'))).to.throw(TypeError);
    expect(() => (spec.children as ChildSpec[]).splice(0, 1)).to.throw(TypeError);
    expect(() => (spec.flags.maxRestarts = 100)).to.throw(TypeError);
    expect(() => (spec.flags.backoff.minMs = 1)).to.throw(TypeError);
  });

  it('mutating a dynamic group spec throws: its count, template and children', () => {
    const spec = dynamicGroup({ id: 'pool', template: { module: MODULE }, count: 2 });
    expect(() => (spec.group.count = 5)).to.throw(TypeError);
    expect(() => (spec.group.template.mode = 'in-memory')).to.throw(TypeError);
    expect(() => (spec.children as ChildSpec[]).push(w('pool-3'))).to.throw(TypeError);
  });

  it('the tables of defaults are frozen too', () => {
    expect(() => ((DEFAULT_FLAGS as { maxRestarts: number }).maxRestarts = 1)).to.throw(TypeError);
    expect(() => ((DEFAULT_WORKER.heartbeat as { timeoutMs: number }).timeoutMs = 1)).to.throw(TypeError);
  });

  it("the factories copy their input: the caller's objects stay unfrozen and later changes to them do not reach the spec", () => {
    const settings = { batch: 1 };
    const spec = worker({ id: 'a', module: MODULE, settings });
    settings.batch = 2;
    expect(Object.isFrozen(settings)).to.equal(false);
    expect(spec.settings).to.deep.equal({ batch: 1 });
  });

  it('an undefined field keeps its default', () => {
    expect(worker({ id: 'a', module: MODULE, mode: undefined, restart: undefined })).to.include({ mode: 'forked', restart: 'permanent' });
  });
});

describe('dynamic group specs (pure)', () => {
  it('expands count workers from the template, ids <group id>-1 .. -<count>, defaults from the one table', () => {
    const spec = dynamicGroup({ id: 'pool', template: { module: MODULE, settings: { batch: 5 } }, count: 3, flags: { strategy: 'rest-for-one' } });
    expect(spec.kind).to.equal('supervisor');
    expect(spec.children.map((c) => c.id)).to.deep.equal(['pool-1', 'pool-2', 'pool-3']);
    expect(spec.children[2]).to.deep.equal({ ...DEFAULT_WORKER, module: MODULE, settings: { batch: 5 }, id: 'pool-3' });
    expect(spec.children[0]).to.deep.equal(groupWorker('pool', spec.group.template, 1));
    expect(spec.flags).to.deep.include({ strategy: 'rest-for-one', maxRestarts: DEFAULT_FLAGS.maxRestarts });
    expect(spec).to.include({ restart: 'permanent', shutdownMs: 3 * DEFAULT_WORKER.shutdownMs + 1000 });
  });

  it('scaledGroup: the same group at another size; a default shutdown bound follows the count, an explicit one stays', () => {
    const two = dynamicGroup({ id: 'pool', template: { module: MODULE }, count: 2 });
    expect(scaledGroup(two, 4)).to.deep.equal(dynamicGroup({ id: 'pool', template: { module: MODULE }, count: 4 }));
    expect(scaledGroup(dynamicGroup({ id: 'pool', template: { module: MODULE }, count: 2, shutdownMs: 60_000 }), 4).shutdownMs).to.equal(60_000);
    expect(Object.isFrozen(scaledGroup(two, 1).children)).to.equal(true);
  });

  it('a count of 0 has no children', () => {
    expect(dynamicGroup({ id: 'pool', template: { module: MODULE }, count: 0 }).children).to.deep.equal([]);
  });
});

describe('per-child backoff (pure)', () => {
  const policy = { minMs: 100, maxMs: 1000, jitter: 0, resetAfterMs: 5000 };

  it('grows with the consecutive failures of one child, up to maxMs', () => {
    let state = { failures: 0, lastFailureAt: 0 };
    const delays = [1000, 2000, 3000, 4000, 5000].map((now) => {
      const next = nextBackoff(policy, state, now);
      state = next;
      return next.delayMs;
    });
    expect(delays).to.deep.equal([100, 200, 400, 800, 1000]);
  });

  it('starts again from minMs after a quiet period of resetAfterMs', () => {
    expect(nextBackoff(policy, { failures: 4, lastFailureAt: 1000 }, 5999)).to.deep.equal({ delayMs: 1000, failures: 5, lastFailureAt: 5999 });
    expect(nextBackoff(policy, { failures: 4, lastFailureAt: 1000 }, 6000)).to.deep.equal({ delayMs: 100, failures: 1, lastFailureAt: 6000 });
  });
});
