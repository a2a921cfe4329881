/** The sections that shape wharf's own service: its pipeline groups, start-up, the ops listener. */
import { z } from 'zod';
import { RETRY_POLICIES } from '../retry/policies';
import { backoffSchema, durationMs } from '../util/config-fields';
import { secret } from '../util/secret';
import { actorHeap, actorMode, supervisorFlags } from './actors-schema';

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

/** Kafka's default group.min.session.timeout.ms: the broker refuses a shorter session. */
const BROKER_MIN_SESSION_TIMEOUT_MS = 6000;

/**
 * Measured with bench/footprint.ts (docs/footprint.md). Under full load a consumer's heap holds
 * about 50 MiB (its in-flight batches and loaded code): an old space of 128 MiB leaves ample
 * room, and cuts its peak RSS by about 60 MiB for ~10-15 % more of its CPU (V8 collects sooner
 * in a smaller heap). The young generation trades memory for CPU on wharf's JSON path:
 * semi-spaces of 16 MiB (V8's default) cost about 110 MiB RSS, 8 MiB about 87 (+10 % CPU), 4 MiB
 * about 78 (+22 %). The poller gets no old-space limit: at 96 MiB it saved ~65 MiB but took
 * ~30 % more CPU, and it is the busiest process.
 */
const CONSUMER_HEAP = { maxOldSpaceMiB: 128, maxSemiSpaceMiB: 8 };
const POLLER_HEAP = { maxSemiSpaceMiB: 8 };

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
      .strictObject({ ...pipelineGroup, heap: actorHeap(POLLER_HEAP) })
      .prefault({})
      .describe('The source pollers: one actor per source (`pollers-<source id>`).'),
    consumers: z
      .strictObject({
        ...pipelineGroup,
        heap: actorHeap(CONSUMER_HEAP),
        partitionsConcurrently: z
          .int()
          .min(1)
          .max(64)
          .default(3)
          .describe('Batches each consumer handles at once, one per partition: bounds the records it holds in memory (about this many times fetchMaxBytesPerPartition, decompressed) and the bulk requests it has in flight per sink.'),
        fetchMaxBytesPerPartition: z
          .int()
          .min(1024)
          .max(64 * 2 ** 20)
          .default(256 * 2 ** 10)
          .describe('Most bytes (compressed, as stored) one Kafka fetch asks of a partition: about the size of one batch. Kafka still returns a first record batch larger than this.'),
        fetchMaxBytes: z
          .int()
          .min(1024)
          .max(256 * 2 ** 20)
          .default(2 ** 20)
          .describe('Most bytes (compressed) of one Kafka fetch over all its partitions: what a consumer buffers ahead of its sinks.'),
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
        retry: backoffSchema.prefault(RETRY_POLICIES.sinkBatch).describe(
          'Delay before retrying a batch whose sink is unavailable; grows with consecutive failures.',
        ),
        sessionTimeoutMs: z
          .int()
          .min(BROKER_MIN_SESSION_TIMEOUT_MS)
          .max(300_000)
          .default(6000)
          .describe(
            'Kafka session timeout of each consumer, in ms: how long a consumer that died without leaving (SIGKILL, lost host) holds its partitions and stalls the group\'s rebalance. At least the broker\'s group.min.session.timeout.ms (6000 by default).',
          ),
        heartbeatIntervalMs: durationMs(100_000)
          .default(1000)
          .describe('How often each consumer heartbeats, in ms, also while a batch is in flight; below a third of sessionTimeoutMs.'),
        restartJoinDelayMs: z
          .int()
          .min(0)
          .max(600_000)
          .optional()
          .describe(
            'How long a consumer restarted by its supervisor waits before joining its group, in ms; default sessionTimeoutMs + 1000. Its predecessor most often died without leaving, and a join before that member\'s session expired would start a rebalance that pauses every partition of every member until the expiry. 0 joins at once.',
          ),
      })
      .superRefine((consumers, ctx) => {
        if (consumers.heartbeatIntervalMs * 3 >= consumers.sessionTimeoutMs)
          ctx.addIssue({
            code: 'custom',
            path: ['heartbeatIntervalMs'],
            message: `must be below a third of sessionTimeoutMs (${consumers.sessionTimeoutMs}), got ${consumers.heartbeatIntervalMs}`,
          });
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
      .describe('Address the listener binds. Any other address than loopback exposes the endpoints to that network, and needs `token` (or `insecure: true`).'),
    port: z
      .int()
      .min(0)
      .max(65535)
      .default(9464)
      .describe('TCP port; 0 picks a free one (the log line "ops endpoints listening" names it). A port already taken makes wharf exit 1.'),
    collectIntervalMs: durationMs(3_600_000)
      .default(5000)
      .describe('How often, in ms, the root collects every actor process\'s metrics, besides on each scrape; bounds what a crashed process loses.'),
    token: secret(
      'Bearer token that /metrics, /readyz, /topology and POST /reload require (`Authorization: Bearer <token>`; /healthz stays open for liveness probes); best `{"file": ...}`. Prometheus sends it with `authorization: {credentials_file: ...}`; `wharf status` and `wharf reload` read it from this configuration. Without it, POST /reload answers loopback clients only.',
    ).optional(),
    insecure: z
      .boolean()
      .default(false)
      .describe('Allows binding an address other than loopback without a token: anyone who reaches it sees the pids, states and last errors of /topology.'),
  })
  .superRefine((metrics, ctx) => {
    if (!isLoopback(metrics.host) && metrics.token === undefined && !metrics.insecure) {
      ctx.addIssue({
        code: 'custom',
        path: ['host'],
        message: `binds ${metrics.host}, which is not loopback: set metrics.token (a bearer token, best {"file": "..."}) or, knowingly, metrics.insecure: true`,
      });
    }
  })
  .describe('The operator\'s HTTP listener: /metrics, /healthz, /readyz, /topology, POST /reload.');

/** Whether an address only this machine reaches: 127.0.0.0/8, ::1, localhost. */
export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || host === '[::1]' || /^127(\.\d{1,3}){3}$/.test(host);
}

export type PipelineConfig = z.output<typeof PipelineSchema>;
