/**
 * wharf's own clients, built from configuration keys, against the secured stack: Kafka with each
 * SASL mechanism (PLAIN, SCRAM-SHA-256, SCRAM-SHA-512) and with a client certificate, Kafka and
 * Elasticsearch refusing a connection whose CA or name is wrong, Elasticsearch with a pinned CA
 * fingerprint, and the couchdb-changes source over https with its CA. Each refusal says what to fix.
 */
import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import type { AddressInfo, Socket } from 'node:net';
import { dirname, join } from 'node:path';
import { connect as tlsConnect, createServer as createTlsServer } from 'node:tls';
import { withAdmin, KafkaClient } from '../../src/kafka/client';
import { KafkaSchema } from '../../src/kafka/config';
import { kafkaCheck } from '../../src/kafka/health';
import { RecordProducer } from '../../src/kafka/record-producer';
import { ElasticsearchSinkSchema } from '../../src/sinks/elasticsearch/config';
import { elasticsearchCheck } from '../../src/sinks/elasticsearch/health';
import { createCouchdb } from '../../src/sinks/couchdb/client';
import { CouchdbChangesSourceSchema } from '../../src/sources/couchdb-changes/config';
import { CouchdbChangesSource } from '../../src/sources/couchdb-changes/source';
import { SourceUnavailableError } from '../../src/sources/source-adapter';
import { quietLogger } from '../helpers/local-stack';
import { uniqueName } from '../helpers/names';
import { securedStack } from '../helpers/secure-pipeline';
import { secureEnv } from '../helpers/secure-stack';

const failure = (p: Promise<unknown>) => p.then(() => undefined, (e: unknown) => e as Error);

