/**
 * The schema of wharf's configuration file (config/actors.json): every key, its type, its
 * default and, as zod metadata, its description. Validation is pure and reports every problem at
 * once (see load.ts); the JSON Schema shipped for editors (config/actors.schema.json) and the
 * operators' reference (docs/configuration.md, see reference.ts) are generated from this file,
 * so a key's explanation belongs in its `.describe()`, not in a comment.
 */
import { isAbsolute } from 'node:path';
import { z } from 'zod';
import { LOG_LEVELS } from '../log';

const durationMs = (max: number) => z.int().min(1).max(max);

const hostPort = z.string().regex(/^[A-Za-z0-9.[\]:-]+:\d{1,5}$/, 'expected host:port, e.g. "127.0.0.1:9092"');
const httpUrl = z.url({ protocol: /^https?$/, error: 'expected an http:// or https:// URL' });
/** Kafka's legal topic names. */
const topicName = z.string().regex(/^[A-Za-z0-9._-]{1,249}$/, 'expected a Kafka topic name: 1-249 of [A-Za-z0-9._-]');
/** CouchDB's legal database names. */
const couchdbName = z.string().regex(/^[a-z][a-z0-9_$()+/-]*$/, 'expected a CouchDB database name');
const componentId = z
  .string()
  .regex(/^[a-z][a-z0-9_-]{0,62}$/, 'expected an id: a lowercase letter, then up to 62 of [a-z0-9_-]');

export const KafkaSchema = z
  .strictObject({
    brokers: z.array(hostPort).min(1).describe('Bootstrap brokers, each "host:port".'),
    clientId: z
      .string()
      .min(1)
      .default('wharf')
      .describe('Prefix of the Kafka client id of every connection; each process appends its role (e.g. "wharf-poller-orders").'),
    topic: topicName
      .default('wharf.records')
      .describe('The records topic between sources and sinks; created with `partitions` partitions if missing.'),
    dlqTopic: topicName.default('wharf.dlq').describe('The dead-letter topic; created with one partition if missing.'),
    partitions: z
      .int()
      .min(1)
      .max(10000)
      .default(6)
      .describe('Partitions of the records topic when wharf creates it. An existing topic is never altered (fewer partitions are logged as a warning).'),
    // kafkajs supports gzip natively; other codecs would need extra packages.
    compression: z.enum(['gzip', 'none']).default('gzip').describe('Compression of produced batches.'),
    connectionTimeoutMs: durationMs(600_000).default(3000).describe('Timeout of a connection to a broker, in ms.'),
    requestTimeoutMs: durationMs(600_000).default(30_000).describe('Timeout of one Kafka request, in ms.'),
  })
  .describe('The Kafka cluster that carries every record from the sources to the sinks.');

export const ZookeeperSchema = z
  .strictObject({
    connect: z
      .string()
      .regex(/^[^,\s]+:\d{1,5}(,[^,\s]+:\d{1,5})*(\/.*)?$/, 'expected host:port[,host:port...]')
      .describe('The ensemble: "host:port[,host:port...]", optionally followed by a chroot path.'),
    root: z
      .string()
      .regex(/^\/[^\s]*[^/\s]$/, 'expected an absolute znode path without trailing slash, e.g. "/wharf"')
      .default('/wharf')
      .describe('The znode under which wharf keeps source cursors and leases (`<root>/sources/<source id>/cursor`, `.../owner`).'),
    sessionTimeoutMs: z
      .int()
      .min(2000)
      .max(600_000)
      .default(10_000)
      .describe('ZooKeeper session timeout, in ms: how long after losing an instance another one takes over its sources.'),
  })
  .describe('The ZooKeeper ensemble that holds each source\'s cursor and decides which instance polls it.');

const credentials = {
  username: z.string().min(1).optional().describe('User for Basic authentication; best given as `${ENV}`.'),
  password: z.string().min(1).optional().describe('Password for Basic authentication; give it as `${ENV}`, never in the file. Never logged.'),
};

