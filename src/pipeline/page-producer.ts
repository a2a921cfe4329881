/**
 * A source poller's way into Kafka: wharf's topics created once per process, then each page's
 * records produced and its dead letters published, resolving only once Kafka acknowledged all.
 * Records Kafka refuses as too large become dead letters too.
 */
import { describeError } from '../errors';
import type { KafkaClient } from '../kafka/client';
import type { KafkaConfig } from '../kafka/config';
import { KafkaUnavailableError, RecordProducer } from '../kafka/record-producer';
import { ensureWharfTopics } from '../kafka/topics';
import { refusedByKafkaLetter } from '../records/dead-letter';
import { publishDeadLetters } from './dead-letters';
import type { IntakeBatch } from './intake';

export class PageProducer {
  readonly producer: RecordProducer;
  private topicsReady = false;

  constructor(private readonly client: KafkaClient, private readonly kafka: KafkaConfig) {
    this.producer = new RecordProducer(client);
  }

  /** wharf's topics, created if missing, once per process (a failure is a poll failure, retried). */
  async ensureTopics(): Promise<void> {
    if (this.topicsReady) return;
    try {
      await ensureWharfTopics(this.client);
    } catch (err) {
      throw new KafkaUnavailableError('creating or describing the topics', describeError(err), { cause: err });
    }
    this.topicsReady = true;
  }

  /** Produces a page's messages and dead letters; resolves with how many records Kafka took once it acknowledged them all. */
  async produce(sourceId: string, { messages, letters }: IntakeBatch, ingestedAt: string): Promise<{ produced: number; deadLettered: number }> {
    const refused = await this.producer.sendFitting(this.kafka.topic, messages);
    const all = [...letters, ...refused.map((m) => refusedByKafkaLetter(m, this.kafka.topic, sourceId, ingestedAt))];
    await publishDeadLetters(this.producer, this.kafka.dlqTopic, all);
    return { produced: messages.length - refused.length, deadLettered: all.length };
  }

  disconnect(): Promise<void> {
    return this.producer.disconnect();
  }
}
