/** The `actors` section, and the supervisor flags every supervised group has. */
import { z } from 'zod';
import { backoffSchema, componentId, durationMs } from '../util/config-fields';

export const SupervisorFlagsSchema = z.strictObject({
  strategy: z
    .enum(['one-for-one', 'one-for-all', 'rest-for-one'])
    .default('one-for-one')
    .describe('Who restarts with a failed child: one-for-one just it, one-for-all all children, rest-for-one it and those started after it.'),
  maxRestarts: z
    .int()
    .min(0)
    .max(10_000)
    .default(5)
    .describe('More restarts than this within `withinMs` and the supervisor stops its children and escalates to its parent (the root exits wharf with 1).'),
  withinMs: durationMs(86_400_000).default(60_000).describe('The window of `maxRestarts`, in ms.'),
  backoff: backoffSchema.prefault({}).describe('Delay before each restart.'),
});

export const supervisorFlags = (description: string, defaults: z.input<typeof SupervisorFlagsSchema> = {}) =>
  SupervisorFlagsSchema.prefault(defaults).describe(description);

export const actorMode = z
  .enum(['in-memory', 'forked'])
  .default('forked')
  .describe('forked: each actor in its own process; in-memory: inside wharf\'s process (for light, trusted actors).');

/**
 * V8 limits of a forked actor's process: V8 grows its heap while memory is free, so an unlimited
 * child keeps what its busiest moment took. Each limit left out takes `defaults`, else V8's own.
 */
export const actorHeap = (defaults: { maxOldSpaceMiB?: number; maxSemiSpaceMiB?: number } = {}) => {
  const limit = (min: number, max: number, fallback: number | undefined, description: string) => {
    const field = z.int().min(min).max(max);
    return (fallback === undefined ? field.optional() : field.default(fallback)).describe(description);
  };
  return z
    .strictObject({
      maxOldSpaceMiB: limit(
        16,
        65_536,
        defaults.maxOldSpaceMiB,
        'node --max-old-space-size of each forked actor, in MiB: its long-lived heap; above it V8 collects harder, and an actor that still needs more dies (and is restarted). Without a default here: V8\'s own.',
      ),
      maxSemiSpaceMiB: limit(
        1,
        256,
        defaults.maxSemiSpaceMiB,
        'node --max-semi-space-size of each forked actor, in MiB: the young generation is three times this; smaller means less memory and more frequent minor collections (more CPU). Without a default here: V8\'s own (16 on 64-bit).',
      ),
    })
    .prefault({})
    .describe('V8 heap limits of each forked actor\'s process (in-memory actors share wharf\'s process and ignore them).');
};

export const ActorGroupSchema = z
  .strictObject({
    id: componentId.describe(
      'Unique group id, also its supervisor\'s; its actors are `<id>-1`, `<id>-2`, ... The ids health, consumers and pollers are reserved.',
    ),
    kind: z
      .string()
      .min(1)
      .optional()
      .describe('A built-in actor kind (src/actors/registry.ts). Give exactly one of `kind` and `module`.'),
    module: z
      .string()
      .min(1)
      .optional()
      .describe('Path of your own compiled actor module (a class extending WharfActor), absolute or relative to the configuration file.'),
    mode: actorMode,
    count: z.int().min(0).max(256).default(1).describe('Identical actors in the group. A reload that changes only `count` scales the group without restarting it.'),
    restart: z
      .enum(['permanent', 'transient', 'temporary'])
      .default('permanent')
      .describe('When an exited actor is restarted: permanent always, transient only after an abnormal exit, temporary never.'),
    shutdownMs: durationMs(600_000).default(5000).describe('How long a stopping actor may finish its in-flight work, in ms, before it is killed.'),
    heap: actorHeap(),
    heartbeat: z
      .strictObject({
        intervalMs: durationMs(600_000).default(1000).describe('How often a forked actor is pinged, in ms.'),
        timeoutMs: durationMs(3_600_000)
          .default(5000)
          .describe('No answer for this long, in ms: the actor is hung, is killed, and that counts as a crash.'),
      })
      .prefault({})
      .describe('Liveness pings of forked actors (in-memory actors have none).'),
    supervisor: supervisorFlags('Flags of the group\'s supervisor.'),
    settings: z.record(z.string(), z.unknown()).default({}).describe('Plain JSON handed to each actor\'s start().'),
  })
  .superRefine((group, ctx) => {
    if ((group.kind === undefined) === (group.module === undefined)) {
      ctx.addIssue({ code: 'custom', path: ['kind'], message: 'give exactly one of "kind" (a built-in actor) or "module" (a path)' });
    }
  })
  .describe('An actor group: `count` identical actors of one kind under a supervisor of their own, under the root.');

export const ActorsSchema = z
  .strictObject({
    root: supervisorFlags('Flags of the root supervisor, whose children are wharf\'s own groups and `groups`.', { maxRestarts: 3 }),
    drainMs: durationMs(600_000)
      .default(15_000)
      .describe('On SIGTERM/SIGINT: how long, in ms, all groups together may take to finish in-flight work before wharf exits anyway.'),
    groups: z
      .array(ActorGroupSchema)
      .default([])
      .describe('Your own actor groups, started in this order after wharf\'s own and stopped in reverse: list sink-side groups before intake groups.'),
  })
  .describe('The supervision tree beyond the pipeline: the root supervisor, the SIGTERM drain, and your own actor groups.');

export type ActorsConfig = z.output<typeof ActorsSchema>;
export type ActorGroupConfig = z.output<typeof ActorGroupSchema>;
