/**
 * The schema of wharf's configuration file (config/actors.json): every key, its type, its
 * default. Validation is pure and reports every problem at once (see load.ts); the JSON Schema
 * shipped for editors (config/actors.schema.json) is generated from this file.
 */
import { isAbsolute } from 'node:path';
import { z } from 'zod';
import { LOG_LEVELS } from '../log';

const durationMs = (max: number) => z.int().min(1).max(max);

/** host:port, as Kafka brokers are given. */
const hostPort = z.string().regex(/^[A-Za-z0-9.[\]:-]+:\d{1,5}$/, 'expected host:port, e.g. "127.0.0.1:9092"');
const httpUrl = z.url({ protocol: /^https?$/, error: 'expected an http:// or https:// URL' });
/** Kafka's legal topic names. */
const topicName = z.string().regex(/^[A-Za-z0-9._-]{1,249}$/, 'expected a Kafka topic name: 1-249 of [A-Za-z0-9._-]');
/** CouchDB's legal database names. */
const couchdbName = z.string().regex(/^[a-z][a-z0-9_$()+/-]*$/, 'expected a CouchDB database name');
const componentId = z
  .string()
  .regex(/^[a-z][a-z0-9_-]{0,62}$/, 'expected an id: a lowercase letter, then up to 62 of [a-z0-9_-]');