/** Limits every sink writer honours. */
const writerLimits = {
  batchSize: z.int().min(1).max(10_000).default(500).describe('Records per bulk request.'),
  maxDocumentBytes: z
    .int()
    .min(1024)
    .max(100 * 1024 * 1024)
    .default(10 * 1024 * 1024)
    .describe('Largest document (as JSON), in bytes; a larger one goes to the dead-letter topic instead of being sent.'),
  maxAttempts: z
    .int()
    .min(1)
    .max(100)
    .default(5)
    .describe('Attempts for documents failing with retriable statuses (408, 429, 5xx) before the whole batch is given back, uncommitted, to be retried later.'),
};

const sinkId = componentId.describe(
  'Unique sink id: names the sink in logs, metrics (`sink` label), dead letters and `wharf replay --sink`.',
);

export const ElasticsearchSinkSchema = z
  .strictObject({
    id: sinkId,
    type: z.literal('elasticsearch').describe('Selects the Elasticsearch sink.'),
    node: httpUrl.describe('The Elasticsearch node, an http:// or https:// URL.'),
    index: z
      .string()
      .regex(/^[a-z0-9][a-z0-9._-]*$/, 'expected a lowercase Elasticsearch index name')
      .describe('The index written to; created with `mappings` and `settings` if missing.'),
    ...credentials,
    requestTimeoutMs: durationMs(600_000).default(30_000).describe('Timeout of one request to Elasticsearch, in ms.'),
    mappings: z
      .record(z.string(), z.unknown())
      .optional()
      .describe('Index mappings used when wharf creates the index; an existing index is left as it is.'),
    settings: z
      .record(z.string(), z.unknown())
      .optional()
      .describe('Index settings used when wharf creates the index; an existing index is left as it is.'),
    ...writerLimits,
  })
  .describe('Indexes each record as a document under its record id (`_bulk`), so a re-delivered record changes nothing.');

export const CouchdbSinkSchema = z
  .strictObject({
    id: sinkId,
    type: z.literal('couchdb').describe('Selects the CouchDB sink.'),
    url: httpUrl.describe('The CouchDB server, an http:// or https:// URL.'),
    db: couchdbName.describe('The database written to; created if missing.'),
    ...credentials,
    ...writerLimits,
  })
  .describe('Writes each record as a document under its record id (`_bulk_docs`); an existing document is updated only if its content changed.');

export const SinkSchema = z.discriminatedUnion('type', [ElasticsearchSinkSchema, CouchdbSinkSchema]);

export const StartupSchema = z
  .strictObject({
    waitForServicesMs: durationMs(3_600_000)
      .default(120_000)
      .describe('How long boot waits for every server, in ms, before exiting 1 (systemd then restarts wharf).'),
    healthIntervalMs: durationMs(3_600_000)
      .default(30_000)
      .describe('How often a running wharf re-checks its servers, in ms; every change is logged.'),
  })
  .describe('Start-up and health checks of the servers wharf depends on (Kafka, ZooKeeper, every sink).');

const BackoffSchema = z.strictObject({
  minMs: durationMs(3_600_000).default(200).describe('Delay after the first failure, in ms; it doubles with each consecutive failure.'),
  maxMs: durationMs(3_600_000).default(30_000).describe('Longest delay, in ms.'),
  jitter: z
    .number()
    .min(0)
    .max(1)
    .default(0.2)
    .describe('Largest random stretch of a delay, as a fraction of it (0.2: up to 20 % longer), so that failures do not retry in lockstep.'),
  resetAfterMs: durationMs(86_400_000)
    .default(60_000)
    .describe('Quiet period, in ms, after which the failure count starts again from zero.'),
});

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
  backoff: BackoffSchema.prefault({}).describe('Delay before each restart.'),
});

const supervisorFlags = (description: string, defaults: z.input<typeof SupervisorFlagsSchema> = {}) =>
  SupervisorFlagsSchema.prefault(defaults).describe(description);

const actorMode = z
  .enum(['in-memory', 'forked'])
  .default('forked')
  .describe('forked: each actor in its own process; in-memory: inside wharf\'s process (for light, trusted actors).');

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

