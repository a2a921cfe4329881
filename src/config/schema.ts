/**
 * The schema of wharf's configuration file (config/actors.json): every key, its type, its
 * default. Validation is pure and reports every problem at once (see load.ts); the JSON Schema
 * shipped for editors (config/actors.schema.json) is generated from this file.
 */
import { z } from 'zod';
import { LOG_LEVELS } from '../log';

const durationMs = (max: number) => z.int().min(1).max(max);

/** host:port, as Kafka brokers are given. */
const hostPort = z.string().regex(/^[A-Za-z0-9.[\]:-]+:\d{1,5}$/, 'expected host:port, e.g. "127.0.0.1:9092"');
const httpUrl = z.url({ protocol: /^https?$/, error: 'expected an http:// or https:// URL' });
/** Kafka's legal topic names. */
const topicName = z.string().regex(/^[A-Za-z0-9._-]{1,249}$/, 'expected a Kafka topic name: 1-249 of [A-Za-z0-9._-]');
const componentId = z
  .string()
  .regex(/^[a-z][a-z0-9_-]{0,62}$/, 'expected an id: a lowercase letter, then up to 62 of [a-z0-9_-]');

export const KafkaSchema = z.strictObject({
  brokers: z.array(hostPort).min(1),
  clientId: z.string().min(1).default('wharf'),
  topic: topicName.default('wharf.records'),
  dlqTopic: topicName.default('wharf.dlq'),
  partitions: z.int().min(1).max(10000).default(6),
  connectionTimeoutMs: durationMs(600_000).default(3000),
  requestTimeoutMs: durationMs(600_000).default(30_000),
});

export const ZookeeperSchema = z.strictObject({
  connect: z.string().regex(/^[^,\s]+:\d{1,5}(,[^,\s]+:\d{1,5})*(\/.*)?$/, 'expected host:port[,host:port...]'),
  root: z.string().regex(/^\/[^\s]*[^/\s]$/, 'expected an absolute znode path without trailing slash, e.g. "/wharf"').default('/wharf'),
  sessionTimeoutMs: z.int().min(2000).max(600_000).default(10_000),
});

const credentials = {
  username: z.string().min(1).optional(),
  password: z.string().min(1).optional(),
};

export const ElasticsearchSinkSchema = z.strictObject({
  id: componentId,
  type: z.literal('elasticsearch'),
  node: httpUrl,
  index: z.string().regex(/^[a-z0-9][a-z0-9._-]*$/, 'expected a lowercase Elasticsearch index name'),
  ...credentials,
  requestTimeoutMs: durationMs(600_000).default(30_000),
});

export const CouchdbSinkSchema = z.strictObject({
  id: componentId,
  type: z.literal('couchdb'),
  url: httpUrl,
  db: z.string().regex(/^[a-z][a-z0-9_$()+/-]*$/, 'expected a CouchDB database name'),
  ...credentials,
});

export const SinkSchema = z.discriminatedUnion('type', [ElasticsearchSinkSchema, CouchdbSinkSchema]);

export const StartupSchema = z.strictObject({
  /** How long boot waits for every server before giving up (systemd then restarts wharf). */
  waitForServicesMs: durationMs(3_600_000).default(120_000),
  /** How often a running wharf re-checks its servers and logs every change. */
  healthIntervalMs: durationMs(3_600_000).default(30_000),
});

export const ConfigSchema = z
  .strictObject({
    $schema: z.string().optional(),
    log: z.strictObject({ level: z.enum(LOG_LEVELS).default('info') }).prefault({}),
    kafka: KafkaSchema,
    zookeeper: ZookeeperSchema,
    sinks: z.array(SinkSchema).min(1),
    startup: StartupSchema.prefault({}),
  })
  .superRefine((config, ctx) => {
    const seen = new Map<string, number>();
    config.sinks.forEach((sink, i) => {
      const first = seen.get(sink.id);
      if (first !== undefined) {
        ctx.addIssue({
          code: 'custom',
          path: ['sinks', i, 'id'],
          input: sink.id,
          message: `duplicate id "${sink.id}" (already used by sinks[${first}])`,
        });
      } else {
        seen.set(sink.id, i);
      }
    });
  });

export type WharfConfig = z.output<typeof ConfigSchema>;
export type SinkConfig = z.output<typeof SinkSchema>;
export type ElasticsearchSinkConfig = z.output<typeof ElasticsearchSinkSchema>;
export type CouchdbSinkConfig = z.output<typeof CouchdbSinkSchema>;
export type KafkaConfig = z.output<typeof KafkaSchema>;
export type ZookeeperConfig = z.output<typeof ZookeeperSchema>;

/** The JSON Schema for editors, generated from the zod schema above. */
export function configJsonSchema(): object {
  return z.toJSONSchema(ConfigSchema, { io: 'input', unrepresentable: 'any' });
}
