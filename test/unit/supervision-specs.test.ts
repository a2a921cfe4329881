/**
 * Child specs checked field by field like OTP's check_childspecs: each scenario asserts the exact
 * tag, child id, field and value.
 */
import { expect } from 'chai';
import { WharfError } from '../../src/errors';
import { checkChildSpecs, checkSupervisorSpec, InvalidChildSpecError, type SpecErrorTag } from '../../src/supervisors/check-spec';
import { dynamicGroup, supervisor, worker } from '../../src/supervisors/spec';

const MODULE = '/opt/wharf/dist/actors/probe-actor';

/** The error a check throws, as plain data. */
function rejection(check: () => void): { tag: SpecErrorTag; childId: string | undefined; field: string; value: unknown } {
  try {
    check();
  } catch (err) {
    expect(err).to.be.instanceOf(InvalidChildSpecError);
    const { tag, childId, field, value } = err as InvalidChildSpecError;
    return { tag, childId, field, value };
  }
  throw new Error('expected an InvalidChildSpecError');
}

/** A spec built by the factories, with one field overwritten in a copy (the factories' output is frozen). */
function tampered<T extends object>(spec: T, patch: (copy: Record<string, unknown>) => void): unknown {
  const copy = structuredClone(spec) as Record<string, unknown>;
  patch(copy);
  return copy;
}

const w = (id: string) => worker({ id, module: MODULE });

