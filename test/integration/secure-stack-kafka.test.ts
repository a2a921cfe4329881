/**
 * The secured local stack's Kafka listeners and ZooKeeper digest credentials, with kafkajs and
 * node-zookeeper-client directly (this tests the stack, not wharf's clients): SCRAM and PLAIN over
 * TLS for the writer, refusals for a wrong password, a reader that may not produce and names
 * outside the ACL prefix, the client-certificate listener, the PLAINTEXT listener unchanged, and
 * creator-only znodes out of reach without the digest.
 */
import { expect } from 'chai';
import { Kafka, logLevel, type SASLOptions } from 'kafkajs';
import zookeeper from 'node-zookeeper-client';
import { readFileSync } from 'node:fs';
import { isZkError, zkCall } from '../../src/coordination/zookeeper';
import { uniqueName } from '../helpers/names';
import { secureEnv } from '../helpers/secure-stack';

let env: Record<string, string>;

function kafka(brokers: string, options: { sasl?: SASLOptions; ssl?: object | false } = {}): Kafka {
  const ssl = options.ssl === false ? undefined : { ca: [readFileSync(env.WHARF_KAFKA_CA, 'utf8')], ...options.ssl };
  return new Kafka({ clientId: uniqueName('secure-stack'), brokers: [brokers], ssl, sasl: options.sasl, logLevel: logLevel.NOTHING, retry: { retries: 1 } });
}
const writer = (mechanism: 'scram-sha-512' | 'scram-sha-256' | 'plain' = 'scram-sha-512') =>
  kafka(env.WHARF_KAFKA_BROKERS, { sasl: { mechanism, username: env.WHARF_KAFKA_SASL_USERNAME, password: env.WHARF_KAFKA_SASL_PASSWORD } as SASLOptions });
const plaintext = () => kafka(`127.0.0.1:${env.WHARF_KAFKA_PORT}`, { ssl: false });

/** The error a kafkajs call fails with: its name and, for protocol errors, Kafka's error type. */
async function failure(call: () => Promise<unknown>): Promise<{ name: string; type?: string }> {
  try {
    await call();
  } catch (err) {
    const e = err as { name: string; type?: string; originalError?: { type?: string }; errors?: Array<{ type?: string }> };
    return { name: e.name, type: e.type ?? e.originalError?.type ?? e.errors?.[0]?.type };
  }
  throw new Error('expected the call to be refused');
}

