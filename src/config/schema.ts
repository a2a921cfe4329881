/**
 * The schema of wharf's configuration file (config/actors.json), composed from each component's
 * own schema (kafka/config.ts, coordination/config.ts, sources/ and sinks/ registries,
 * actors-schema.ts, service-schema.ts): every key, its type, its default and, as zod metadata,
 * its description. Validation is pure and reports every problem at once (see load.ts); the JSON
 * Schema shipped for editors (config/actors.schema.json) and the operators' reference
 * (docs/configuration.md, see reference.ts) are generated from it, so a key's explanation
 * belongs in its `.describe()`, not in a comment.
 */
import { z } from 'zod';
import { ZookeeperSchema } from '../coordination/config';
import { KafkaSchema } from '../kafka/config';
import { LOG_LEVELS } from '../log';
import { SinkSchema } from '../sinks/schema';
import { SourceSchema } from '../sources/schema';
import { ActorsSchema } from './actors-schema';
import { MetricsSchema, PipelineSchema, StartupSchema } from './service-schema';

/** The whole file. Ids that must be unique (sources, sinks, actor groups) are checked in load.ts. */
export const ConfigSchema = z.strictObject({
  $schema: z.string().optional().describe('The JSON Schema for editors, e.g. "./actors.schema.json"; wharf ignores it.'),
  log: z
    .strictObject({
      level: z.enum(LOG_LEVELS).default('info').describe('pino log level; the environment variable WHARF_LOG_LEVEL, when set, wins.'),
      redact: z
        .array(z.string().regex(/^[A-Za-z_$][\w$-]*$/, 'expected a field name'))
        .default([])
        .describe('Field names redacted wherever they appear in a log line, besides password, token, secret, authorization, ...'),
    })
    .prefault({})
    .describe('Logging: JSON lines on stdout.'),
  kafka: KafkaSchema,
  zookeeper: ZookeeperSchema,
  sources: z.array(SourceSchema).default([]).describe('Where records come from; each source is polled by one instance at a time.'),
  sinks: z.array(SinkSchema).min(1).describe('Where records are written; every record goes to every sink.'),
  pipeline: PipelineSchema.prefault({}),
  startup: StartupSchema.prefault({}),
  metrics: MetricsSchema.prefault({}),
  actors: ActorsSchema.prefault({}),
});

export type WharfConfig = z.output<typeof ConfigSchema>;

/** The JSON Schema for editors, generated from the zod schema above. */
export function configJsonSchema(): object {
  return z.toJSONSchema(ConfigSchema, { io: 'input', unrepresentable: 'any' });
}
