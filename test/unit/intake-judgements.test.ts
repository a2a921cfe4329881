/** The poller's pure judgements about a page: the page digest (produce a page without next cursor once) and a cursor going backwards. */
import { expect } from 'chai';
import { cursorWentBack, pageDigest } from '../../src/pipeline/intake';
import type { SourcePage } from '../../src/sources/source-adapter';

const page = (records: Array<[string, Record<string, unknown>]>, malformed: unknown[] = []): SourcePage => ({
  records: records.map(([upstreamId, payload]) => ({ upstreamId, payload })),
  malformed: malformed.map((raw) => ({ raw, reason: 'no id' })),
  nextCursor: null,
});

describe('intake judgements', () => {
  it('gives the same page the same digest whatever its key order, and a changed page another', () => {
    const a = pageDigest(page([['1', { id: 1, amount: 5, status: 'new' }]]));
    expect(pageDigest(page([['1', { status: 'new', id: 1, amount: 5 }]]))).to.equal(a);
    expect(a).to.match(/^sha256:[0-9a-f]{64}$/);
    expect(pageDigest(page([['1', { id: 1, amount: 6, status: 'new' }]]))).not.to.equal(a);
    expect(pageDigest(page([['1', { id: 1, amount: 5, status: 'new' }], ['2', { id: 2 }]]))).not.to.equal(a);
    expect(pageDigest(page([['1', { id: 1, amount: 5, status: 'new' }]], [{ note: 'x' }]))).not.to.equal(a);
  });

  it('says a numeric cursor went back only when both are numbers and the next sorts before the stored', () => {
    expect(cursorWentBack('120', '80')).to.equal(true);
    expect(cursorWentBack('9', '10')).to.equal(false); // numeric, not text, order
    expect(cursorWentBack('10', '10')).to.equal(false);
    expect(cursorWentBack(null, '3')).to.equal(false);
    expect(cursorWentBack('5', null)).to.equal(false);
    expect(cursorWentBack('b', 'a')).to.equal(false); // opaque cursors are not compared
    expect(cursorWentBack('2.5', '2.25')).to.equal(true);
  });
});
