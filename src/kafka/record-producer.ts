/**
 * wharf's one way of writing to Kafka: an idempotent producer (no duplicates from its own
 * retries), acks from all in-sync replicas, gzip compression, and a bounded number of requests
 * in flight. `send` resolves only once Kafka acknowledged every message, which is the moment a
 * source cursor may advance. Failures are KafkaUnavailableError (retriable).
 */
import { CompressionTypes, Partitioners, type Kafka, type Producer, type RecordMetadata } from 'kafkajs';
import { describeError, WharfError } from '../errors';

export interface OutgoingMessage {
  key: string;
  value: string | Buffer;
  headers?: Record<string, string>;
}

export class KafkaUnavailableError extends WharfError {
  readonly topic?: string;

  constructor(what: string, message: string, options: { topic?: string; cause?: unknown } = {}) {
    super(`kafka: ${what} failed: ${message}`, { retriable: true, cause: options.cause });
    this.topic = options.topic;
  }
}

export class RecordProducer {
  private readonly producer: Producer;

  constructor(kafka: Kafka, options: { maxInFlightRequests?: number; retries?: number } = {}) {
    // Idempotence needs acks=all and at most 5 requests in flight per connection.
    this.producer = kafka.producer({
      idempotent: true,
      maxInFlightRequests: Math.min(options.maxInFlightRequests ?? 5, 5),
      allowAutoTopicCreation: false,
      // kafkajs 2's default (Java-compatible murmur2) partitioner, chosen explicitly.
      createPartitioner: Partitioners.DefaultPartitioner,
      retry: options.retries === undefined ? undefined : { retries: options.retries },
    });
  }

  async connect(): Promise<void> {
    try {
      await this.producer.connect();
    } catch (err) {
      throw new KafkaUnavailableError('connecting the producer', describeError(err), { cause: err });
    }
  }

  async send(topic: string, messages: readonly OutgoingMessage[]): Promise<RecordMetadata[]> {
    if (messages.length === 0) return [];
    try {
      return await this.producer.send({ topic, acks: -1, compression: CompressionTypes.GZIP, messages: [...messages] });
    } catch (err) {
      throw new KafkaUnavailableError(`producing to ${topic}`, describeError(err), { topic, cause: err });
    }
  }

  async disconnect(): Promise<void> {
    await this.producer.disconnect();
  }
}
