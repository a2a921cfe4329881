/**
 * wharf's one way of writing to Kafka: an idempotent producer (no duplicates from its own
 * retries), acks from all in-sync replicas, gzip compression (at `compressionLevel`, gzip-codec.ts),
 * and at most 5 requests in flight (kafkajs sends one request a broker at a time when idempotent).
 * `send` resolves only once Kafka acknowledged every message, which is the moment a source
 * cursor may advance. Every send is bounded in time: kafkajs's idempotent producer can stay
 * stuck after a broker restart, so a send that times out or fails is a KafkaUnavailableError
 * (retriable) and the next send uses a fresh producer.
 *
 * A batch Kafka refuses as too large (MESSAGE_TOO_LARGE, RECORD_LIST_TOO_LARGE: over the topic's
 * max.message.bytes) is a MessageTooLargeError, not retriable: sending it again cannot succeed.
 * `sendFitting` splits such a batch in halves until it has found the records that are too large
 * on their own, sends the rest, and returns the refused ones (a caller dead-letters them). Some
 * partitions of a refused batch may have been written already: they are sent again (at least
 * once, like every retry; sinks write by record id).
 */
import { CompressionTypes, Partitioners, type Producer } from 'kafkajs';
import { METRICS } from '../metrics/catalog';
import { counter, histogram } from '../metrics/process-registry';
import { describeError, tlsRefusal, WharfError } from '../errors';
import type { WireMessage } from '../records/wire-record';
import { withTimeout } from '../retry/timeout';
import { KafkaClient } from './client';
import { useGzipLevel } from './gzip-codec';
import { isTooLarge, kafkaRefusal } from './kafka-errors';

export { isTooLarge } from './kafka-errors';

/** Kafka's acknowledgement of a send: where each partition's part of it was written. */
export interface Acknowledgement {
  partition: number;
  baseOffset: string;
  errorCode: number;
}

export class KafkaUnavailableError extends WharfError {
  readonly topic?: string;

  constructor(what: string, message: string, options: { topic?: string; cause?: unknown } = {}) {
    const refusal = kafkaRefusal(options.cause) ?? tlsRefusal(options.cause);
    super(`kafka: ${what} failed: ${refusal ?? message}`, { retriable: true, cause: options.cause, refused: refusal !== undefined });
    this.topic = options.topic;
  }
}

/** Kafka refused a batch as larger than the topic (or broker) accepts. */
export class MessageTooLargeError extends WharfError {
  readonly topic: string;

  constructor(topic: string, cause: unknown) {
    super(`kafka: ${topic} refused the batch as too large (over the topic's max.message.bytes)`, { retriable: false, cause });
    this.topic = topic;
  }
}

const CONNECT_TIMEOUT_MS = 15_000;

export interface RecordProducerOptions {
  maxInFlightRequests?: number;
  retries?: number;
  /** Upper bound of one send, acknowledgement included (default: the request timeout + 15 s). */
  sendTimeoutMs?: number;
}

/** A short, bounded label for what went wrong (kafkajs error class names). */
function kafkaErrorKind(err: unknown): string {
  const cause = err instanceof KafkaUnavailableError && err.cause instanceof Error ? err.cause : err;
  if (err instanceof KafkaUnavailableError && /within \d+ ms/.test(err.message)) return 'timeout';
  return cause instanceof Error && cause.name.startsWith('Kafka') ? cause.name.replace(/^Kafka/, '').toLowerCase() || 'kafka' : 'other';
}

export class RecordProducer {
  private producer: Producer;
  private connected = false;
  private broken = false;

  private readonly sendTimeoutMs: number;

  constructor(
    private readonly client: KafkaClient,
    private readonly options: RecordProducerOptions = {},
  ) {
    this.sendTimeoutMs = options.sendTimeoutMs ?? client.config.requestTimeoutMs + 15_000;
    this.producer = this.create();
  }

  async connect(): Promise<void> {
    try {
      await this.bounded(this.producer.connect(), 'connecting the producer', CONNECT_TIMEOUT_MS);
      this.connected = true;
    } catch (err) {
      this.broken = true;
      throw err instanceof KafkaUnavailableError ? err : new KafkaUnavailableError('connecting the producer', describeError(err), { cause: err });
    }
  }

  async send(topic: string, messages: readonly WireMessage[]): Promise<Acknowledgement[]> {
    if (messages.length === 0) return [];
    const timer = histogram(METRICS.produceDuration).startTimer({ topic });
    try {
      if (this.broken || !this.connected) await this.renew();
      const acknowledged = await this.bounded(
        this.producer.send({ topic, acks: -1, compression: this.client.config.compression === 'none' ? CompressionTypes.None : CompressionTypes.GZIP, messages: [...messages] }),
        `producing to ${topic}`,
      );
      timer();
      return acknowledged.map(({ partition, baseOffset, errorCode }) => ({ partition, baseOffset: baseOffset ?? '', errorCode }));
    } catch (err) {
      this.broken = true;
      counter(METRICS.produceErrors).inc({ topic, kind: kafkaErrorKind(err) });
      if (isTooLarge(err)) throw new MessageTooLargeError(topic, err);
      throw err instanceof KafkaUnavailableError ? err : new KafkaUnavailableError(`producing to ${topic}`, describeError(err), { topic, cause: err });
    }
  }

  /** Sends what Kafka accepts; returns, in order, the messages it refused as too large on their own. */
  async sendFitting(topic: string, messages: readonly WireMessage[]): Promise<WireMessage[]> {
    try {
      await this.send(topic, messages);
      return [];
    } catch (err) {
      if (!(err instanceof MessageTooLargeError)) throw err;
      if (messages.length === 1) return [...messages];
      // The first half first, so that what Kafka accepts keeps its order.
      const middle = Math.ceil(messages.length / 2);
      const refused = await this.sendFitting(topic, messages.slice(0, middle));
      return refused.concat(await this.sendFitting(topic, messages.slice(middle)));
    }
  }

  async disconnect(): Promise<void> {
    await this.bounded(this.producer.disconnect(), 'disconnecting', CONNECT_TIMEOUT_MS).catch(() => undefined);
    this.connected = false;
  }

  private create(): Producer {
    useGzipLevel(this.client.config.compressionLevel);
    // Idempotence needs acks=all and at most 5 requests in flight per connection.
    return KafkaClient.kafkajs(this.client).producer({
      idempotent: true,
      maxInFlightRequests: Math.min(this.options.maxInFlightRequests ?? 5, 5),
      allowAutoTopicCreation: false,
      // kafkajs 2's default (Java-compatible murmur2) partitioner, chosen explicitly.
      createPartitioner: Partitioners.DefaultPartitioner,
      // Short kafkajs retries: wharf's callers retry with their own backoff, and log each failure.
      retry: { retries: this.options.retries ?? 3, maxRetryTime: 5000 },
    });
  }

  /** Replaces a producer that failed by a new one. */
  private async renew(): Promise<void> {
    if (this.connected || this.broken) await this.disconnect();
    this.producer = this.create();
    this.broken = false;
    await this.connect();
  }

  private bounded<T>(operation: Promise<T>, what: string, limit = this.sendTimeoutMs): Promise<T> {
    return withTimeout(operation, limit, () => new KafkaUnavailableError(what, `no answer within ${limit} ms`));
  }
}
