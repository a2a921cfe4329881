/**
 * wharf's supervision tree as data, built from the configuration:
 *
 *   root supervisor (actors.root flags)
 *   ├─ health            one in-memory service-health actor
 *   ├─ consumers         dynamic group: `pipeline.consumers.count` partition consumers -> sinks
 *   ├─ pollers           one source poller per source, `pollers-<source id>`
 *   ├─ <group 1>         dynamic group with the group's flags: `count` identical workers
 *   │   ├─ <group 1>-1
 *   │   └─ <group 1>-2
 *   └─ <group 2> ...
 *
 * Groups start in the order listed and stop in reverse: list sink-side groups before intake
 * groups so that a SIGTERM stops intake first. What a reload restarts is decided by comparing
 * the trees before and after (topology-diff.ts): each actor's settings hold only the sections
 * it reads, so a change reaches only the actors that read it (docs/reload.md). Pure functions,
 * no I/O.
 */
import { isAbsolute, resolve } from 'node:path';
import { BUILT_IN_ACTORS } from '../actors/registry';
import type { ActorGroupConfig } from '../config/actors-schema';
import type { WharfConfig } from '../config/schema';
import type { ConfigIssue } from '../errors';
import { dynamicGroup, supervisor, worker, type SupervisorSpec } from '../supervisors/spec';

export const ROOT_ID = 'wharf';
export const HEALTH_GROUP = 'health';
export const CONSUMERS_GROUP = 'consumers';
export const POLLERS_GROUP = 'pollers';
/** Group ids wharf uses for its own groups. */
export const RESERVED_GROUPS = [HEALTH_GROUP, CONSUMERS_GROUP, POLLERS_GROUP];

export function groupModule(group: ActorGroupConfig, configDir: string): string {
  if (group.module) return isAbsolute(group.module) ? group.module : resolve(configDir, group.module);
  const builtIn = BUILT_IN_ACTORS[group.kind ?? ''];
  // topologyIssues() refuses such a configuration before anything is built.
  if (!builtIn) throw new Error(`unknown actor kind "${group.kind}"`);
  return builtIn;
}

/** What the schema cannot know: built-in actor kinds and wharf's reserved group ids. */
export function topologyIssues(config: WharfConfig): ConfigIssue[] {
  const known = Object.keys(BUILT_IN_ACTORS);
  return config.actors.groups.flatMap((group, i) => [
    ...(group.kind !== undefined && !known.includes(group.kind)
      ? [{ path: `actors.groups[${i}].kind`, message: `unknown actor kind "${group.kind}" (built-in kinds: ${known.join(', ')})` }]
      : []),
    ...(RESERVED_GROUPS.includes(group.id) ? [{ path: `actors.groups[${i}].id`, message: `"${group.id}" is reserved for wharf's own groups (${RESERVED_GROUPS.join(', ')})` }] : []),
  ]);
}

/** An operator's group: `count` workers of one module under a supervisor with the group's flags. */
export function groupSpec(group: ActorGroupConfig, configDir: string): SupervisorSpec {
  const { settings, restart, shutdownMs, mode, heartbeat, heap } = group;
  return dynamicGroup({ id: group.id, count: group.count, flags: group.supervisor, template: { module: groupModule(group, configDir), settings, restart, shutdownMs, mode, heartbeat, heap } });
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
  // The count shapes the group, not each consumer: scaling must not change the template.
  const { count, ...consumers } = config.pipeline.consumers;
  return dynamicGroup({
    id: CONSUMERS_GROUP,
    count,
    flags: consumers.supervisor,
    template: {
      module: BUILT_IN_ACTORS['partition-consumer'],
      mode: consumers.mode,
      shutdownMs: consumers.shutdownMs,
      heap: consumers.heap,
      settings: { kafka: config.kafka, sinks: config.sinks, consumers },
    },
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
        heap: pollers.heap,
        settings: { source, kafka: config.kafka, zookeeper: config.zookeeper },
      }),
    ),
  });
}

export function topologySpec(config: WharfConfig, configDir: string): SupervisorSpec {
  return supervisor({
    id: ROOT_ID,
    flags: config.actors.root,
    children: [healthGroupSpec(config), consumersGroupSpec(config), pollersGroupSpec(config), ...config.actors.groups.map((g) => groupSpec(g, configDir))],
  });
}