export const KafkaSchema = z.strictObject({
  brokers: z.array(hostPort).min(1),
  clientId: z.string().min(1).default('wharf'),
  topic: topicName.default('wharf.records'),
  dlqTopic: topicName.default('wharf.dlq'),
  partitions: z.int().min(1).max(10000).default(6),
  /** Compression of produced batches (kafkajs supports gzip natively). */
  compression: z.enum(['gzip', 'none']).default('gzip'),
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

/** Limits every sink writer honours. */
const writerLimits = {
  /** Records per bulk request. */
  batchSize: z.int().min(1).max(10_000).default(500),
  /** A document larger than this (as JSON) is dead-lettered instead of sent. */
  maxDocumentBytes: z.int().min(1024).max(100 * 1024 * 1024).default(10 * 1024 * 1024),
  /** Attempts for items failing with retriable statuses (429, 5xx) before the batch is given back. */
  maxAttempts: z.int().min(1).max(100).default(5),
};

export const ElasticsearchSinkSchema = z.strictObject({
  id: componentId,
  type: z.literal('elasticsearch'),
  node: httpUrl,
  index: z.string().regex(/^[a-z0-9][a-z0-9._-]*$/, 'expected a lowercase Elasticsearch index name'),
  ...credentials,
  requestTimeoutMs: durationMs(600_000).default(30_000),
  /** Index mappings and settings used when wharf creates the index (an existing index is left as it is). */
  mappings: z.record(z.string(), z.unknown()).optional(),
  settings: z.record(z.string(), z.unknown()).optional(),
  ...writerLimits,
});

export const CouchdbSinkSchema = z.strictObject({
  id: componentId,
  type: z.literal('couchdb'),
  url: httpUrl,
  db: couchdbName,
  ...credentials,
  ...writerLimits,
});

export const SinkSchema = z.discriminatedUnion('type', [ElasticsearchSinkSchema, CouchdbSinkSchema]);

export const StartupSchema = z.strictObject({
  /** How long boot waits for every server before giving up (systemd then restarts wharf). */
  waitForServicesMs: durationMs(3_600_000).default(120_000),
  /** How often a running wharf re-checks its servers and logs every change. */
  healthIntervalMs: durationMs(3_600_000).default(30_000),
});

const BackoffSchema = z.strictObject({
  minMs: durationMs(3_600_000).default(200),
  maxMs: durationMs(3_600_000).default(30_000),
  jitter: z.number().min(0).max(1).default(0.2),
  resetAfterMs: durationMs(86_400_000).default(60_000),
});

export const SupervisorFlagsSchema = z.strictObject({
  strategy: z.enum(['one-for-one', 'one-for-all', 'rest-for-one']).default('one-for-one'),
  maxRestarts: z.int().min(0).max(10_000).default(5),
  withinMs: durationMs(86_400_000).default(60_000),
  backoff: BackoffSchema.prefault({}),
});

/**
 * An actor group: `count` identical actors of one kind under their own supervisor. `kind` names
 * a built-in actor (src/actors/registry.ts); `module` loads an operator's own compiled actor
 * module instead (absolute, or relative to this file). `settings` is handed to each actor.
 */
export const ActorGroupSchema = z
  .strictObject({
    id: componentId,
    kind: z.string().min(1).optional(),
    module: z.string().min(1).optional(),
    mode: z.enum(['in-memory', 'forked']).default('forked'),
    count: z.int().min(0).max(256).default(1),
    restart: z.enum(['permanent', 'transient', 'temporary']).default('permanent'),
    shutdownMs: durationMs(600_000).default(5000),
    heartbeat: z
      .strictObject({ intervalMs: durationMs(600_000).default(1000), timeoutMs: durationMs(3_600_000).default(5000) })
      .prefault({}),
    supervisor: SupervisorFlagsSchema.prefault({}),
    settings: z.record(z.string(), z.unknown()).default({}),
  })
  .superRefine((group, ctx) => {
    if ((group.kind === undefined) === (group.module === undefined)) {
      ctx.addIssue({ code: 'custom', path: ['kind'], message: 'give exactly one of "kind" (a built-in actor) or "module" (a path)' });
    }
  });

export const ActorsSchema = z.strictObject({
  /** Flags of the root supervisor, whose children are the groups. */
  root: SupervisorFlagsSchema.prefault({ maxRestarts: 3 }),
  /** SIGTERM: how long in-flight work may take before children are killed. */
  drainMs: durationMs(600_000).default(15_000),
  groups: z.array(ActorGroupSchema).default([]),
});

/** A record larger than this (as JSON) goes to the dead-letter topic instead of Kafka. */
const maxRecordBytes = z.int().min(64).max(50 * 1024 * 1024).default(1024 * 1024);

/** A dot path into a JSON document, e.g. "data.items"; "" is the document itself. */
const jsonPath = z.string().regex(/^([A-Za-z0-9_$-]+(\.[A-Za-z0-9_$-]+)*)?$/, 'expected a dot path such as "data.items"');

export const HttpJsonSourceSchema = z.strictObject({
  id: componentId,
  type: z.literal('http-json'),
  url: httpUrl,
  /** Query parameter carrying the cursor; omitted on the very first request. */
  cursorParam: z.string().min(1).default('since'),
  /** Where the array of records is in a response. */
  itemsPath: jsonPath.default('items'),
  /** Where the next cursor is in a response; absent or null means "no more pages now". */
  nextCursorPath: jsonPath.default('next'),
  /** The record field holding the upstream's own id. */
  idField: z.string().min(1).default('id'),
  intervalMs: durationMs(86_400_000).default(5000),
  requestTimeoutMs: durationMs(600_000).default(30_000),
  /** Extra request headers; put secrets in the environment: "Bearer ${ORDERS_TOKEN}". */
  headers: z.record(z.string(), z.string()).default({}),
  maxRecordBytes,
});

/** Follows a directory of newline-delimited JSON files; semantics in src/sources/ndjson-files-source.ts. */
export const NdjsonFilesSourceSchema = z.strictObject({
  id: componentId,
  type: z.literal('ndjson-files'),
  /** The directory to follow; its subdirectories are not read. */
  path: z.string().refine(isAbsolute, 'expected an absolute directory path'),
  /** Which file names to read: `*` is any run of characters, `?` any one. Must match rotated names too. */
  pattern: z.string().regex(/^[^/]+$/, 'expected a file-name glob without "/", e.g. "*.ndjson"').default('*.ndjson'),
  /** The record field holding its own id; without it, or in a record lacking it, the id is `<file identity>:<byte offset>`. */
  idField: z.string().min(1).optional(),
  intervalMs: durationMs(86_400_000).default(1000),
  /** Also the longest line read: a longer one is dead-lettered with its first KiB, never held whole in memory. */
  maxRecordBytes,
  /** Lines (records and malformed) per page, i.e. per Kafka send and cursor save. */
  maxBatchRecords: z.int().min(1).max(100_000).default(1000),
  /** Bytes of lines per page; a page always takes at least one line. */
  maxBatchBytes: z.int().min(1024).max(256 * 1024 * 1024).default(4 * 1024 * 1024),
  /** Files tracked at once; the cursor holds ~100 bytes per file and ZooKeeper's node limit is 1 MB. */
  maxFiles: z.int().min(1).max(5000).default(1000),
});

/**
 * How long past its `timeout` a longpoll may stay open before wharf ends it as idle: CouchDB
 * answers by itself at `timeout`, pouchdb-server ignores it and waits for the next change.
 */
export const LONGPOLL_GRACE_MS = 2000;

export const CouchdbChangesSourceSchema = z
  .strictObject({
    id: componentId,
    type: z.literal('couchdb-changes'),
    /** The server, e.g. "https://couch.example.com:6984"; credentials go in username/password. */
    url: httpUrl,
    db: couchdbName,
    ...credentials,
    /** Changes per request (`limit`). */
    batchSize: z.int().min(1).max(10_000).default(500),
    /**
     * How long an idle feed waits server-side for a change (`feed=longpoll&timeout=`). It also
     * bounds how long a stopping poller waits for its request to end.
     */
    longpollTimeoutMs: durationMs(300_000).default(5000),
    /** Pause after a longpoll that brought nothing, before the next one. */
    intervalMs: durationMs(86_400_000).default(1000),
    /** Bound of one request; must exceed longpollTimeoutMs plus a grace of 2 s. */
    requestTimeoutMs: durationMs(600_000).default(30_000),
    /** Whether `_design/` documents become records. */
    includeDesignDocs: z.boolean().default(false),
    maxRecordBytes,
  })
  .superRefine((source, ctx) => {
    if (source.requestTimeoutMs <= source.longpollTimeoutMs + LONGPOLL_GRACE_MS) {
      ctx.addIssue({
        code: 'custom',
        path: ['requestTimeoutMs'],
        message: `must exceed longpollTimeoutMs + ${LONGPOLL_GRACE_MS} (${source.longpollTimeoutMs + LONGPOLL_GRACE_MS}), got ${source.requestTimeoutMs}`,
      });
    }
  });

export const SourceSchema = z.discriminatedUnion('type', [HttpJsonSourceSchema, NdjsonFilesSourceSchema, CouchdbChangesSourceSchema]);

const pipelineGroup = {
  mode: z.enum(['in-memory', 'forked']).default('forked'),
  shutdownMs: durationMs(600_000).default(10_000),
  supervisor: SupervisorFlagsSchema.prefault({}),
};

/** The pipeline's own actor groups: one poller per source, and the partition consumers. */
export const PipelineSchema = z.strictObject({
  pollers: z.strictObject({ ...pipelineGroup }).prefault({}),
  consumers: z
    .strictObject({
      ...pipelineGroup,
      /** Consumers in this instance's share of the consumer group (each gets some partitions). */
      count: z.int().min(0).max(256).default(2),
      groupId: z.string().min(1).default('wharf-sinks'),
      /** Delay before retrying a batch whose sink is unavailable (grows with failures). */
      retry: BackoffSchema.prefault({ minMs: 500, maxMs: 30_000 }),
    })
    .prefault({}),
});

/** The operator's HTTP listener: /metrics, /healthz, /readyz, /topology (src/http/ops-server.ts). */
export const MetricsSchema = z.strictObject({
  /** Loopback by default; binding another address exposes the endpoints to that network. */
  host: z.string().min(1).default('127.0.0.1'),
  /** 0 picks a free port (the log line "ops endpoints listening" names it). */
  port: z.int().min(0).max(65535).default(9464),
  /** How often the root collects every actor process's metrics, besides on each scrape; bounds what a crash can lose. */
  collectIntervalMs: durationMs(3_600_000).default(5000),
});

/** The whole file. Ids that must be unique (sinks, actor groups) are checked in load.ts. */
export const ConfigSchema = z.strictObject({
  $schema: z.string().optional(),
  log: z
    .strictObject({
      /** WHARF_LOG_LEVEL, when set, wins (handy for one debugging run under systemd). */
      level: z.enum(LOG_LEVELS).default('info'),
      /** Field names redacted wherever they appear in a log line, besides password, token, secret, authorization, ... */
      redact: z.array(z.string().regex(/^[A-Za-z_$][\w$-]*$/, 'expected a field name')).default([]),
    })
    .prefault({}),
  kafka: KafkaSchema,
  zookeeper: ZookeeperSchema,
  sources: z.array(SourceSchema).default([]),
  sinks: z.array(SinkSchema).min(1),
  pipeline: PipelineSchema.prefault({}),
  startup: StartupSchema.prefault({}),
  metrics: MetricsSchema.prefault({}),
  actors: ActorsSchema.prefault({}),
});

export type WharfConfig = z.output<typeof ConfigSchema>;
export type SinkConfig = z.output<typeof SinkSchema>;
export type ElasticsearchSinkConfig = z.output<typeof ElasticsearchSinkSchema>;
export type CouchdbSinkConfig = z.output<typeof CouchdbSinkSchema>;
export type KafkaConfig = z.output<typeof KafkaSchema>;
export type ZookeeperConfig = z.output<typeof ZookeeperSchema>;
export type SourceConfig = z.output<typeof SourceSchema>;
export type HttpJsonSourceConfig = z.output<typeof HttpJsonSourceSchema>;
export type NdjsonFilesSourceConfig = z.output<typeof NdjsonFilesSourceSchema>;
export type CouchdbChangesSourceConfig = z.output<typeof CouchdbChangesSourceSchema>;
export type PipelineConfig = z.output<typeof PipelineSchema>;
export type ActorsConfig = z.output<typeof ActorsSchema>;
export type ActorGroupConfig = z.output<typeof ActorGroupSchema>;

/** The JSON Schema for editors, generated from the zod schema above. */
export function configJsonSchema(): object {
  return z.toJSONSchema(ConfigSchema, { io: 'input', unrepresentable: 'any' });
}
