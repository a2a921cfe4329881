import { expect } from 'chai';
import { sameContent, toDocument } from '../../src/records/document';
import { compareVersions, isVersion, storedVersion, UNVERSIONED } from '../../src/records/version';
import { elasticsearchId } from '../../src/sinks/elasticsearch/writer';
import { isRetriableStatus } from '../../src/http/response';
import { withoutOversized } from '../../src/sinks/sink-writer';

const record = { id: 'orders:1', source: 'orders', ingestedAt: '2026-11-26T00:00:00.000Z', partition: 2, offset: '41', version: '41', payload: { a: 1, b: { c: 2 } } };

describe('sink rules (pure)', () => {
  it('retries 408, 429 and 5xx except 501 and 505, and a missing status (no answer); never other 4xx', () => {
    expect([408, 429, 500, 502, 503, 504, undefined].map(isRetriableStatus)).to.deep.equal(Array(7).fill(true));
    expect([400, 401, 403, 404, 409, 413, 501, 505].map(isRetriableStatus)).to.deep.equal(Array(8).fill(false));
  });

  it('shapes a document as the upstream fields plus one wharf object', () => {
    expect(toDocument(record)).to.deep.equal({
      a: 1,
      b: { c: 2 },
      wharf: { source: 'orders', id: 'orders:1', ingestedAt: '2026-11-26T00:00:00.000Z', partition: 2, offset: '41', version: '41' },
    });
  });

  it('treats the same version from another offset or ingest time as the same content; a changed field or another version as different', () => {
    const stored = { _id: 'orders:1', _rev: '1-x', ...toDocument(record) };
    expect(sameContent(stored, toDocument({ ...record, offset: '999', partition: 5, ingestedAt: '2027-01-01T00:00:00.000Z' }))).to.equal(true);
    expect(sameContent(stored, toDocument({ ...record, payload: { b: { c: 2 }, a: 1 } }))).to.equal(true);
    expect(sameContent(stored, toDocument({ ...record, payload: { a: 1, b: { c: 3 } } }))).to.equal(false);
    expect(sameContent(stored, toDocument({ ...record, version: '42' }))).to.equal(false);
  });

  it('accepts versions that are decimal integers in [0, 2^63), compares them exactly, and reads a stored document without one as older than any', () => {
    expect(['0', '41', '9007199254740993', '9223372036854775807'].map(isVersion)).to.deep.equal([true, true, true, true]);
    expect(['-1', '01', '1.5', ' 1', '', '9223372036854775808', 41, undefined].map(isVersion)).to.deep.equal(Array(8).fill(false));
    expect(compareVersions('9007199254740993', '9007199254740992')).to.equal(1);
    expect(compareVersions('10', '9')).to.equal(1);
    expect(compareVersions('5', '5')).to.equal(0);
    expect(compareVersions('5', '10')).to.equal(-1);
    expect(storedVersion(undefined)).to.equal(UNVERSIONED);
    expect(compareVersions(storedVersion(undefined), '0')).to.equal(-1);
    expect(storedVersion('12')).to.equal(12n);
  });

  it('keeps ids Elasticsearch accepts and hashes longer ones deterministically, keeping the source prefix', () => {
    expect(elasticsearchId('orders:42')).to.equal('orders:42');
    const long = `orders:${'é'.repeat(300)}`;
    expect(elasticsearchId(long)).to.equal(elasticsearchId(long));
    expect(elasticsearchId(long)).to.match(/^orders:sha256:[0-9a-f]{64}$/);
  });
  it('measures a document only when its Kafka message is near maxDocumentBytes, and rejects it if over', () => {
    const record = (id: string, wireBytes: number | undefined, size: number) => ({ id, source: 's', ingestedAt: '', partition: 0, offset: '0', version: '0', payload: { x: 'y'.repeat(size) }, wireBytes });
    const measured: string[] = [];
    const documentOf = (r: { id: string; payload: Record<string, unknown> }) => {
      measured.push(r.id);
      return r.payload;
    };
    const { sendable, rejected } = withoutOversized('sink', [record('small', 100, 50), record('near', 1900, 1900), record('unknown', undefined, 10)], 2000, documentOf);
    expect(measured).to.deep.equal(['near', 'unknown']);
    expect(sendable.map((r) => r.id)).to.deep.equal(['small', 'near', 'unknown']);
    expect(rejected).to.have.length(0);
    const over = withoutOversized('sink', [record('big', 2100, 2100)], 2000, documentOf);
    expect(over.rejected.map((r) => r.record.id)).to.deep.equal(['big']);
  });
});
