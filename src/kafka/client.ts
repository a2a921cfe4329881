/**
 * wharf's connection to Kafka. `KafkaClient` is what the rest of wharf holds: a cluster, a role
 * (part of the client id) and a logger, with no kafkajs type in its public surface; the Kafka
 * folder's producer, consumer, admin and reader take it. `createKafka` is the one place that
 * knows how a KafkaConfig becomes a kafkajs instance (tests use it to inspect Kafka directly).
 */
import { Kafka, logLevel, type Admin, type KafkaConfig as KafkajsConfig, type LogEntry } from 'kafkajs';
import type { KafkaConfig } from './config';
import type { Logger } from '../log';
import { tlsConnectionOptions } from '../util/tls-options';
import { brokerState, isConnectionNoise, reachabilitySocketFactory } from './reachability';

const PINO_LEVEL: Record<logLevel, 'error' | 'warn' | 'info' | 'debug'> = {
  [logLevel.NOTHING]: 'debug',
  [logLevel.ERROR]: 'error',
  [logLevel.WARN]: 'warn',
  [logLevel.INFO]: 'info',
  [logLevel.DEBUG]: 'debug',
};

/** TLS and SASL as kafkajs takes them: every Kafka connection of wharf is made here, so every path uses them. */
function security(config: KafkaConfig): Pick<KafkajsConfig, 'ssl' | 'sasl'> {
  const ssl = config.tls ? tlsConnectionOptions(config.tls) : undefined;
  if (!config.sasl) return { ssl };
  const { username, password } = config.sasl;
  const mechanism = config.sasl.mechanism.toLowerCase() as 'plain' | 'scram-sha-256' | 'scram-sha-512';
  return { ssl, sasl: { mechanism, username, password } as KafkajsConfig['sasl'] };
}

export function createKafka(config: KafkaConfig, log: Logger, clientId = config.clientId): Kafka {
  const kafkaLog = log.child({ component: 'kafkajs' });
  return new Kafka({
    clientId,
    brokers: config.brokers,
    ...security(config),
    connectionTimeout: config.connectionTimeoutMs,
    requestTimeout: config.requestTimeoutMs,
    socketFactory: reachabilitySocketFactory(log),
    logLevel: logLevel.WARN,
    logCreator:
      () =>
      // Connection failures reach the log as broker states (reachability.ts); the rest at its level. Stacks only at debug.
      ({ level, log: { message, stack, ...extra } }: LogEntry) => {
        const broker = typeof extra.broker === 'string' ? extra.broker : undefined;
        if (broker && message === 'Connection timeout') brokerState(log, broker).failed('connection timeout');
        if (isConnectionNoise(message, extra)) kafkaLog.debug({ kafka: extra, stack }, message);
        else kafkaLog[PINO_LEVEL[level]]({ kafka: extra }, message);
      },
  });
}

export class KafkaClient {
  readonly #kafka: Kafka;

  /** `role` names this connection's purpose in its client id ("poller-orders" makes "wharf-poller-orders"). */
  constructor(
    readonly config: KafkaConfig,
    readonly log: Logger,
    readonly role: string,
  ) {
    this.#kafka = createKafka(config, log, `${config.clientId}-${role}`);
  }

  /** For the Kafka folder only: the kafkajs instance behind this client. */
  static kafkajs(client: KafkaClient): Kafka {
    return client.#kafka;
  }
}

/** Runs `work` with a connected admin client, and always disconnects it. */
export async function withAdmin<T>(client: KafkaClient, work: (admin: Admin) => Promise<T>, options?: Parameters<Kafka['admin']>[0]): Promise<T> {
  const admin = KafkaClient.kafkajs(client).admin(options);
  await admin.connect();
  try {
    return await work(admin);
  } finally {
    await admin.disconnect();
  }
}