const maxRecordBytes = z
  .int()
  .min(64)
  .max(50 * 1024 * 1024)
  .default(1024 * 1024)
  .describe('Largest record (as JSON), in bytes; a larger one goes to the dead-letter topic instead of the records topic.');

/** A dot path into a JSON document, e.g. "data.items"; "" is the document itself. */
const jsonPath = z.string().regex(/^([A-Za-z0-9_$-]+(\.[A-Za-z0-9_$-]+)*)?$/, 'expected a dot path such as "data.items"');

const sourceId = componentId.describe(
  'Unique source id: prefixes its record ids (`<id>:<upstream id>`) and names its cursor in ZooKeeper, its poller and its metrics. Renaming a source starts it over.',
);

export const HttpJsonSourceSchema = z
  .strictObject({
    id: sourceId,
    type: z.literal('http-json').describe('Selects the http-json source.'),
    url: httpUrl.describe('The feed, an http:// or https:// URL; credentials in it are sent as Basic authentication and never logged.'),
    cursorParam: z
      .string()
      .min(1)
      .default('since')
      .describe('Query parameter carrying the cursor; omitted on the very first request.'),
    itemsPath: jsonPath.default('items').describe('Dot path of the array of records in a response ("" is the whole body).'),
    nextCursorPath: jsonPath
      .default('next')
      .describe('Dot path of the next cursor in a response; absent or null means "no more pages now".'),
    idField: z.string().min(1).default('id').describe('The record field holding the upstream\'s own id (a string or number); a record without it is dead-lettered.'),
    intervalMs: durationMs(86_400_000)
      .default(5000)
      .describe('Pause, in ms, once the upstream has no further page, before asking again.'),
    requestTimeoutMs: durationMs(600_000).default(30_000).describe('Timeout of one request, in ms.'),
    headers: z
      .record(z.string(), z.string())
      .default({})
      .describe('Extra request headers; put secrets in the environment: "Bearer ${ORDERS_TOKEN}". Never logged.'),
    maxRecordBytes,
  })
  .describe('Polls an HTTP endpoint that returns pages of JSON records after a cursor: GET <url>?<cursorParam>=<cursor>.');

// Semantics (identity, rotation, ids) in src/sources/ndjson-files-source.ts.
export const NdjsonFilesSourceSchema = z
  .strictObject({
    id: sourceId,
    type: z.literal('ndjson-files').describe('Selects the ndjson-files source.'),
    path: z
      .string()
      .refine(isAbsolute, 'expected an absolute directory path')
      .describe('The directory to follow, an absolute path; its subdirectories are not read.'),
    pattern: z
      .string()
      .regex(/^[^/]+$/, 'expected a file-name glob without "/", e.g. "*.ndjson"')
      .default('*.ndjson')
      .describe('Which file names to read: `*` is any run of characters, `?` any one. Must match rotated names too.'),
    idField: z
      .string()
      .min(1)
      .optional()
      .describe('The record field holding its own id; without it, or in a record lacking it, the id is `<file identity>:<byte offset>`.'),
    intervalMs: durationMs(86_400_000).default(1000).describe('Pause, in ms, once every file has been read to its end, before looking again.'),
    maxRecordBytes: maxRecordBytes.describe(
      'Largest record, in bytes, and so the longest line read: a longer one is dead-lettered with its first KiB, never held whole in memory.',
    ),
    maxBatchRecords: z
      .int()
      .min(1)
      .max(100_000)
      .default(1000)
      .describe('Lines (records and malformed) per page, i.e. per Kafka send and cursor save.'),
    maxBatchBytes: z
      .int()
      .min(1024)
      .max(256 * 1024 * 1024)
      .default(4 * 1024 * 1024)
      .describe('Bytes of lines per page; a page always takes at least one line.'),
    maxFiles: z
      .int()
      .min(1)
      .max(5000)
      .default(1000)
      .describe('Files tracked at once; the cursor holds ~100 bytes per file and ZooKeeper\'s node limit is 1 MB.'),
  })
  .describe('Follows a directory of newline-delimited JSON files, like `tail -F` over a glob, through renames and copytruncate rotation.');

