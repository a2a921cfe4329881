/**
 * A record Kafka refuses as too large, against the real broker: a topic whose max.message.bytes
 * is small refuses a batch holding one large record; wharf's RecordProducer finds that record,
 * sends the rest, and the intake path dead-letters it (stage intake, reason naming Kafka's size
 * refusal) so that the source goes on.
 */
import { expect } from 'chai';
import { randomBytes } from 'node:crypto';
import type { Kafka } from 'kafkajs';
import { createKafka, KafkaClient } from '../../src/kafka/client';
import { isTooLarge, MessageTooLargeError, RecordProducer } from '../../src/kafka/record-producer';
import { publishDeadLetters } from '../../src/pipeline/dead-letters';
import { refusedByKafkaLetter, type DeadLetter } from '../../src/records/dead-letter';
import { toMessage } from '../../src/records/wire-record';
import { localConfig, quietLogger } from '../helpers/local-stack';
import { uniqueName } from '../helpers/names';

async function readAll(kafka: Kafka, topic: string, count: number): Promise<Array<{ key: string; value: string }>> {
  const consumer = kafka.consumer({ groupId: uniqueName('too-large-reader') });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  const read: Array<{ key: string; value: string }> = [];
  await new Promise<void>((resolve, reject) => {
    consumer
      .run({
        eachMessage: ({ message }) => {
          read.push({ key: message.key!.toString(), value: message.value!.toString() });
          if (read.length >= count) resolve();
          return Promise.resolve();
        },
      })
      .catch(reject);
  });
  await consumer.disconnect();
  return read;
}

describe('kafka: a record refused as too large (real broker)', function () {
  this.timeout(90_000);
  const kafka = createKafka(localConfig().kafka, quietLogger, uniqueName('too-large'));
  const topic = uniqueName('small-records');
  const dlq = uniqueName('small-dlq');

  after(async () => {
    const admin = kafka.admin();
    await admin.connect();
    await admin.deleteTopics({ topics: [topic, dlq] }).catch(() => undefined);
    await admin.disconnect();
  });

  it('sends the records that fit, returns the one refused, and dead-letters it with the reason', async () => {
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ waitForLeaders: true, topics: [{ topic, numPartitions: 1, configEntries: [{ name: 'max.message.bytes', value: '4096' }] }, { topic: dlq, numPartitions: 1 }] });
    await admin.disconnect();

    const record = (n: number, payload: Record<string, unknown>) => ({ id: `orders:${n}`, source: 'orders', ingestedAt: '2026-11-30T12:00:00.000Z', payload });
    // Random hex does not compress: the big record stays over 4096 bytes after gzip.
    const messages = [1, 2, 3, 4, 5].map((n) => toMessage(record(n, n === 3 ? { blob: randomBytes(6000).toString('hex') } : { n })));
    const producer = new RecordProducer(new KafkaClient(localConfig().kafka, quietLogger, uniqueName('too-large')));
    try {
      const whole = await producer.send(topic, [messages[2]]).then(() => undefined, (e: unknown) => e);
      expect(whole).to.be.instanceOf(MessageTooLargeError).with.property('retriable', false);
      expect(isTooLarge((whole as MessageTooLargeError).cause)).to.equal(true);

      const refused = await producer.sendFitting(topic, messages);
      expect(refused.map((m) => m.key)).to.deep.equal(['orders:3']);
      const letters = refused.map((m) => refusedByKafkaLetter(m, topic, 'orders', '2026-11-30T12:00:01.000Z'));
      await publishDeadLetters(producer, dlq, letters);

      const sent = await readAll(kafka, topic, 4);
      expect(sent.map((m) => m.key)).to.deep.equal(['orders:1', 'orders:2', 'orders:4', 'orders:5']);
      const [letter] = (await readAll(kafka, dlq, 1)).map((m) => JSON.parse(m.value) as DeadLetter);
      expect(letter).to.deep.include({ stage: 'intake', recordId: 'orders:3', source: 'orders' });
      expect(letter.error).to.match(new RegExp(`^Kafka refused the record \\(\\d+ bytes\\) as too large for topic ${topic} \\(MESSAGE_TOO_LARGE\\)`));
      expect((letter.record as { payload: { blob: string } }).payload.blob).to.have.length(12_000);
    } finally {
      await producer.disconnect();
    }
  });
});
