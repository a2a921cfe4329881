/**
 * The supervision tree as data, built from the `actors` section of the configuration:
 *
 *   root supervisor (actors.root flags)
 *   ├─ health            (internal: one in-memory service-health actor)
 *   ├─ consumers         (pipeline: `pipeline.consumers.count` partition consumers -> sinks)
 *   ├─ pollers           (pipeline: one source poller per source, `pollers-<source id>`)
 *   ├─ <group 1>         supervisor with the group's flags
 *   │   ├─ <group 1>-1   `count` identical workers
 *   │   └─ <group 1>-2
 *   └─ <group 2> ...
 *
 * Groups start in the order listed and stop in reverse: list sink-side groups before intake
 * groups so that a SIGTERM stops intake first. Pure functions, no I/O.
 */
import { isAbsolute, resolve } from 'node:path';
import { BUILT_IN_ACTORS } from '../actors/registry';
import type { ActorGroupConfig, WharfConfig } from '../config/schema';
import { supervisor, worker, type SupervisorSpec, type WorkerSpec } from '../supervisors/spec';
import { canonicalJson } from '../util/canonical-json';

export const ROOT_ID = 'wharf';
export const HEALTH_GROUP = 'health';
export const CONSUMERS_GROUP = 'consumers';
export const POLLERS_GROUP = 'pollers';
/** Group ids wharf uses for its own groups. */
export const RESERVED_GROUPS = [HEALTH_GROUP, CONSUMERS_GROUP, POLLERS_GROUP];

export function groupModule(group: ActorGroupConfig, configDir: string): string {
  if (group.module) return isAbsolute(group.module) ? group.module : resolve(configDir, group.module);
  const builtIn = BUILT_IN_ACTORS[group.kind ?? ''];
  if (!builtIn) throw new Error(`unknown actor kind "${group.kind}"`);
  return builtIn;
}

export function groupWorkers(group: ActorGroupConfig, configDir: string): WorkerSpec[] {
  const module = groupModule(group, configDir);
  return Array.from({ length: group.count }, (_, i) =>
    worker({
      id: `${group.id}-${i + 1}`,
      module,
      settings: group.settings,
      restart: group.restart,
      shutdownMs: group.shutdownMs,
      mode: group.mode,
      heartbeat: group.heartbeat,
    }),
  );
}

export function groupSpec(group: ActorGroupConfig, configDir: string): SupervisorSpec {
  return supervisor({ id: group.id, children: groupWorkers(group, configDir), flags: group.supervisor });
}

export function healthGroupSpec(config: WharfConfig): SupervisorSpec {
  return supervisor({
    id: HEALTH_GROUP,
    // Only what the checks read, so that reloading other sections leaves the health group alone.
    children: [
      worker({
        id: `${HEALTH_GROUP}-1`,
        module: BUILT_IN_ACTORS['service-health'],
        mode: 'in-memory',
        settings: { config: { kafka: config.kafka, zookeeper: config.zookeeper, sinks: config.sinks } },
      }),
    ],
  });
}

/** The sink side: partition consumers in one Kafka consumer group. Started before intake, stopped after it. */
export function consumersGroupSpec(config: WharfConfig): SupervisorSpec {
  const { consumers } = config.pipeline;
  return supervisor({
    id: CONSUMERS_GROUP,
    flags: consumers.supervisor,
    children: Array.from({ length: consumers.count }, (_, i) =>
      worker({
        id: `${CONSUMERS_GROUP}-${i + 1}`,
        module: BUILT_IN_ACTORS['partition-consumer'],
        mode: consumers.mode,
        shutdownMs: consumers.shutdownMs,
        settings: { kafka: config.kafka, sinks: config.sinks, consumers },
      }),
    ),
  });
}

/** The intake side: one poller per source. */
export function pollersGroupSpec(config: WharfConfig): SupervisorSpec {
  const { pollers } = config.pipeline;
  return supervisor({
    id: POLLERS_GROUP,
    flags: pollers.supervisor,
    children: config.sources.map((source) =>
      worker({
        id: `${POLLERS_GROUP}-${source.id}`,
        module: BUILT_IN_ACTORS['source-poller'],
        mode: pollers.mode,
        shutdownMs: pollers.shutdownMs,
        settings: { source, kafka: config.kafka, zookeeper: config.zookeeper },
      }),
    ),
  });
}

/** wharf's own groups, in start order. */
export function systemGroupSpecs(config: WharfConfig): SupervisorSpec[] {
  return [healthGroupSpec(config), consumersGroupSpec(config), pollersGroupSpec(config)];
}

export function topologySpec(config: WharfConfig, configDir: string): SupervisorSpec {
  return supervisor({
    id: ROOT_ID,
    flags: config.actors.root,
    children: [...systemGroupSpecs(config), ...config.actors.groups.map((g) => groupSpec(g, configDir))],
  });
}

export interface TopologyChange {
  added: string[];
  removed: string[];
  /** Only `count` differs: the group's supervisor adds or stops workers at its end. */
  scaled: string[];
  /** Anything else differs: the group's subtree is restarted with the new spec. */
  restarted: string[];
  unchanged: string[];
}

export function diffGroups(before: readonly ActorGroupConfig[], after: readonly ActorGroupConfig[]): TopologyChange {
  const old = new Map(before.map((g) => [g.id, g]));
  const next = new Map(after.map((g) => [g.id, g]));
  const change: TopologyChange = { added: [], removed: [], scaled: [], restarted: [], unchanged: [] };
  for (const id of old.keys()) if (!next.has(id)) change.removed.push(id);
  for (const [id, group] of next) {
    const previous = old.get(id);
    if (!previous) change.added.push(id);
    else if (same(previous, group)) change.unchanged.push(id);
    else if (same({ ...previous, count: group.count }, group)) change.scaled.push(id);
    else change.restarted.push(id);
  }
  return change;
}

function same(a: unknown, b: unknown): boolean {
  return canonicalJson(a) === canonicalJson(b);
}
