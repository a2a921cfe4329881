/**
 * kafkajs against the real Kafka broker of the local stack: a 6-partition topic, 10,000 keyed
 * messages through an idempotent producer, one consumer group that reads them all and commits,
 * then re-joins and is given nothing again.
 */
import { expect } from 'chai';
import type { Consumer, Kafka } from 'kafkajs';
import { createKafka } from '../../src/kafka/client';
import { localConfig, quietLogger } from '../helpers/local-stack';
import { uniqueName } from '../helpers/names';

const MESSAGES = 10_000;

describe('kafka (real broker): kafkajs smoke', function () {
  this.timeout(120_000);
  let kafka: Kafka;
  const consumers: Consumer[] = [];

  before(() => {
    kafka = createKafka(localConfig().kafka, quietLogger, uniqueName('smoke'));
  });

  after(async () => {
    await Promise.all(consumers.map((c) => c.disconnect()));
  });

  it('creates a 6-partition topic, produces 10,000 keyed messages idempotently, consumes them all in a group and is not given them again after re-joining', async () => {
    const topic = uniqueName('smoke-kafka');
    const groupId = uniqueName('smoke-group');
    const admin = kafka.admin();
    await admin.connect();
    try {
      expect(await admin.createTopics({ topics: [{ topic, numPartitions: 6 }], waitForLeaders: true })).to.equal(true);
      const [meta] = (await admin.fetchTopicMetadata({ topics: [topic] })).topics;
      expect(meta.partitions).to.have.length(6);

      const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 5 });
      await producer.connect();
      for (let start = 0; start < MESSAGES; start += 1000) {
        const messages = Array.from({ length: 1000 }, (_, i) => ({ key: `key-${start + i}`, value: JSON.stringify({ n: start + i }) }));
        await producer.send({ topic, acks: -1, messages });
      }
      await producer.disconnect();

      const ends = await admin.fetchTopicOffsets(topic);
      expect(ends.reduce((sum, p) => sum + Number(p.high), 0)).to.equal(MESSAGES);

      const seen = new Set<string>();
      const partitionsByKey = new Map<string, number>();
      const nextOffsets = new Map<number, string>();
      const consumer = kafka.consumer({ groupId });
      consumers.push(consumer);
      await consumer.connect();
      await consumer.subscribe({ topic, fromBeginning: true });
      await new Promise<void>((resolve, reject) => {
        consumer
          .run({
            autoCommit: false,
            eachMessage: ({ partition, message }) => {
              const key = message.key!.toString();
              seen.add(key);
              partitionsByKey.set(key, partition);
              nextOffsets.set(partition, (BigInt(message.offset) + 1n).toString());
              if (seen.size === MESSAGES) resolve();
              return Promise.resolve();
            },
          })
          .catch(reject);
      });
      await consumer.commitOffsets([...nextOffsets].map(([partition, offset]) => ({ topic, partition, offset })));
      await consumer.disconnect();
      expect(seen.size).to.equal(MESSAGES);
      expect(new Set(partitionsByKey.values()).size).to.equal(6);

      const committed = await admin.fetchOffsets({ groupId, topics: [topic] });
      const committedTotal = committed[0].partitions.reduce((sum, p) => sum + Number(p.offset), 0);
      expect(committedTotal).to.equal(MESSAGES);

      // Re-join: the only message delivered must be a sentinel produced after joining.
      const again = kafka.consumer({ groupId });
      consumers.push(again);
      const redelivered: string[] = [];
      await again.connect();
      await again.subscribe({ topic, fromBeginning: true });
      const joined = new Promise<void>((resolve) => again.on(again.events.GROUP_JOIN, () => resolve()));
      const sentinelSeen = new Promise<void>((resolve, reject) => {
        again
          .run({
            eachMessage: ({ message }) => {
              const key = message.key!.toString();
              if (key === 'sentinel') resolve();
              else redelivered.push(key);
              return Promise.resolve();
            },
          })
          .catch(reject);
      });
      await joined;
      const sentinelProducer = kafka.producer({ idempotent: true });
      await sentinelProducer.connect();
      await sentinelProducer.send({ topic, acks: -1, messages: [{ key: 'sentinel', value: 'x' }] });
      await sentinelProducer.disconnect();
      await sentinelSeen;
      expect(redelivered).to.deep.equal([]);
    } finally {
      await admin.deleteTopics({ topics: [topic] }).catch(() => undefined);
      await admin.disconnect();
    }
  });
});
