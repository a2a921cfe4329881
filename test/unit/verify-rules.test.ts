import { expect } from 'chai';
import { contentHash, sameContent, toDocument } from '../../src/records/document';
import { TopicVersions } from '../../src/replay/topic-versions';
import { classify } from '../../src/replay/verify';
import { purgeCutoff } from '../../src/replay/purge-tombstones';
import { parseDuration } from '../../src/util/duration';
import { RepairPlan } from '../../src/replay/verify-repair';

const record = { id: 'orders:1', source: 'orders', ingestedAt: '2026-11-26T00:00:00.000Z', partition: 2, offset: '41', version: '41', payload: { a: 1, b: { c: 2 } } };

describe('wharf verify rules (pure)', () => {
  it('hashes content under the sameContent rule: Kafka position, ingest time, _id and _rev do not count, fields and version do', () => {
    const stored = { _id: 'orders:1', _rev: '3-x', ...toDocument(record) };
    const replayed = toDocument({ ...record, offset: '999', partition: 5, ingestedAt: '2027-01-01T00:00:00.000Z', payload: { b: { c: 2 }, a: 1 } });
    expect(sameContent(stored, replayed)).to.equal(true);
    expect(contentHash(stored)).to.equal(contentHash(replayed));
    expect(contentHash(stored)).to.not.equal(contentHash(toDocument({ ...record, payload: { a: 2, b: { c: 2 } } })));
    expect(contentHash(stored)).to.not.equal(contentHash(toDocument({ ...record, version: '42' })));
  });

  it('keeps per id the greatest version, whatever order it came in, and the first of equal versions', () => {
    const topic = new TopicVersions();
    topic.add({ ...record, offset: '50', version: '50', payload: { v: 'newest' } });
    topic.add({ ...record, offset: '41', version: '41', payload: { v: 'older' } });
    topic.add({ ...record, offset: '60', version: '50', payload: { v: 'newest' } }); // a dead letter produced again
    expect(topic.messages).to.equal(3);
    expect(topic.entries.get('orders:1')).to.deep.equal({
      version: '50',
      hash: contentHash(toDocument({ ...record, version: '50', payload: { v: 'newest' } })),
      partition: 2,
      offset: '50',
      deleted: false,
      seen: 0,
    });
  });

  it('classifies a stored document against the newest version in the topic', () => {
    const expected = { version: '10', hash: 'h', deleted: false };
    const stored = (version: string | null, hash = 'h', deleted = false) => ({ version, hash, deleted });
    expect(classify(expected, stored('10'))).to.equal(null);
    expect(classify(expected, stored('10', 'other'))).to.equal('differs');
    expect(classify(expected, stored('9'))).to.equal('stale');
    expect(classify(expected, stored(null))).to.equal('stale');
    expect(classify(expected, stored('11'))).to.equal('newer');
    expect(classify(undefined, stored('10'))).to.equal('unexpected');
    // Versions compare as numbers, beyond 2^53 too.
    expect(classify({ ...expected, version: '9007199254740993' }, stored('9007199254740992'))).to.equal('stale');
  });

  it('classifies deletions: an older live document is deleted-but-present, a tombstone of the version matches, an older tombstone under a newer write is stale', () => {
    const deletion = { version: '10', hash: 't', deleted: true };
    expect(classify(deletion, { version: '7', hash: 'h', deleted: false })).to.equal('deleted-but-present');
    expect(classify(deletion, { version: null, hash: 'h', deleted: false })).to.equal('deleted-but-present');
    expect(classify(deletion, { version: '10', hash: 't', deleted: true })).to.equal(null);
    expect(classify(deletion, { version: '11', hash: 'h', deleted: false })).to.equal('newer');
    expect(classify({ version: '12', hash: 'h', deleted: false }, { version: '10', hash: 't', deleted: true })).to.equal('stale');
    // A tombstone of an id gone from the topic hides nothing; a live one is unexpected.
    expect(classify(undefined, { version: '3', hash: 't', deleted: true })).to.equal(null);
  });

  it('plans a repair as the smallest range per partition holding every message wanted, and which sinks want each', () => {
    const plan = new RepairPlan();
    plan.add(0, '7', 'search');
    plan.add(0, '3', 'docs');
    plan.add(0, '7', 'docs');
    plan.add(4, '12', 'docs');
    expect(plan.ranges()).to.deep.equal([
      { partition: 0, from: 3n, to: 8n },
      { partition: 4, from: 12n, to: 13n },
    ]);
    expect(plan.requested).to.deep.equal({ search: 1, docs: 3 });
    expect(plan.size).to.equal(4);
    expect([...(plan.sinksFor(0, '7') ?? [])]).to.deep.equal(['search', 'docs']);
    expect(plan.sinksFor(0, '5')).to.equal(undefined);
  });
});

describe('purge-tombstones rules (pure)', () => {
  it('reads durations in ms, s, m, h and d, and nothing else', () => {
    expect(['500ms', '30s', '90m', '36h', '7d'].map(parseDuration)).to.deep.equal([500, 30_000, 5_400_000, 129_600_000, 604_800_000]);
    expect(['', '7', '1w', '-1d', '1.5h', 'a week'].map(parseDuration)).to.deep.equal(Array(6).fill(undefined));
  });

  it('allows a purge only beyond every topic\'s retention, never for a topic kept forever, unless forced', () => {
    const now = Date.UTC(2026, 10, 30);
    const retention = new Map<string, number | null>([['records', 7 * 86_400_000], ['dlq', 86_400_000]]);
    expect(purgeCutoff(8 * 86_400_000, retention, false, now)).to.deep.equal({ before: new Date(now - 8 * 86_400_000) });
    expect(purgeCutoff(86_400_000, retention, false, now)).to.have.property('refused').that.contains("within topic records's retention");
    expect(purgeCutoff(86_400_000, retention, true, now)).to.deep.equal({ before: new Date(now - 86_400_000) });
    expect(purgeCutoff(1e12, new Map([['records', null]]), false, now)).to.have.property('refused').that.contains('keeps messages forever');
  });
});
