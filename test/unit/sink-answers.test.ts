/**
 * The sinks' reading of their servers' answers (pure), with the exact bodies the servers send:
 * ES 8.19 and pouchdb-server 4.2 as observed locally; CouchDB's document_too_large from its own
 * tests (apache/couchdb src/chttpd/test/eunit/chttpd_db_doc_size_tests.erl); Elasticsearch's
 * security_exception reasons from its authentication and authorization services.
 */
import { expect } from 'chai';
import { refusalKind } from '../../src/http/response';
import { itemOutcome as couchItem, requestRefusal } from '../../src/sinks/couchdb/answers';
import { itemOutcome as esItem, unavailability } from '../../src/sinks/elasticsearch/answers';

describe('sink answers (pure)', () => {
  it('sorts HTTP refusals: 401/403 access refused, 413 too large, 408/429/5xx retriable, other 4xx permanent', () => {
    const statuses = [401, 403, 413, 408, 429, 500, 503, undefined, 400, 404, 409, 501];
    expect(statuses.map(refusalKind)).to.deep.equal([
      'access-refused', 'access-refused', 'too-large', 'retriable', 'retriable', 'retriable', 'retriable', 'retriable', 'permanent', 'permanent', 'permanent', 'permanent',
    ]);
  });

  describe('elasticsearch', () => {
    const kind = (status: number, type?: string, reason?: string) => esItem('orders', status, type ? { type, reason } : undefined);

    it('makes a write block unavailable, whatever its status (403 for index.blocks.write, 429 after the flood-stage watermark), naming the index and the block', () => {
      expect(kind(403, 'cluster_block_exception', 'index [orders] blocked by: [FORBIDDEN/8/index write (api)];')).to.deep.equal({
        kind: 'unavailable',
        reason: 'index orders is write-blocked (cluster_block_exception: index [orders] blocked by: [FORBIDDEN/8/index write (api)];); lift the block (index.blocks.*, or free disk space below the flood-stage watermark)',
      });
      expect(kind(429, 'cluster_block_exception', 'index [orders] blocked by: [TOO_MANY_REQUESTS/12/disk usage exceeded flood-stage watermark, index has read-only-allow-delete block];').kind).to.equal('unavailable');
    });

    it('makes a closed index and refused credentials or privileges unavailable, saying what to fix', () => {
      expect(kind(400, 'index_closed_exception', 'closed').reason).to.equal('index orders is closed (index_closed_exception: closed); open it');
      expect(unavailability('orders', 401, { type: 'security_exception', reason: 'unable to authenticate user [wharf] for REST request [/_bulk]' })).to.equal(
        "credentials refused by Elasticsearch (401 security_exception: unable to authenticate user [wharf] for REST request [/_bulk]); check the sink's username and password",
      );
      expect(kind(403, 'security_exception', 'action [indices:data/write/bulk[s]] is unauthorized for user [wharf] on indices [orders]').reason).to.match(/^not allowed to write to index orders \(403 security_exception: /);
      expect(unavailability('orders', 503, { type: 'unavailable_shards_exception' })).to.equal(undefined);
    });

    it('writes 2xx, counts a version conflict as stale, retries 429/5xx, and rejects other statuses (a 413 item too)', () => {
      expect([kind(201), kind(200)].map((o) => o.kind)).to.deep.equal(['written', 'written']);
      expect(kind(409, 'version_conflict_engine_exception').kind).to.equal('stale');
      expect(kind(429, 'es_rejected_execution_exception').kind).to.equal('again');
      expect(kind(503, 'unavailable_shards_exception').kind).to.equal('again');
      expect(kind(400, 'document_parsing_exception', 'failed to parse field [amount]')).to.deep.equal({ kind: 'rejected', reason: 'document_parsing_exception: failed to parse field [amount]' });
      expect(kind(413).kind).to.equal('rejected');
      expect(kind(409, 'other_conflict').kind).to.equal('rejected');
    });
  });

  describe('couchdb', () => {
    it('makes a request-level 401 or 403 unavailable, saying what to fix, never a rejection', () => {
      expect(requestRefusal({ statusCode: 401, error: 'unauthorized', reason: 'Name or password is incorrect.' }, 'orders')).to.deep.equal({
        unavailable: "credentials refused by CouchDB (401 unauthorized: Name or password is incorrect.); check the sink's username and password",
      });
      expect(requestRefusal({ statusCode: 403, error: 'forbidden', reason: 'You are not allowed to access this db.' }, 'orders')).to.deep.equal({
        unavailable: "not allowed to write to database orders (403 forbidden: You are not allowed to access this db.); check the user's roles and the database's _security",
      });
    });

    it("refuses a too-large request for splitting: CouchDB's 413 document_too_large (empty reason) and the 413 too_large of max_http_request_size and pouchdb-server", () => {
      expect(requestRefusal({ statusCode: 413, error: 'document_too_large', reason: '' }, 'orders')).to.deep.equal({ refused: 'document_too_large: ' });
      expect(requestRefusal({ statusCode: 413, error: 'too_large', reason: 'the request entity is too large' }, 'orders')).to.deep.equal({ refused: 'too_large: the request entity is too large' });
      expect(requestRefusal({ statusCode: 400, error: 'bad_request', reason: 'invalid UTF-8 JSON' }, 'orders')).to.deep.equal({ refused: 'bad_request: invalid UTF-8 JSON' });
      expect(requestRefusal({ statusCode: 500, error: 'doc_validation', reason: 'Bad special document member: _reserved' }, 'orders')).to.deep.equal({ refused: 'doc_validation: Bad special document member: _reserved' });
      expect(requestRefusal({ statusCode: 503, error: 'service_unavailable' }, 'orders')).to.equal(undefined);
      expect(requestRefusal({}, 'orders')).to.equal(undefined);
    });

    it('rejects a document forbidden by validation or too large; an unauthorized document means the user lacks access; others are retried', () => {
      const outcomes = [
        { ok: true, id: 'a', rev: '1-x' },
        { id: 'a', error: 'conflict', reason: 'Document update conflict.' },
        { id: 'a', error: 'forbidden', reason: 'bad documents are refused' },
        { id: 'a', error: 'document_too_large', reason: 'a' },
        { id: 'a', error: 'too_large', reason: 'a' },
        { id: 'a', error: 'doc_validation', reason: 'Bad special document member: _x' },
        { id: 'a', error: 'unauthorized', reason: 'only writers may set a role' },
        { id: 'a', error: 'unknown_error', reason: 'timeout' },
      ].map(couchItem);
      expect(outcomes).to.deep.equal(['written', 'conflict', 'rejected', 'rejected', 'rejected', 'rejected', 'unavailable', 'again']);
    });
  });
});
