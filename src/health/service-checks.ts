/**
 * One connectivity check per server wharf depends on: Kafka, ZooKeeper and every configured
 * sink. A check does a real round trip (cluster metadata, a znode, cluster health, the database
 * list) and either returns a short description of what answered or throws a retriable
 * ServiceUnavailableError naming the service.
 */
import type { WharfConfig, SinkConfig } from '../config/schema';
import { createCouchdb } from '../sinks/couchdb/client';
import { createElasticsearch } from '../sinks/elasticsearch/client';
import { createKafka } from '../kafka/client';
import { connectZookeeper, zkCall } from '../coordination/zookeeper';
import { describeError, ServiceUnavailableError } from '../errors';
import { safeUrl, type Logger } from '../log';

export interface ServiceCheck {
  /** e.g. "kafka", "zookeeper", "sink:search" */
  service: string;
  endpoint: string;
  run(): Promise<string>;
}

export interface CheckResult {
  service: string;
  endpoint: string;
  ok: boolean;
  detail: string;
  latencyMs: number;
}

export type CheckedConfig = Pick<WharfConfig, 'kafka' | 'zookeeper' | 'sinks'>;

export function serviceChecks(config: CheckedConfig, log: Logger): ServiceCheck[] {
  return [kafkaCheck(config, log), zookeeperCheck(config), ...config.sinks.map(sinkCheck)];
}

export async function runCheck(check: ServiceCheck): Promise<CheckResult> {
  const started = Date.now();
  try {
    const detail = await check.run();
    return { service: check.service, endpoint: check.endpoint, ok: true, detail, latencyMs: Date.now() - started };
  } catch (err) {
    return { service: check.service, endpoint: check.endpoint, ok: false, detail: describeError(err), latencyMs: Date.now() - started };
  }
}

function guarded(service: string, endpoint: string, run: () => Promise<string>): ServiceCheck {
  return {
    service,
    endpoint,
    run: async () => {
      try {
        return await run();
      } catch (err) {
        throw err instanceof ServiceUnavailableError ? err : new ServiceUnavailableError(service, describeError(err), err);
      }
    },
  };
}

function kafkaCheck(config: CheckedConfig, log: Logger): ServiceCheck {
  const kafka = createKafka(config.kafka, log, `${config.kafka.clientId}-health`);
  return guarded('kafka', config.kafka.brokers.join(','), async () => {
    const admin = kafka.admin({ retry: { retries: 1, initialRetryTime: 200 } });
    await admin.connect();
    try {
      const cluster = await admin.describeCluster();
      return `${cluster.brokers.length} broker(s), controller ${cluster.controller ?? 'unknown'}`;
    } finally {
      await admin.disconnect();
    }
  });
}

function zookeeperCheck(config: CheckedConfig): ServiceCheck {
  const { root } = config.zookeeper;
  return guarded('zookeeper', config.zookeeper.connect, async () => {
    const client = await connectZookeeper(config.zookeeper, 5000);
    try {
      // wharf's root znode is created here once, so every later component can rely on it.
      await zkCall<string>((cb) => client.mkdirp(root, cb));
      const children = await zkCall<string[]>((cb) => client.getChildren(root, cb));
      return `session ok, ${root} has ${children.length} child node(s)`;
    } finally {
      client.close();
    }
  });
}

function sinkCheck(sink: SinkConfig): ServiceCheck {
  const service = `sink:${sink.id}`;
  if (sink.type === 'elasticsearch') {
    const client = createElasticsearch(sink);
    return guarded(service, safeUrl(sink.node), async () => {
      const health = await client.cluster.health({ wait_for_status: 'yellow', timeout: '5s' });
      if (health.timed_out) throw new ServiceUnavailableError(service, `cluster ${health.cluster_name} is ${health.status}`);
      return `elasticsearch cluster ${health.cluster_name} ${health.status}, ${health.number_of_nodes} node(s)`;
    });
  }
  const couch = createCouchdb(sink);
  return guarded(service, safeUrl(sink.url), async () => {
    const welcome = (await couch.request({ path: '' })) as { version?: string; vendor?: { name?: string } };
    const dbs = await couch.db.list();
    return `${welcome.vendor?.name ?? 'couchdb'} ${welcome.version ?? '?'}, ${dbs.length} database(s)`;
  });
}