describe('child spec checks (pure, like OTP check_childspecs)', () => {
  it('duplicate_child_id: two siblings with one id', () => {
    expect(rejection(() => checkChildSpecs([w('a'), w('b'), w('a')]))).to.deep.equal({ tag: 'duplicate_child_id', childId: 'a', field: 'id', value: 'a' });
  });

  it('the same id under different supervisors is fine', () => {
    expect(() => checkChildSpecs([supervisor({ id: 'x', children: [w('a')] }), supervisor({ id: 'y', children: [w('a')] })])).not.to.throw();
  });

  it('invalid_child_id: empty, with a space, or not a string', () => {
    for (const id of ['', 'two words', 42, undefined]) {
      expect(rejection(() => checkChildSpecs([tampered(w('a'), (s) => (s.id = id))]))).to.deep.equal({
        tag: 'invalid_child_id',
        childId: undefined,
        field: 'id',
        value: id,
      });
    }
  });

  it('invalid_kind: neither worker nor supervisor', () => {
    expect(rejection(() => checkChildSpecs([tampered(w('a'), (s) => (s.kind = 'actor'))]))).to.deep.equal({ tag: 'invalid_kind', childId: 'a', field: 'kind', value: 'actor' });
  });

  it('invalid_child_spec: a sibling that is not an object', () => {
    expect(rejection(() => checkChildSpecs([w('a'), null]))).to.deep.include({ tag: 'invalid_child_spec', value: null });
  });

  it('invalid_restart_type: restart "sometimes"', () => {
    expect(rejection(() => checkChildSpecs([w('a'), worker({ id: 'b', module: MODULE, restart: 'sometimes' as never })]))).to.deep.equal({
      tag: 'invalid_restart_type',
      childId: 'b',
      field: 'restart',
      value: 'sometimes',
    });
  });

  it('invalid_shutdown: negative, infinite, or longer than a timer can wait', () => {
    for (const shutdownMs of [-1, Infinity, 2 ** 31, '5s']) {
      expect(rejection(() => checkChildSpecs([tampered(w('a'), (s) => (s.shutdownMs = shutdownMs))]))).to.deep.equal({
        tag: 'invalid_shutdown',
        childId: 'a',
        field: 'shutdownMs',
        value: shutdownMs,
      });
    }
    expect(() => checkChildSpecs([worker({ id: 'a', module: MODULE, shutdownMs: 0 })])).not.to.throw();
  });

  it('invalid_mode: mode "threaded"', () => {
    expect(rejection(() => checkChildSpecs([worker({ id: 'a', module: MODULE, mode: 'threaded' as never })]))).to.deep.equal({
      tag: 'invalid_mode',
      childId: 'a',
      field: 'mode',
      value: 'threaded',
    });
  });

  it('invalid_module: a relative path or not a string', () => {
    for (const module of ['dist/actors/probe-actor', 42]) {
      expect(rejection(() => checkChildSpecs([tampered(w('a'), (s) => (s.module = module))]))).to.deep.equal({
        tag: 'invalid_module',
        childId: 'a',
        field: 'module',
        value: module,
      });
    }
  });

  it('invalid_settings: an array instead of an object', () => {
    expect(rejection(() => checkChildSpecs([tampered(w('a'), (s) => (s.settings = [1]))]))).to.deep.equal({ tag: 'invalid_settings', childId: 'a', field: 'settings', value: [1] });
  });

  it('invalid_heartbeat: an interval of 0 ms', () => {
    expect(rejection(() => checkChildSpecs([worker({ id: 'a', module: MODULE, heartbeat: { intervalMs: 0, timeoutMs: 5000 } })]))).to.deep.equal({
      tag: 'invalid_heartbeat',
      childId: 'a',
      field: 'heartbeat.intervalMs',
      value: 0,
    });
  });

  it('invalid_heap: a fractional maxOldSpaceMiB', () => {
    expect(rejection(() => checkChildSpecs([worker({ id: 'a', module: MODULE, heap: { maxOldSpaceMiB: 1.5 } })]))).to.deep.equal({
      tag: 'invalid_heap',
      childId: 'a',
      field: 'heap.maxOldSpaceMiB',
      value: 1.5,
    });
  });

  it('invalid_strategy: "one-for-some"', () => {
    expect(rejection(() => checkSupervisorSpec(supervisor({ id: 'root', children: [], flags: { strategy: 'one-for-some' as never } })))).to.deep.equal({
      tag: 'invalid_strategy',
      childId: 'root',
      field: 'flags.strategy',
      value: 'one-for-some',
    });
  });

  it('invalid_intensity: {invalid_intensity, 0.5} and a negative count', () => {
    for (const maxRestarts of [0.5, -1]) {
      expect(rejection(() => checkSupervisorSpec(supervisor({ id: 'root', children: [], flags: { maxRestarts } })))).to.deep.equal({
        tag: 'invalid_intensity',
        childId: 'root',
        field: 'flags.maxRestarts',
        value: maxRestarts,
      });
    }
    expect(() => checkSupervisorSpec(supervisor({ id: 'root', children: [], flags: { maxRestarts: 0 } }))).not.to.throw();
  });

  it('invalid_period: a window of 0 ms', () => {
    expect(rejection(() => checkSupervisorSpec(supervisor({ id: 'root', children: [], flags: { withinMs: 0 } })))).to.deep.equal({
      tag: 'invalid_period',
      childId: 'root',
      field: 'flags.withinMs',
      value: 0,
    });
  });

  it('invalid_backoff: a jitter above 1, and maxMs below minMs', () => {
    expect(rejection(() => checkSupervisorSpec(supervisor({ id: 'root', children: [], flags: { backoff: { jitter: 1.5 } } })))).to.deep.equal({
      tag: 'invalid_backoff',
      childId: 'root',
      field: 'flags.backoff.jitter',
      value: 1.5,
    });
    expect(rejection(() => checkSupervisorSpec(supervisor({ id: 'root', children: [], flags: { backoff: { minMs: 500, maxMs: 100 } } })))).to.deep.equal({
      tag: 'invalid_backoff',
      childId: 'root',
      field: 'flags.backoff.maxMs',
      value: 100,
    });
  });

  it('invalid_flags and invalid_children: missing flags, children not an array', () => {
    expect(rejection(() => checkSupervisorSpec(tampered(supervisor({ id: 'root', children: [] }), (s) => delete s.flags)))).to.deep.equal({
      tag: 'invalid_flags',
      childId: 'root',
      field: 'flags',
      value: undefined,
    });
    expect(rejection(() => checkSupervisorSpec(tampered(supervisor({ id: 'root', children: [] }), (s) => (s.children = {}))))).to.deep.equal({
      tag: 'invalid_children',
      childId: 'root',
      field: 'children',
      value: {},
    });
  });

  it('a problem deep in the tree names the child it is in', () => {
    const deep = supervisor({ id: 'outer', children: [supervisor({ id: 'inner', children: [w('ok'), worker({ id: 'bad', module: MODULE, restart: 'never' as never })] })] });
    expect(rejection(() => checkSupervisorSpec(deep))).to.deep.equal({ tag: 'invalid_restart_type', childId: 'bad', field: 'restart', value: 'never' });
  });

  it('invalid_count: a negative or fractional group size', () => {
    for (const count of [-1, 1.5]) {
      expect(rejection(() => checkChildSpecs([dynamicGroup({ id: 'pool', template: { module: MODULE }, count })]))).to.deep.equal({
        tag: 'invalid_count',
        childId: 'pool',
        field: 'group.count',
        value: count,
      });
    }
  });

  it("a group's template is checked as a worker: invalid_mode at group.template.mode", () => {
    expect(rejection(() => checkChildSpecs([dynamicGroup({ id: 'pool', template: { module: MODULE, mode: 'threaded' as never }, count: 2 })]))).to.deep.equal({
      tag: 'invalid_mode',
      childId: 'pool',
      field: 'group.template.mode',
      value: 'threaded',
    });
  });

  it('invalid_group_children: a group whose children are not its template times its count', () => {
    const group = dynamicGroup({ id: 'pool', template: { module: MODULE }, count: 2 });
    const renamed = tampered(group, (s) => ((s.children as Array<{ id: string }>)[1].id = 'pool-7'));
    expect(rejection(() => checkChildSpecs([renamed]))).to.deep.equal({ tag: 'invalid_group_children', childId: 'pool', field: 'children', value: ['pool-1', 'pool-7'] });
  });

  it('the error is a non-retriable WharfError whose message names the child, the tag, the value and what was expected', () => {
    try {
      checkSupervisorSpec(supervisor({ id: 'root', children: [], flags: { maxRestarts: 0.5 } }));
    } catch (err) {
      expect(err).to.be.instanceOf(WharfError);
      expect((err as WharfError).retriable).to.equal(false);
      expect((err as Error).message).to.equal('child spec "root": {invalid_intensity, 0.5} at flags.maxRestarts: expected a whole number from 0');
      return;
    }
    throw new Error('expected an error');
  });

  it('accepts the specs the factories build with their defaults', () => {
    expect(() => checkSupervisorSpec(supervisor({ id: 'root', children: [w('a'), supervisor({ id: 's', children: [w('b')] }), dynamicGroup({ id: 'g', template: { module: MODULE }, count: 0 })] }))).not.to.throw();
  });
});
