/**
 * Refusals (credentials, permissions, certificates) are told apart from outages and said with
 * what to fix, whatever client library wrapped them.
 */
import { expect } from 'chai';
import { isRefusal, tlsRefusal, WharfError } from '../../src/errors';
import { kafkaRefusal } from '../../src/kafka/kafka-errors';
import { KafkaUnavailableError } from '../../src/kafka/record-producer';
import { credentialsOf, esRefusal } from '../../src/sinks/elasticsearch/answers';
import { couchRefusal } from '../../src/sinks/couchdb/answers';
import { SourceUnavailableError } from '../../src/sources/source-adapter';

const withCode = (message: string, code: string) => Object.assign(new Error(message), { code });

describe('refusals', () => {
  it('finds an untrusted or misnamed certificate by code or, where a library kept only the message, by message', () => {
    const fetchFailed = new TypeError('fetch failed', { cause: withCode('unable to verify the first certificate', 'UNABLE_TO_VERIFY_LEAF_SIGNATURE') });
    expect(tlsRefusal(fetchFailed)).to.equal("the server's certificate is not trusted (unable to verify the first certificate): set tls.caFile to the CA that signed it");
    expect(tlsRefusal(new Error('Failed to connect: self-signed certificate in certificate chain'))).to.match(/^the server's certificate is not trusted/);
    expect(tlsRefusal(new Error("Hostname/IP does not match certificate's altnames: IP: 127.0.0.2 is not in the cert's list: 127.0.0.1"))).to.match(/does not name this host .*set tls\.serverName/);
    expect(tlsRefusal(withCode('connect ECONNREFUSED 127.0.0.1:9', 'ECONNREFUSED'))).to.equal(undefined);
    expect(isRefusal(new SourceUnavailableError('feed', 'GET failed', { cause: fetchFailed }))).to.equal(true);
    expect(isRefusal(new SourceUnavailableError('feed', 'GET failed', { cause: withCode('connect ECONNREFUSED', 'ECONNREFUSED') }))).to.equal(false);
    expect(isRefusal(new WharfError('x', { retriable: true, refused: true }))).to.equal(true);
  });

  it('reads Kafka authorization and SASL refusals through kafkajs nesting', () => {
    const topic = Object.assign(new Error('Not authorized to access topics: [Topic authorization failed]'), { name: 'KafkaJSProtocolError', type: 'TOPIC_AUTHORIZATION_FAILED' });
    const retried = Object.assign(new Error('retries exceeded'), { name: 'KafkaJSNumberOfRetriesExceeded', cause: topic });
    expect(kafkaRefusal(retried)).to.equal('the Kafka user lacks an ACL on a topic (TOPIC_AUTHORIZATION_FAILED): grant it the topic ACLs of docs/security.md');
    const sasl = Object.assign(new Error('SASL SCRAM SHA512 authentication failed: Authentication failed during authentication due to invalid credentials with SASL mechanism SCRAM-SHA-512'), {
      name: 'KafkaJSSASLAuthenticationError',
    });
    expect(kafkaRefusal({ errors: [sasl] })).to.match(/^Kafka refused the SASL credentials \(SASL SCRAM SHA512 authentication failed: .*\): check kafka\.sasl$/);
    expect(kafkaRefusal(Object.assign(new Error('x'), { type: 'NOT_LEADER_FOR_PARTITION' }))).to.equal(undefined);
    const error = new KafkaUnavailableError('producing to wharf.records', 'retries exceeded', { cause: retried });
    expect(error.refused).to.equal(true);
    expect(error.message).to.equal('kafka: producing to wharf.records failed: the Kafka user lacks an ACL on a topic (TOPIC_AUTHORIZATION_FAILED): grant it the topic ACLs of docs/security.md');
    expect(new KafkaUnavailableError('producing', 'Connection timeout', { cause: new Error('Connection timeout') }).refused).to.equal(false);
  });

  it('says which Elasticsearch credentials to check, with Elasticsearch\'s own reason for an invalidated key', () => {
    const invalidated = {
      statusCode: 401,
      body: { error: { type: 'security_exception', reason: 'unable to authenticate with provided credentials and anonymous access is not allowed for this request', additional_unsuccessful_credentials: 'API key: api key [k1] has been invalidated' } },
    };
    expect(esRefusal({ index: 'orders', apiKey: 'x' }, invalidated)).to.equal(
      "credentials refused by Elasticsearch (401 security_exception: unable to authenticate with provided credentials and anonymous access is not allowed for this request (API key: api key [k1] has been invalidated)); check the sink's apiKey (it may have expired or been invalidated: create a new one)",
    );
    expect(credentialsOf({ username: 'wharf' })).to.equal('username and password');
    expect(esRefusal({ index: 'orders' }, { statusCode: 503, body: { error: { type: 'x' } } })).to.equal(undefined);
    expect(esRefusal({ index: 'orders' }, new Error('self-signed certificate in certificate chain'))).to.match(/^the server's certificate is not trusted/);
  });

  it('says CouchDB refused the credentials', () => {
    expect(couchRefusal({ statusCode: 401, error: 'unauthorized', reason: 'Name or password is incorrect.' }, 'orders')).to.equal(
      "credentials refused by CouchDB (401 unauthorized: Name or password is incorrect.); check the sink's username and password",
    );
    expect(couchRefusal({ statusCode: 500, error: 'x' }, 'orders')).to.equal(undefined);
  });
});
