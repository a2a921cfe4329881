import { expect } from 'chai';
import { CouchdbChangesSourceSchema } from '../../src/sources/couchdb-changes/config';
import { toChangesPage } from '../../src/sources/couchdb-changes/page';
import { SourceUnavailableError } from '../../src/sources/source-adapter';

const doc = (id: string, fields: object = {}) => ({ id, seq: 1, changes: [{ rev: '1-a' }], doc: { _id: id, _rev: '1-a', ...fields } });

describe('couchdb-changes page rules (pure)', () => {
  it("makes each change a record keyed by _id whose payload has none of CouchDB's _ fields", () => {
    const body = { results: [doc('a', { x: 1, nested: { _keep: true }, _attachments: { f: {} }, _conflicts: ['1-b'] })], last_seq: 7 };
    expect(toChangesPage('c', body, '3', false)).to.deep.equal({
      records: [{ upstreamId: 'a', payload: { x: 1, nested: { _keep: true } } }],
      malformed: [],
      nextCursor: '7',
    });
  });

  it('makes a deletion a deleted record (with what the deleting revision kept), skips design documents unless included, and advances the cursor', () => {
    const body = {
      results: [
        { id: 'gone', seq: 4, deleted: true, changes: [], doc: { _id: 'gone', _rev: '2-x', _deleted: true } },
        { id: 'kept', seq: 5, deleted: true, changes: [], doc: { _id: 'kept', _rev: '3-y', _deleted: true, rev: 7 } },
        { id: 'bare', seq: 6, deleted: true, changes: [] },
        doc('_design/views', { views: {} }),
      ],
      last_seq: '5-opaque',
    };
    expect(toChangesPage('c', body, '3', false)).to.deep.equal({
      records: [
        { upstreamId: 'gone', payload: {}, deleted: true },
        { upstreamId: 'kept', payload: { rev: 7 }, deleted: true },
        { upstreamId: 'bare', payload: {}, deleted: true },
      ],
      malformed: [],
      nextCursor: '5-opaque',
    });
    expect(toChangesPage('c', body, '3', true).records.map((r) => r.upstreamId)).to.deep.equal(['gone', 'kept', 'bare', '_design/views']);
  });

  it('returns changes without an id or a document as malformed, with a reason', () => {
    const page = toChangesPage('c', { results: [{ seq: 1 }, { id: 'b', seq: 2 }, 'x', doc('c')], last_seq: 3 }, null, false);
    expect(page.records).to.deep.equal([{ upstreamId: 'c', payload: {} }]);
    expect(page.malformed.map((m) => m.reason)).to.deep.equal(['change has no string "id"', 'change of "b" has no document (include_docs)', 'change is not a JSON object']);
    expect(page.nextCursor).to.equal('3');
  });

  it('keeps the asked cursor for an empty page (so the poller waits), and starts from last_seq when there was none', () => {
    expect(toChangesPage('c', { results: [], last_seq: 9 }, '9', false).nextCursor).to.equal('9');
    expect(toChangesPage('c', { results: [], last_seq: 0 }, null, false).nextCursor).to.equal('0');
  });

  it('reports a body that is not a _changes answer as a retriable error', () => {
    for (const body of [null, { rows: [] }, { results: [] }]) {
      expect(() => toChangesPage('c', body, null, false))
        .to.throw(SourceUnavailableError)
        .with.property('retriable', true);
    }
  });

  it('fills defaults and requires requestTimeoutMs to exceed the longpoll timeout', () => {
    const base = { id: 'c', type: 'couchdb-changes', url: 'http://127.0.0.1:5984', db: 'orders' };
    expect(CouchdbChangesSourceSchema.parse(base)).to.deep.include({ batchSize: 500, longpollTimeoutMs: 5000, intervalMs: 1000, requestTimeoutMs: 30_000, includeDesignDocs: false });
    const refused = CouchdbChangesSourceSchema.safeParse({ ...base, longpollTimeoutMs: 30_000, requestTimeoutMs: 30_000 });
    expect(refused.success).to.equal(false);
    expect(refused.error?.issues[0]).to.deep.include({ path: ['requestTimeoutMs'], message: 'must exceed longpollTimeoutMs + 2000 (32000), got 30000' });
  });
});