/**
 * How long past its `timeout` a longpoll may stay open before wharf ends it as idle: CouchDB
 * answers by itself at `timeout`, pouchdb-server ignores it and waits for the next change.
 */
export const LONGPOLL_GRACE_MS = 2000;

export const CouchdbChangesSourceSchema = z
  .strictObject({
    id: sourceId,
    type: z.literal('couchdb-changes').describe('Selects the couchdb-changes source.'),
    url: httpUrl.describe('The CouchDB server, e.g. "https://couch.example.com:6984"; credentials go in username/password.'),
    db: couchdbName.describe('The database whose changes feed is followed.'),
    ...credentials,
    batchSize: z.int().min(1).max(10_000).default(500).describe('Changes per request (`limit`).'),
    // Also bounds how long a stopping poller waits for its request to end.
    longpollTimeoutMs: durationMs(300_000)
      .default(5000)
      .describe('How long, in ms, an idle feed waits server-side for a change (`feed=longpoll&timeout=`).'),
    intervalMs: durationMs(86_400_000)
      .default(1000)
      .describe('Pause, in ms, after a longpoll that brought nothing, before the next one.'),
    requestTimeoutMs: durationMs(600_000)
      .default(30_000)
      .describe(`Timeout of one request, in ms; must exceed longpollTimeoutMs + ${LONGPOLL_GRACE_MS}.`),
    includeDesignDocs: z.boolean().default(false).describe('Whether `_design/` documents become records.'),
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
  })
  .describe('Follows one CouchDB database\'s `_changes` feed (winning revisions; deletions are not propagated).');

export const SourceSchema = z.discriminatedUnion('type', [HttpJsonSourceSchema, NdjsonFilesSourceSchema, CouchdbChangesSourceSchema]);

const pipelineGroup = {
  mode: actorMode,
  shutdownMs: durationMs(600_000)
    .default(10_000)
    .describe('How long a stopping actor may finish its in-flight work, in ms, before it is killed.'),
  supervisor: supervisorFlags('Flags of the group\'s supervisor.'),
};

export const PipelineSchema = z
  .strictObject({
    pollers: z
      .strictObject({ ...pipelineGroup })
      .prefault({})
      .describe('The source pollers: one actor per source (`pollers-<source id>`).'),
    consumers: z
      .strictObject({
        ...pipelineGroup,
        count: z
          .int()
          .min(0)
          .max(256)
          .default(2)
          .describe('Partition consumers of this instance; Kafka shares the partitions among all consumers of the group, across instances.'),
        groupId: z
          .string()
          .min(1)
          .default('wharf-sinks')
          .describe('The Kafka consumer group; `wharf replay` and `wharf dlq replay` derive their own groups from it.'),
        retry: BackoffSchema.prefault({ minMs: 500, maxMs: 30_000 }).describe(
          'Delay before retrying a batch whose sink is unavailable; grows with consecutive failures.',
        ),
      })
      .prefault({})
      .describe('The partition consumers: read the records topic and write each batch to every sink.'),
  })
  .describe('The pipeline\'s own actor groups.');

export const MetricsSchema = z
  .strictObject({
    host: z
      .string()
      .min(1)
      .default('127.0.0.1')
      .describe('Address the listener binds; another address than loopback exposes the endpoints to that network.'),
    port: z
      .int()
      .min(0)
      .max(65535)
      .default(9464)
      .describe('TCP port; 0 picks a free one (the log line "ops endpoints listening" names it). A port already taken makes wharf exit 1.'),
    collectIntervalMs: durationMs(3_600_000)
      .default(5000)
      .describe('How often, in ms, the root collects every actor process\'s metrics, besides on each scrape; bounds what a crashed process loses.'),
  })
  .describe('The operator\'s HTTP listener: /metrics, /healthz, /readyz, /topology.');

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
