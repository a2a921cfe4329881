import { expect } from 'chai';
import { parseConfig } from '../../src/config/load';
import { ConfigError } from '../../src/errors';
import { groupSpec, topologyIssues, topologySpec } from '../../src/service/topology';
import { diffTopology } from '../../src/service/topology-diff';

const base = {
  kafka: { brokers: ['127.0.0.1:9092'] },
  zookeeper: { connect: '127.0.0.1:2181' },
  sinks: [{ id: 'search', type: 'elasticsearch', node: 'http://127.0.0.1:9200', index: 'orders' }],
};

function withGroups(groups: object[], pipeline: object = {}): ReturnType<typeof parseConfig> {
  return parseConfig({ ...base, pipeline, actors: { groups } }, 'test.json', {}, [topologyIssues]);
}

function actorIssues(actors: object): string[] {
  try {
    parseConfig({ ...base, actors }, 'test.json', {}, [topologyIssues]);
  } catch (err) {
    return (err as ConfigError).issues.map((i) => `${i.path}: ${i.message}`);
  }
  throw new Error('expected a ConfigError');
}

describe('topology from the actors section', () => {
  it("builds root -> wharf's own groups -> one supervisor per configured group with `count` workers named <group>-<n>", () => {
    const config = withGroups([{ id: 'workers', module: './probe', count: 3, mode: 'forked', settings: { batchSize: 500 } }]);
    const root = topologySpec(config, '/etc/wharf');
    expect(root.children.map((c) => c.id)).to.deep.equal(['health', 'consumers', 'pollers', 'workers']);
    const workers = root.children[3];
    expect(workers.kind).to.equal('supervisor');
    if (workers.kind !== 'supervisor') return;
    expect(workers.children.map((c) => c.id)).to.deep.equal(['workers-1', 'workers-2', 'workers-3']);
    expect(workers.children[0]).to.deep.include({ module: '/etc/wharf/probe', mode: 'forked', settings: { batchSize: 500 }, restart: 'permanent' });
    expect(workers.flags).to.deep.include({ strategy: 'one-for-one', maxRestarts: 5, withinMs: 60_000 });
  });

  it("gives each group's workers its heap limits: the pipeline's defaults field by field, an operator group's as given", () => {
    const config = withGroups([{ id: 'workers', module: './probe', heap: { maxSemiSpaceMiB: 2 } }], { consumers: { heap: { maxOldSpaceMiB: 200 } } });
    const heaps = topologySpec(config, '/etc/wharf').children.map((group) => (group.kind === 'supervisor' ? group.children.map((c) => (c.kind === 'worker' ? c.heap : undefined)) : []));
    expect(heaps).to.deep.equal([[{}], [{ maxOldSpaceMiB: 200, maxSemiSpaceMiB: 8 }, { maxOldSpaceMiB: 200, maxSemiSpaceMiB: 8 }], [], [{ maxSemiSpaceMiB: 2 }]]);
    expect(config.pipeline.pollers.heap).to.deep.equal({ maxSemiSpaceMiB: 8 }); // no source here, so no poller
  });

  it('maps a built-in kind to its module and a count of 0 to no workers', () => {
    const [group] = withGroups([{ id: 'checks', kind: 'service-health', count: 0 }]).actors.groups;
    expect(groupSpec(group, '/x').children).to.deep.equal([]);
  });

  it('classifies a reload: unchanged, scaled (count only, the consumers included), restarted (anything else), added, removed', () => {
    const before = withGroups(
      [
        { id: 'a', module: '/m' },
        { id: 'b', module: '/m', count: 2 },
        { id: 'c', module: '/m' },
        { id: 'd', module: '/m' },
      ],
      { consumers: { count: 2 } },
    );
    const after = withGroups(
      [
        { id: 'a', module: '/m' },
        { id: 'b', module: '/m', count: 5 },
        { id: 'c', module: '/m', settings: { batchSize: 1 } },
        { id: 'e', module: '/m' },
      ],
      { consumers: { count: 3 } },
    );
    expect(diffTopology(topologySpec(before, '/etc'), topologySpec(after, '/etc'))).to.deep.equal({
      added: ['e'],
      removed: ['d'],
      scaled: ['consumers', 'b'],
      restarted: ['c'],
      unchanged: ['health', 'pollers', 'a'],
    });
  });

  it('restarts only the actors a change in another section reaches: sinks restart the health checker and the consumers, not the pollers', () => {
    const before = withGroups([{ id: 'a', module: '/m' }]);
    const after = { ...before, sinks: [{ ...before.sinks[0], index: 'orders-v2' }] } as typeof before;
    expect(diffTopology(topologySpec(before, '/etc'), topologySpec(after, '/etc'))).to.deep.include({ restarted: ['consumers', 'health-1'], unchanged: ['pollers', 'a'] });
  });

  it('restarts, starts or stops only the poller of the source that changed, was added or removed; the consumers never', () => {
    const source = (id: string, intervalMs = 1000) => ({ id, type: 'http-json', url: `http://127.0.0.1:8700/${id}`, cursorParam: 'since', itemsPath: 'items', idField: 'id', intervalMs });
    const before = parseConfig({ ...base, sources: [source('a'), source('b'), source('c')] }, 'test.json', {}, [topologyIssues]);
    const after = parseConfig({ ...base, sources: [source('a'), source('b', 5000), source('d')] }, 'test.json', {}, [topologyIssues]);
    expect(diffTopology(topologySpec(before, '/etc'), topologySpec(after, '/etc'))).to.deep.equal({
      added: ['pollers-d'],
      removed: ['pollers-c'],
      scaled: [],
      restarted: ['pollers-b'],
      unchanged: ['health', 'consumers', 'pollers-a'],
    });
  });

  it('restarts nothing for the log level or the metrics listener (they apply at the next start)', () => {
    const before = withGroups([{ id: 'a', module: '/m' }]);
    const after = { ...before, log: { ...before.log, level: 'debug' }, metrics: { ...before.metrics, port: 9999 } } as typeof before;
    expect(diffTopology(topologySpec(before, '/etc'), topologySpec(after, '/etc'))).to.deep.include({ restarted: [], unchanged: ['health', 'consumers', 'pollers', 'a'] });
  });

  it('reports broken groups with exact messages: unknown key, wrong type, negative count, duplicate id, kind and module', () => {
    expect(
      actorIssues({
        groups: [
          { id: 'a', module: '/m', count: -1 },
          { id: 'a', module: '/m', mode: 'threaded' },
          { id: 'b', kind: 'service-health', module: '/m', batch: 10 },
          { id: 'c', module: '/m', supervisor: { maxRestarts: 'many' } },
        ],
      }),
    ).to.deep.equal([
      'actors.groups[1].id: duplicate id "a" (already used by actors.groups[0])',
      'actors.groups[0].count: too small: expected number to be >=0, got -1',
      `actors.groups[1].mode: invalid option: expected one of "in-memory"|"forked", got "threaded"`,
      'actors.groups[2].batch: unknown key',
      'actors.groups[2].kind: give exactly one of "kind" (a built-in actor) or "module" (a path)',
      'actors.groups[3].supervisor.maxRestarts: expected number, got "many"',
    ]);
  });

  it('rejects an unknown built-in kind and the reserved group ids', () => {
    expect(actorIssues({ groups: [{ id: 'health', kind: 'kafka-teleporter' }] })).to.deep.equal([
      'actors.groups[0].kind: unknown actor kind "kafka-teleporter" (built-in kinds: service-health, source-poller, partition-consumer)',
      'actors.groups[0].id: "health" is reserved for wharf\'s own groups (health, consumers, pollers)',
    ]);
  });
});
