/**
 * wharf's Kafka producer and topic creation against the real broker: missing topics created
 * with the configured partitions (and left alone when present), acknowledged idempotent gzip
 * produce with keys and headers read back by a consumer, and an unreachable broker reported as
 * a retriable KafkaUnavailableError.
 */
import { expect } from 'chai';
import type { Kafka } from 'kafkajs';
import { createKafka, KafkaClient } from '../../src/kafka/client';
import { KafkaUnavailableError, RecordProducer } from '../../src/kafka/record-producer';
import { ensureTopics } from '../../src/kafka/topics';
import { localConfig, quietLogger } from '../helpers/local-stack';
import { uniqueName } from '../helpers/names';

describe('kafka record producer (real broker)', function () {
  this.timeout(60_000);
  let kafka: Kafka;
  const topics: string[] = [];

  before(() => {
    kafka = createKafka(localConfig().kafka, quietLogger, uniqueName('producer-test'));
  });

  after(async () => {
    const admin = kafka.admin();
    await admin.connect();
    await admin.deleteTopics({ topics }).catch(() => undefined);
    await admin.disconnect();
  });

  it('creates missing topics with the configured partitions, leaves existing ones alone, and produces acknowledged keyed messages that a consumer reads back', async () => {
    const topic = uniqueName('records');
    const dlq = uniqueName('dlq');
    topics.push(topic, dlq);
    const admin = kafka.admin();
    await admin.connect();
    await ensureTopics(admin, [{ topic, numPartitions: 6 }, { topic: dlq, numPartitions: 1 }], quietLogger);
    await ensureTopics(admin, [{ topic, numPartitions: 6 }], quietLogger);
    const meta = await admin.fetchTopicMetadata({ topics: [topic, dlq] });
    expect(meta.topics.map((t) => [t.name, t.partitions.length])).to.have.deep.members([
      [topic, 6],
      [dlq, 1],
    ]);
    await admin.disconnect();

    const producer = new RecordProducer(new KafkaClient(localConfig().kafka, quietLogger, uniqueName('producer-test')));
    await producer.connect();
    const acks = await producer.send(
      topic,
      Array.from({ length: 500 }, (_, i) => ({ key: `orders:${i}`, value: JSON.stringify({ i }), headers: { source: 'orders' } })),
    );
    expect(acks.length).to.be.greaterThan(0);
    expect(acks.every((a) => a.errorCode === 0)).to.equal(true);
    await producer.disconnect();

    const consumer = kafka.consumer({ groupId: uniqueName('producer-readback') });
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    const seen = new Map<string, { value: string; source: string }>();
    await new Promise<void>((resolve, reject) => {
      consumer
        .run({
          eachMessage: ({ message }) => {
            seen.set(message.key!.toString(), { value: message.value!.toString(), source: String(message.headers?.source) });
            if (seen.size === 500) resolve();
            return Promise.resolve();
          },
        })
        .catch(reject);
    });
    await consumer.disconnect();
    expect(seen.get('orders:42')).to.deep.equal({ value: '{"i":42}', source: 'orders' });
  });

  it('reports an unreachable broker as a retriable KafkaUnavailableError', async () => {
    const unreachable = new KafkaClient({ ...localConfig().kafka, brokers: ['127.0.0.1:1'], connectionTimeoutMs: 200 }, quietLogger, 'unreachable');
    const producer = new RecordProducer(unreachable, { retries: 1 });
    const err = await producer.connect().then(() => undefined, (e: unknown) => e);
    expect(err).to.be.instanceOf(KafkaUnavailableError);
    expect((err as KafkaUnavailableError).retriable).to.equal(true);
    expect((err as KafkaUnavailableError).message).to.match(/^kafka: connecting the producer failed: /);
    await producer.disconnect().catch(() => undefined);
  });
});