describe('secured local stack: Kafka listeners and ZooKeeper digest (real servers)', function () {
  this.timeout(120_000);
  const topics: string[] = [];

  before(() => {
    env = secureEnv();
  });

  after(async () => {
    const admin = plaintext().admin();
    await admin.connect();
    await admin.deleteTopics({ topics }).catch(() => undefined);
    await admin.disconnect();
  });

  it('lets the writer log in with SCRAM-SHA-512, SCRAM-SHA-256 and PLAIN over TLS, create a wharf topic, produce and consume', async () => {
    for (const mechanism of ['scram-sha-256', 'plain'] as const) {
      const admin = writer(mechanism).admin();
      await admin.connect();
      expect((await admin.describeCluster()).brokers, mechanism).to.have.length(1);
      await admin.disconnect();
    }
    const client = writer();
    const topic = uniqueName('wharf-secure');
    topics.push(topic);
    const admin = client.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic, numPartitions: 1 }], waitForLeaders: true });
    await admin.disconnect();
    const producer = client.producer({ idempotent: true });
    await producer.connect();
    await producer.send({ topic, acks: -1, messages: [{ key: 'k', value: 'over SASL_SSL' }] });
    await producer.disconnect();
    const consumer = client.consumer({ groupId: uniqueName('wharf-secure-group') });
    await consumer.connect();
    await consumer.subscribe({ topics: [topic], fromBeginning: true });
    const received = await new Promise<string>((resolve) => {
      void consumer.run({
        eachMessage: ({ message }) => {
          resolve(String(message.value));
          return Promise.resolve();
        },
      });
    });
    await consumer.disconnect();
    expect(received).to.equal('over SASL_SSL');
  });

  it('refuses a wrong password with a SASL authentication error', async () => {
    const wrong = kafka(env.WHARF_KAFKA_BROKERS, { sasl: { mechanism: 'scram-sha-512', username: env.WHARF_KAFKA_SASL_USERNAME, password: 'wrong' } });
    expect((await failure(() => wrong.admin().connect())).name).to.equal('KafkaJSSASLAuthenticationError');
  });

  it('lets the reader describe a wharf topic but refuses it produce (TOPIC_AUTHORIZATION_FAILED)', async () => {
    const topic = uniqueName('wharf-secure-ro');
    topics.push(topic);
    const admin = writer().admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic, numPartitions: 1 }], waitForLeaders: true });
    await admin.disconnect();
    const reader = kafka(env.WHARF_KAFKA_BROKERS, {
      sasl: { mechanism: 'scram-sha-512', username: env.WHARF_KAFKA_READER_USERNAME, password: env.WHARF_KAFKA_READER_PASSWORD },
    });
    const readerAdmin = reader.admin();
    await readerAdmin.connect();
    expect(await readerAdmin.fetchTopicOffsets(topic)).to.have.length(1);
    await readerAdmin.disconnect();
    const producer = reader.producer();
    await producer.connect();
    const refused = await failure(() => producer.send({ topic, messages: [{ value: 'not allowed' }] }));
    await producer.disconnect();
    expect(refused.type).to.equal('TOPIC_AUTHORIZATION_FAILED');
  });

  it('refuses the writer a topic outside the ACL prefix', async () => {
    const admin = writer().admin();
    await admin.connect();
    const refused = await failure(() => admin.createTopics({ topics: [{ topic: uniqueName('other-secure') }] }));
    await admin.disconnect();
    expect(refused.type).to.equal('TOPIC_AUTHORIZATION_FAILED');
  });

  it('accepts the client certificate on the mTLS listener (as user wharf) and refuses a client without one', async () => {
    const cert = { cert: readFileSync(env.WHARF_KAFKA_CLIENT_CERT, 'utf8'), key: readFileSync(env.WHARF_KAFKA_CLIENT_KEY, 'utf8') };
    const admin = kafka(env.WHARF_KAFKA_MTLS_BROKERS, { ssl: cert }).admin();
    await admin.connect();
    const topic = uniqueName('wharf-secure-mtls');
    topics.push(topic);
    expect(await admin.createTopics({ topics: [{ topic }], waitForLeaders: true })).to.equal(true);
    await admin.disconnect();
    expect((await failure(() => kafka(env.WHARF_KAFKA_MTLS_BROKERS).admin().connect())).name).to.match(/^KafkaJS(ConnectionError|NumberOfRetriesExceeded)$/);
  });

  it('leaves the PLAINTEXT listener as the plain tests know it: any topic, no credentials', async () => {
    const topic = uniqueName('plain-still-open');
    topics.push(topic);
    const admin = plaintext().admin();
    await admin.connect();
    expect(await admin.createTopics({ topics: [{ topic }], waitForLeaders: true })).to.equal(true);
    await admin.disconnect();
  });

  it('ZooKeeper: a creator-only znode made with the digest cannot be read or changed without it, or with another one', async () => {
    const connect = async (digest?: string) => {
      const client = zookeeper.createClient(env.WHARF_ZK_CONNECT, { sessionTimeout: 10_000 });
      await new Promise<void>((resolve) => {
        client.once('connected', () => resolve());
        client.connect();
      });
      if (digest) client.addAuthInfo('digest', Buffer.from(digest));
      return client;
    };
    const path = `/${uniqueName('wharf-secure-znode')}`;
    const owner = await connect(env.WHARF_ZK_DIGEST);
    const anonymous = await connect();
    const stranger = await connect('wharf:not-the-password');
    try {
      const creatorOnly = [new zookeeper.ACL(zookeeper.Permission.ALL, new zookeeper.Id('auth', ''))];
      await zkCall<string>((cb) => owner.create(path, Buffer.from('cursor-1'), creatorOnly, zookeeper.CreateMode.PERSISTENT, cb));
      for (const client of [anonymous, stranger]) {
        const refusal = (err: unknown) => (isZkError(err, zookeeper.Exception.NO_AUTH) ? 'NO_AUTH' : String(err));
        const read = await zkCall<Buffer>((cb) => client.getData(path, cb)).then(() => 'read', refusal);
        const write = await zkCall<unknown>((cb) => client.setData(path, Buffer.from('moved'), -1, cb)).then(() => 'written', refusal);
        expect([read, write]).to.deep.equal(['NO_AUTH', 'NO_AUTH']);
      }
      await zkCall<unknown>((cb) => owner.setData(path, Buffer.from('cursor-2'), -1, cb));
      expect(String(await zkCall<Buffer>((cb) => owner.getData(path, cb)))).to.equal('cursor-2');
    } finally {
      await zkCall<void>((cb) => owner.remove(path, -1, cb)).catch(() => undefined);
      for (const client of [owner, anonymous, stranger]) client.close();
    }
  });
});