/** A TLS server with the stack's server certificate followed by its CA (the chain), piping each connection to the secured node. */
async function chainPresentingFront(env: Record<string, string>): Promise<{ url: string; close: () => Promise<void> }> {
  const dir = dirname(env.WHARF_ES_CA);
  const node = new URL(env.WHARF_ES_URL);
  const ca = readFileSync(env.WHARF_ES_CA);
  const sockets = new Set<Socket>();
  const server = createTlsServer({ key: readFileSync(join(dir, 'server.key')), cert: Buffer.concat([readFileSync(join(dir, 'server.crt')), ca]) }, (socket) => {
    const upstream = tlsConnect({ host: node.hostname, port: Number(node.port), ca, servername: 'localhost' });
    for (const s of [socket, upstream]) {
      sockets.add(s);
      s.on('error', () => [socket, upstream].forEach((x) => x.destroy()));
      s.on('close', () => sockets.delete(s));
    }
    socket.pipe(upstream).pipe(socket);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `https://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise<void>((resolve) => {
      sockets.forEach((s) => s.destroy());
      server.close(() => resolve());
    }),
  };
}

describe('wharf\'s clients against the secured stack', function () {
  this.timeout(120_000);
  const env = secureEnv();
  const prefix = securedStack({}, env).prefix;
  const sasl = (mechanism: string) => ({ mechanism, username: env.WHARF_KAFKA_SASL_USERNAME, password: env.WHARF_KAFKA_SASL_PASSWORD });
  const kafka = (keys: object) => KafkaSchema.parse({ brokers: [env.WHARF_KAFKA_BROKERS], tls: { caFile: env.WHARF_KAFKA_CA }, connectionTimeoutMs: 5000, ...keys });

  it('produces through Kafka with PLAIN, SCRAM-SHA-256, SCRAM-SHA-512 and a client certificate', async () => {
    const ways = {
      PLAIN: kafka({ sasl: sasl('PLAIN') }),
      'SCRAM-SHA-256': kafka({ sasl: sasl('SCRAM-SHA-256') }),
      'SCRAM-SHA-512': kafka({ sasl: sasl('SCRAM-SHA-512') }),
      'client certificate': kafka({ brokers: [env.WHARF_KAFKA_MTLS_BROKERS], tls: { caFile: env.WHARF_KAFKA_CA, certFile: env.WHARF_KAFKA_CLIENT_CERT, keyFile: env.WHARF_KAFKA_CLIENT_KEY } }),
    };
    const topic = uniqueName(`${prefix}-client`);
    const writer = new KafkaClient({ ...ways['SCRAM-SHA-512'], topic, dlqTopic: `${topic}.dlq`, partitions: 1 }, quietLogger, 'secure-test');
    await withAdmin(writer, (admin) => admin.createTopics({ topics: [{ topic, numPartitions: 1 }], waitForLeaders: true }));
    try {
      for (const [way, config] of Object.entries(ways)) {
        expect(await kafkaCheck(config, quietLogger).run(), way).to.match(/^1 broker\(s\)/);
        const producer = new RecordProducer(new KafkaClient({ ...config, topic }, quietLogger, 'secure-test'));
        try {
          const acks = await producer.send(topic, [{ key: 'k', value: way }]);
          expect(acks.map((a) => a.errorCode), way).to.deep.equal([0]);
        } finally {
          await producer.disconnect();
        }
      }
      const ends = await withAdmin(writer, (admin) => admin.fetchTopicOffsets(topic));
      expect(ends.map((e) => e.high), 'one message per way, in the topic').to.deep.equal(['4']);
    } finally {
      await withAdmin(writer, (admin) => admin.deleteTopics({ topics: [topic] })).catch(() => undefined);
    }
  });

  it('refuses a Kafka broker whose certificate is not from the configured CA, or names another host', async () => {
    const publicCas = await failure(kafkaCheck(kafka({ sasl: sasl('SCRAM-SHA-512'), tls: {} }), quietLogger).run());
    expect(publicCas?.message).to.match(/^kafka unavailable: the server's certificate is not trusted \(.*\): set tls\.caFile to the CA that signed it/);
    const otherName = await failure(kafkaCheck(kafka({ sasl: sasl('SCRAM-SHA-512'), tls: { caFile: env.WHARF_KAFKA_CA, serverName: 'kafka.example.com' } }), quietLogger).run());
    expect(otherName?.message).to.match(/^kafka unavailable: the server's certificate does not name this host \(.*kafka\.example\.com.*\): set tls\.serverName/);
  });

  it('trusts Elasticsearch by its CA fingerprint, and refuses another fingerprint or a server that sends no CA', async () => {
    const sink = (node: string, caFingerprint: string) =>
      ElasticsearchSinkSchema.parse({ id: 'search', type: 'elasticsearch', node, index: `${prefix}-fingerprint`, apiKey: env.WHARF_ES_API_KEY, tls: { caFingerprint } });
    // The stack's node sends only its own certificate; Elasticsearch's own auto-configuration sends
    // its HTTP CA after it, which is what pinning by fingerprint checks. A TLS front with the same
    // certificate and key presents that chain to wharf, and forwards to the real node.
    const front = await chainPresentingFront(env);
    try {
      expect(await elasticsearchCheck(sink(front.url, env.WHARF_ES_CA_FINGERPRINT)).run()).to.match(/^elasticsearch cluster \S+ (yellow|green)/);
      const other = await failure(elasticsearchCheck(sink(front.url, 'AB'.repeat(32))).run());
      expect(other?.message).to.match(/^sink:search unavailable: the server's CA is not the one pinned by tls\.caFingerprint \(Server certificate CA fingerprint does not match .*\): check the fingerprint, or use tls\.caFile$/);
      const noChain = await failure(elasticsearchCheck(sink(env.WHARF_ES_URL, env.WHARF_ES_CA_FINGERPRINT)).run());
      expect(noChain?.message).to.match(/^sink:search unavailable: the server sends no CA certificate to check tls\.caFingerprint against \(Invalid or malformed certificate\): use tls\.caFile/);
    } finally {
      await front.close();
    }
  });

  it('follows a CouchDB changes feed over https with the CA file, and refuses an untrusted server or a wrong password', async () => {
    const operator = createCouchdb(securedStack({}, env).operator.couchdb);
    const db = uniqueName(`${prefix}-changes`);
    await operator.db.create(db);
    try {
      await operator.use(db).bulk({ docs: [{ _id: 'a', n: 1 }, { _id: 'b', n: 2 }] });
      const source = (keys: object) =>
        new CouchdbChangesSource(
          CouchdbChangesSourceSchema.parse({
            id: 'users', type: 'couchdb-changes', url: env.WHARF_COUCHDB_URL, db, username: env.WHARF_COUCHDB_ADMIN_USERNAME, password: env.WHARF_COUCHDB_ADMIN_PASSWORD,
            tls: { caFile: env.WHARF_COUCHDB_CA }, longpollTimeoutMs: 500, requestTimeoutMs: 5000, ...keys,
          }),
        );
      const page = await source({}).fetch(null);
      // Documents of one _bulk_docs get their sequences in no set order (pouchdb-server).
      const changes = [...page.records].sort((x, y) => x.upstreamId.localeCompare(y.upstreamId)).map((r) => [r.upstreamId, r.payload]);
      expect(changes).to.deep.equal([['a', { n: 1 }], ['b', { n: 2 }]]);

      const untrusted = await failure(source({ tls: {} }).fetch(null));
      expect(untrusted).to.be.instanceOf(SourceUnavailableError);
      expect((untrusted as SourceUnavailableError).refused).to.equal(true);
      expect(untrusted?.message).to.match(/^source users: _changes request to https:\/\/127\.0\.0\.1:\d+\/\S+ failed: the server's certificate is not trusted \(.*\): set tls\.caFile/);
      const wrong = await failure(source({ password: 'not-the-password' }).fetch(null));
      expect((wrong as SourceUnavailableError).refused).to.equal(true);
      expect(wrong?.message).to.match(/^source users: credentials refused by https:\/\/127\.0\.0\.1:\d+\/\S+ \(HTTP 401 unauthorized: Name or password is incorrect\.\): check username and password/);
    } finally {
      await operator.db.destroy(db).catch(() => undefined);
    }
  });
});
