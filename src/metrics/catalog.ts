/**
 * Every metric wharf exports, as data: name, type, help, labels (and buckets for histograms).
 * Each process registers the ones it uses from here (registry.ts); the root merges all processes
 * (aggregate.ts). The Grafana dashboard and the alert rules in deploy/ may only reference names
 * from this list (a test checks it).
 */
export type MetricType = 'counter' | 'gauge' | 'histogram';

export interface MetricDefinition {
  name: string;
  type: MetricType;
  help: string;
  labelNames: readonly string[];
  buckets?: readonly number[];
}

const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];
const AGE_BUCKETS = [0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900, 3600];

export const METRICS = {
  sourceRecordsPolled: { name: 'wharf_source_records_polled_total', type: 'counter', help: 'Records fetched from the upstream (including malformed ones).', labelNames: ['source'] },
  sourceRecordsProduced: { name: 'wharf_source_records_produced_total', type: 'counter', help: 'Records from the source acknowledged by Kafka.', labelNames: ['source'] },
  sourcePollErrors: { name: 'wharf_source_poll_errors_total', type: 'counter', help: 'Failed polls, by kind: upstream (unreachable or an error answer), upstream-throttled (the upstream asked to wait: Retry-After), kafka, cursor-store (ZooKeeper: the cursor or the lease), cursor-invalid (a stored cursor the source cannot use: wharf cursor set or reset), cursor-conflict (another instance moved the cursor), other.', labelNames: ['source', 'kind'] },
  sourceLastSuccess: { name: 'wharf_source_last_success_timestamp_seconds', type: 'gauge', help: 'Unix time of the last successful poll.', labelNames: ['source'] },
  sourceCursorAge: { name: 'wharf_source_cursor_age_seconds', type: 'gauge', help: 'Seconds since the source cursor last advanced.', labelNames: ['source'] },
  produceDuration: { name: 'wharf_produce_duration_seconds', type: 'histogram', help: 'Time from sending a batch to Kafka to its acknowledgement.', labelNames: ['topic'], buckets: LATENCY_BUCKETS },
  produceErrors: { name: 'wharf_produce_errors_total', type: 'counter', help: 'Failed Kafka produce requests, by kind: timeout, the kafkajs error name in lower case without its Kafka prefix (e.g. jsconnectionerror), or other.', labelNames: ['topic', 'kind'] },
  recordsConsumed: { name: 'wharf_records_consumed_total', type: 'counter', help: 'Records read from Kafka by the partition consumers.', labelNames: ['topic'] },
  sinkRecordsWritten: { name: 'wharf_sink_records_written_total', type: 'counter', help: 'Records a sink acknowledged (created, updated or already up to date; stale ones are counted apart).', labelNames: ['sink'] },
  sinkStaleWrites: { name: 'wharf_sink_stale_writes_total', type: 'counter', help: 'Writes a sink refused as older than (or the same version as) what it holds: done, not errors.', labelNames: ['sink'] },
  sinkErrors: { name: 'wharf_sink_errors_total', type: 'counter', help: 'Sink failures, by kind: unavailable (a write attempt failed and is retried), rejected (records the sink refused for good, dead-lettered), failed (a non-retriable error gave the batch up).', labelNames: ['sink', 'kind'] },
  sinkBulkDuration: { name: 'wharf_sink_bulk_duration_seconds', type: 'histogram', help: 'Time of one bulk write to a sink, retries included.', labelNames: ['sink'], buckets: LATENCY_BUCKETS },
  sinkRequestDuration: { name: 'wharf_sink_request_duration_seconds', type: 'histogram', help: 'Time of one bulk request to a sink (one attempt, no retries): the response time adaptive concurrency steers by.', labelNames: ['sink'], buckets: LATENCY_BUCKETS },
  sinkRequestsInFlight: { name: 'wharf_sink_requests_in_flight', type: 'gauge', help: 'Bulk requests to a sink in flight now, over all consumer processes.', labelNames: ['sink'] },
  sinkConcurrencyLimit: { name: 'wharf_sink_concurrency_limit', type: 'gauge', help: 'Concurrent bulk requests a sink allows now (adaptive concurrency), summed over the consumer processes (each adapts its own).', labelNames: ['sink'] },
  sinkBatchSizeLimit: { name: 'wharf_sink_batch_size_limit', type: 'gauge', help: 'Records per bulk request a sink allows now (adaptive concurrency), summed over the consumer processes: divide by wharf_sink_concurrency_controllers for the mean.', labelNames: ['sink'] },
  sinkRttBaseline: { name: 'wharf_sink_rtt_baseline_seconds', type: 'gauge', help: 'Moving average of a sink\'s bulk response time that adaptive concurrency compares each period with, summed over the consumer processes: divide by wharf_sink_concurrency_controllers for the mean.', labelNames: ['sink'] },
  sinkConcurrencyControllers: { name: 'wharf_sink_concurrency_controllers', type: 'gauge', help: 'Consumer processes controlling their requests to a sink (1 each).', labelNames: ['sink'] },
  sinkConcurrencyDecreases: { name: 'wharf_sink_concurrency_decreases_total', type: 'counter', help: 'Decreases of a sink\'s concurrency limit or request size, by cause: rejected (429), overloaded (503), timeout, latency (response time over the baseline by more than rttDeviationScale deviations), queueing (response time per record over maxRttOverFloor times the lowest lately).', labelNames: ['sink', 'cause'] },
  sinkPacedSeconds: { name: 'wharf_sink_paced_seconds_total', type: 'counter', help: 'Seconds bulk requests waited under a sink\'s maxDocsPerSecond ceiling before being sent (summed over concurrent requests): a rate near 1 per consumer process means the ceiling, not the server, sets the pace.', labelNames: ['sink'] },
  sinkItemsRetried: { name: 'wharf_sink_items_retried_total', type: 'counter', help: 'Documents a sink answered with a retriable status (408, 429, 5xx) inside a bulk response, sent again with backoff (never dead-lettered for it), by status.', labelNames: ['sink', 'status'] },
  recordAge: { name: 'wharf_record_age_seconds', type: 'histogram', help: 'Age of a record when its sink acknowledged it (ingest time to sink ack).', labelNames: ['sink'], buckets: AGE_BUCKETS },
  deadLetters: { name: 'wharf_dead_letters_total', type: 'counter', help: 'Records sent to the dead-letter topic, by stage: intake (refused before Kafka), consume (a Kafka message that is not a wharf record), or the id of the sink that refused it.', labelNames: ['stage'] },
  consumerLag: { name: 'wharf_consumer_lag_records', type: 'gauge', help: 'Records in a partition not yet committed by the consumer group, measured from Kafka when /metrics is read; absent while Kafka cannot be asked (never a stale value).', labelNames: ['group', 'topic', 'partition'] },
  consumerLagMeasuredAt: { name: 'wharf_consumer_lag_measured_timestamp_seconds', type: 'gauge', help: 'When wharf_consumer_lag_records was last measured from Kafka (Unix seconds): it stops moving while Kafka cannot be asked.', labelNames: [] },
  actorRestarts: { name: 'wharf_actor_restarts_total', type: 'counter', help: 'Restarts of an actor by its supervisor.', labelNames: ['actor'] },
  actorRunning: { name: 'wharf_actor_running', type: 'gauge', help: '1 while the actor is running, 0 otherwise.', labelNames: ['actor'] },
  escalations: { name: 'wharf_supervisor_escalations_total', type: 'counter', help: 'Times a supervisor exceeded its restart intensity and gave up to its parent.', labelNames: ['supervisor'] },
  buildInfo: { name: 'wharf_build_info', type: 'gauge', help: 'Always 1, exported by the root process once: its labels say which wharf runs, version (package.json), commit (the git commit it was built from; "unknown" when not known, "-dirty" when built from a modified checkout) and node (the Node.js version).', labelNames: ['version', 'commit', 'node'] },
  configReloads: { name: 'wharf_config_reloads_total', type: 'counter', help: 'Configuration reloads (SIGHUP or wharf reload), by outcome: applied, or refused (an invalid file, or applying it failed; the running topology stays).', labelNames: ['outcome'] },
  configLastReloadSuccessful: { name: 'wharf_config_last_reload_successful', type: 'gauge', help: '1 when the last configuration load (at start or a reload) was applied, 0 when it was refused.', labelNames: [] },
  configLastReloadTime: { name: 'wharf_config_last_reload_timestamp_seconds', type: 'gauge', help: 'Unix time of the last reload with this outcome (applied or refused).', labelNames: ['outcome'] },
  serviceUp: { name: 'wharf_service_up', type: 'gauge', help: '1 when the last check of a server (kafka, zookeeper, a sink) succeeded.', labelNames: ['service'] },
} as const satisfies Record<string, MetricDefinition>;

/** Node.js process metrics of every wharf process (prom-client defaults), labelled by actor. */
export const PROCESS_METRIC_PREFIXES = ['process_', 'nodejs_'] as const;

/**
 * prom-client's default gauges that are named like counters; exported under these names, so
 * that Prometheus' conventions (and `promtool check metrics`) hold.
 */
export const PROCESS_METRIC_RENAMES: Readonly<Record<string, string>> = {
  nodejs_active_handles_total: 'nodejs_active_handles',
  nodejs_active_requests_total: 'nodejs_active_requests',
  nodejs_active_resources_total: 'nodejs_active_resources',
};
