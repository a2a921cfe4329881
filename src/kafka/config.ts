/** The `kafka` section of the configuration: the cluster that carries every record from the sources to the sinks. */
import { z } from 'zod';
import { durationMs, hostPort } from '../util/config-fields';
import { secret } from '../util/secret';
import { tlsSchema } from '../util/tls';

/** SASL mechanisms as Kafka names them (`sasl.mechanism`); kafkajs has all three built in. */
export const SASL_MECHANISMS = ['PLAIN', 'SCRAM-SHA-256', 'SCRAM-SHA-512'] as const;

const SaslSchema = z
  .strictObject({
    mechanism: z.enum(SASL_MECHANISMS).describe('The SASL mechanism, as in the broker\'s `sasl.enabled.mechanisms`. PLAIN sends the password itself: use it only with `tls`.'),
    username: z.string().min(1).describe('The SASL user (Kafka principal `User:<username>`).'),
    password: secret('The SASL user\'s password.'),
  })
  .describe('SASL authentication (a broker listener with SASL_SSL or SASL_PLAINTEXT); the ACLs wharf needs: docs/security.md.');

/** Kafka's legal topic names. */
const topicName = z.string().regex(/^[A-Za-z0-9._-]{1,249}$/, 'expected a Kafka topic name: 1-249 of [A-Za-z0-9._-]');

export const KafkaSchema = z
  .strictObject({
    brokers: z
      .array(z.string())
      .min(1)
      // One item may hold several, comma-separated: `["${KAFKA_BROKERS}"]` takes a whole list from the environment.
      .transform((items) => items.flatMap((item) => item.split(',')).map((broker) => broker.trim()))
      .pipe(z.array(hostPort).min(1))
      .describe('Bootstrap brokers, each "host:port"; an item may hold several, comma-separated (e.g. `["${KAFKA_BROKERS}"]`).'),
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
    compressionLevel: z
      .int()
      .min(1)
      .max(9)
      .default(1)
      .describe("gzip level of produced batches (kafkajs's own is zlib's default, 6): 1 compresses about 4 times faster, for batches about 40% larger (JSON records: 21% of their size instead of 15%)."),
    tls: tlsSchema.optional().describe('TLS to the brokers (a listener with SSL or SASL_SSL): `{}` trusts the public CAs, `caFile` a private CA.'),
    sasl: SaslSchema.optional(),
    connectionTimeoutMs: durationMs(600_000).default(3000).describe('Timeout of a connection to a broker, in ms.'),
    requestTimeoutMs: durationMs(600_000).default(30_000).describe('Timeout of one Kafka request, in ms.'),
  })
  .describe('The Kafka cluster that carries every record from the sources to the sinks.');

export type KafkaConfig = z.output<typeof KafkaSchema>;
