/** The pipeline's pure rules: intake (a page becomes messages and dead letters) and delivery (a batch to every sink), with small fake sinks. */
import { expect } from 'chai';
import { RetriesExhaustedError, WharfError } from '../../src/errors';
import type { ConsumedMessage } from '../../src/kafka/record-consumer';
import { createLogger } from '../../src/log';
import { Delivery, type DeliveryOptions } from '../../src/pipeline/delivery';
import { intakeBatch } from '../../src/pipeline/intake';
import type { DeadLetter } from '../../src/records/dead-letter';
import type { SinkRecord } from '../../src/records/sink-record';
import { fromMessage, toMessage, toWireRecord } from '../../src/records/wire-record';
import { sameContent, toDocument } from '../../src/records/document';
import { documentMessage } from '../../src/replay/restore';
import { SinkUnavailableError, type SinkWriteResult, type SinkWriter } from '../../src/sinks/sink-writer';

const quiet = createLogger({ level: 'silent' });
const TIME = '2026-11-30T12:00:00.000Z';

/** A sink that fails `outages` times as unavailable, then stores what it gets (the greatest version of an id wins, as in the real sinks) and refuses ids in `refuse`. */
class FakeSink implements SinkWriter {
  readonly stored = new Map<string, SinkRecord>();
  writes = 0;
  constructor(
    readonly id: string,
    private outages = 0,
    private readonly refuse = new Set<string>(),
  ) {}
  prepare(): Promise<void> {
    return Promise.resolve();
  }
  write(batch: readonly SinkRecord[]): Promise<SinkWriteResult> {
    this.writes++;
    if (this.outages-- > 0) return Promise.reject(new SinkUnavailableError(this.id, 'connection refused'));
    const rejected = batch.filter((r) => this.refuse.has(r.id)).map((record) => ({ record, sink: this.id, reason: 'mapper_parsing_exception', attempts: 1 }));
    let stale = 0;
    for (const r of batch) {
      if (this.refuse.has(r.id)) continue;
      const stored = this.stored.get(r.id);
      if (stored && BigInt(stored.version) >= BigInt(r.version)) stale++;
      else this.stored.set(r.id, r);
    }
    return Promise.resolve({ written: batch.length - rejected.length - stale, unchanged: 0, stale, rejected });
  }
  close(): Promise<void> {
    return Promise.resolve();
  }
}

function messages(ids: string[], firstOffset = 0, version?: (i: number) => string | undefined): ConsumedMessage[] {
  return ids.map((id, i) => {
    const message = toMessage({ id: `orders:${id}`, source: 'orders', ingestedAt: TIME, payload: { id, v: i }, version: version?.(i) });
    return { key: Buffer.from(message.key), value: Buffer.from(message.value), offset: String(firstOffset + i) };
  });
}

function delivery(sinks: SinkWriter[], letters: DeadLetter[], extra: Partial<DeliveryOptions> = {}): Delivery {
  return new Delivery({
    topic: 'wharf.records',
    sinks,
    publishDeadLetters: (published) => (letters.push(...published), Promise.resolve()),
    retry: { minMs: 1, maxMs: 2, jitter: 0, resetAfterMs: 1000 },
    log: quiet,
    ...extra,
  });
}

describe('pipeline: intake', () => {
  it('makes each upstream record a message under <source>:<upstream id>, and malformed or oversized items dead letters of stage intake', () => {
    const page = {
      records: [
        { upstreamId: '1', payload: { id: 1, name: 'a' } },
        { upstreamId: '2', payload: { id: 2, blob: 'x'.repeat(500) } },
      ],
      malformed: [{ raw: { name: 'no id' }, reason: 'item has no string or number "id"' }],
      nextCursor: '2',
    };
    const { messages: out, letters } = intakeBatch({ id: 'orders', maxRecordBytes: 300 }, page, TIME);
    expect(out.map((m) => [m.key, JSON.parse(String(m.value)) as unknown])).to.deep.equal([['orders:1', { id: 'orders:1', source: 'orders', ingestedAt: TIME, payload: { id: 1, name: 'a' } }]]);
    expect(letters.map((l) => [l.stage, l.recordId, l.error])).to.deep.equal([
      ['intake', undefined, 'item has no string or number "id"'],
      ['intake', 'orders:2', `record of ${Buffer.byteLength(JSON.stringify({ id: 'orders:2', source: 'orders', ingestedAt: TIME, payload: { id: 2, blob: 'x'.repeat(500) } }))} bytes exceeds maxRecordBytes 300`],
    ]);
    expect(letters[0].record).to.deep.equal({ name: 'no id' });
  });
});

describe('pipeline: intake with the upstream\'s own version (versionField)', () => {
  it('carries a valid version into the wire record and dead-letters a record without one', () => {
    const page = {
      records: [
        { upstreamId: '1', payload: { id: 1, rev: 7 } },
        { upstreamId: '2', payload: { id: 2, rev: '9007199254740993' } },
        { upstreamId: '3', payload: { id: 3 } },
        { upstreamId: '4', payload: { id: 4, rev: -1 } },
        { upstreamId: '5', payload: { id: 5, rev: 1.5 } },
      ],
      malformed: [],
      nextCursor: '5',
    };
    const { messages: out, letters } = intakeBatch({ id: 'orders', maxRecordBytes: 10_000, versionField: 'rev' }, page, TIME);
    expect(out.map((m) => [m.key, (JSON.parse(String(m.value)) as { version?: string }).version])).to.deep.equal([
      ['orders:1', '7'],
      ['orders:2', '9007199254740993'],
    ]);
    expect(letters.map((l) => [l.recordId, l.stage, l.error])).to.deep.equal(
      ['orders:3', 'orders:4', 'orders:5'].map((id) => [id, 'intake', 'record has no valid version in "rev" (expected a non-negative integer below 2^63, or its decimal string)']),
    );
  });

  it('leaves the version to the Kafka offset when no versionField is set', () => {
    const { messages: out } = intakeBatch({ id: 'orders', maxRecordBytes: 10_000 }, { records: [{ upstreamId: '1', payload: { id: 1, rev: 7 } }], malformed: [], nextCursor: null }, TIME);
    expect((JSON.parse(String(out[0].value)) as { version?: string }).version).to.equal(undefined);
  });
});

describe('pipeline: intake of deletions (tombstones)', () => {
  const wire = (m: { value: string | Buffer }) => JSON.parse(String(m.value)) as Record<string, unknown>;

  it('makes a record whose deletedField is true, or one the upstream deleted, a tombstone with an empty payload; other values are ordinary records', () => {
    const page = {
      records: [
        { upstreamId: '1', payload: { id: 1, gone: true, name: 'a' } },
        { upstreamId: '2', payload: { id: 2, gone: 'true' } },
        { upstreamId: '3', payload: { id: 3 }, deleted: true },
        { upstreamId: '4', payload: { id: 4, gone: false } },
      ],
      malformed: [],
      nextCursor: null,
    };
    const { messages: out, letters } = intakeBatch({ id: 'orders', maxRecordBytes: 10_000, deletedField: 'gone' }, page, TIME);
    expect(letters).to.deep.equal([]);
    expect(out.map(wire)).to.deep.equal([
      { id: 'orders:1', source: 'orders', ingestedAt: TIME, payload: {}, deleted: true },
      { id: 'orders:2', source: 'orders', ingestedAt: TIME, payload: { id: 2, gone: 'true' } },
      { id: 'orders:3', source: 'orders', ingestedAt: TIME, payload: {}, deleted: true },
      { id: 'orders:4', source: 'orders', ingestedAt: TIME, payload: { id: 4, gone: false } },
    ]);
  });

  it('versions a tombstone from versionField like any write, and dead-letters one without a version with what the upstream sent', () => {
    const page = { records: [{ upstreamId: '1', payload: { id: 1, rev: 9, gone: true } }, { upstreamId: '2', payload: { id: 2, gone: true } }], malformed: [], nextCursor: null };
    const { messages: out, letters } = intakeBatch({ id: 'orders', maxRecordBytes: 10_000, versionField: 'rev', deletedField: 'gone' }, page, TIME);
    expect(out.map(wire)).to.deep.equal([{ id: 'orders:1', source: 'orders', ingestedAt: TIME, payload: {}, version: '9', deleted: true }]);
    expect(letters.map((l) => [l.recordId, (l.record as { payload: unknown }).payload])).to.deep.equal([['orders:2', { id: 2, gone: true }]]);
  });

  it('carries the tombstone through Kafka, a dead letter and the document every sink gets', () => {
    const message = toMessage({ id: 'orders:1', source: 'orders', ingestedAt: TIME, payload: {}, version: '9', deleted: true });
    const record = fromMessage(Buffer.from(message.value), 2, '40');
    expect(record).to.deep.include({ id: 'orders:1', version: '9', deleted: true, partition: 2, offset: '40' });
    expect(toWireRecord(record)).to.deep.equal({ id: 'orders:1', source: 'orders', ingestedAt: TIME, payload: {}, version: '9', deleted: true });
    expect(toDocument(record)).to.deep.equal({ wharf: { source: 'orders', id: 'orders:1', ingestedAt: TIME, partition: 2, offset: '40', version: '9', deleted: true } });
    const live = fromMessage(Buffer.from(toMessage({ id: 'orders:1', source: 'orders', ingestedAt: TIME, payload: {}, version: '9' }).value), 2, '40');
    expect(live).to.not.have.property('deleted');
    expect(sameContent(toDocument(record), toDocument(live))).to.equal(false);
    expect(() => fromMessage(Buffer.from(JSON.stringify({ ...JSON.parse(String(message.value)), deleted: 'yes' })), 2, '41')).to.throw('not a wharf record');
  });

  it('restores a tombstone from its archived document as a tombstone of the same version', () => {
    const record = fromMessage(Buffer.from(toMessage({ id: 'orders:1', source: 'orders', ingestedAt: TIME, payload: {}, version: '9', deleted: true }).value), 2, '40');
    const restored = documentMessage(toDocument(record))!;
    expect(fromMessage(restored.value, 2, restored.offset)).to.deep.include({ id: 'orders:1', version: '9', deleted: true, payload: {} });
  });
});

describe('pipeline: delivery (the one path of consumers and replay)', () => {
  it('writes the batch to every sink; refused records and unreadable messages become dead letters; the batch is delivered', async () => {
    const search = new FakeSink('search', 0, new Set(['orders:b']));
    const archive = new FakeSink('archive');
    const letters: DeadLetter[] = [];
    const batch = [...messages(['a', 'b', 'c']), { key: null, value: Buffer.from('not json'), offset: '3' }];
    const outcome = await delivery([search, archive], letters).deliver({ partition: 4, messages: batch, signal: new AbortController().signal });
    expect(outcome).to.deep.equal({ delivered: true, written: { search: 2, archive: 3 }, stale: { search: 0, archive: 0 }, deadLettered: 2 });
    expect([...search.stored.keys()]).to.deep.equal(['orders:a', 'orders:c']);
    expect([...archive.stored.values()].map((r) => [r.id, r.partition, r.offset, r.version, r.payload])).to.deep.equal([
      ['orders:a', 4, '0', '0', { id: 'a', v: 0 }],
      ['orders:b', 4, '1', '1', { id: 'b', v: 1 }],
      ['orders:c', 4, '2', '2', { id: 'c', v: 2 }],
    ]);
    expect(letters.map((l) => [l.stage, l.recordId, l.kafka])).to.deep.equal([
      ['consume', undefined, { topic: 'wharf.records', partition: 4, offset: '3' }],
      ['search', 'orders:b', { topic: 'wharf.records', partition: 4, offset: '1' }],
    ]);
    // The dead letter keeps the record's version, for `wharf dlq replay` to produce it with.
    expect(letters[1].record).to.deep.equal({ id: 'orders:b', source: 'orders', ingestedAt: TIME, payload: { id: 'b', v: 1 }, version: '1' });
  });

  it("versions each record by its Kafka offset, or by the wire record's own version (a dead letter replayed), and counts what a sink holds newer as stale", async () => {
    const sink = new FakeSink('search');
    const letters: DeadLetter[] = [];
    const run = delivery([sink], letters);
    const first = await run.deliver({ partition: 1, messages: messages(['a', 'b'], 100), signal: new AbortController().signal });
    expect(first).to.deep.equal({ delivered: true, written: { search: 2 }, stale: { search: 0 }, deadLettered: 0 });
    expect([...sink.stored.values()].map((r) => [r.id, r.offset, r.version])).to.deep.equal([
      ['orders:a', '100', '100'],
      ['orders:b', '101', '101'],
    ]);

    // Later offsets, but a: a replayed dead letter of version 7 (older than 100); b: its own version 5000 (newer).
    const later = await run.deliver({ partition: 1, messages: messages(['a', 'b'], 200, (i) => (i === 0 ? '7' : '5000')), signal: new AbortController().signal });
    expect(later).to.deep.equal({ delivered: true, written: { search: 1 }, stale: { search: 1 }, deadLettered: 0 });
    expect([...sink.stored.values()].map((r) => [r.id, r.offset, r.version, r.payload])).to.deep.equal([
      ['orders:a', '100', '100', { id: 'a', v: 0 }],
      ['orders:b', '201', '5000', { id: 'b', v: 1 }],
    ]);

    // A version that is not a decimal below 2^63 makes the message unreadable, not a record.
    const bad = await run.deliver({ partition: 1, messages: messages(['c'], 300, () => '9223372036854775808'), signal: new AbortController().signal });
    expect(bad).to.deep.include({ delivered: true, deadLettered: 1 });
    expect(letters.map((l) => [l.stage, l.error])).to.deep.equal([['consume', 'message is not a wharf record envelope']]);
  });

  it('waits out a sink that is unavailable, retrying only it, and delivers once it is back; the heartbeat is kept meanwhile', async () => {
    const down = new FakeSink('search', 3);
    const up = new FakeSink('couch');
    let heartbeats = 0;
    const outcome = await delivery([down, up], [], { retry: { minMs: 5, maxMs: 5, jitter: 0, resetAfterMs: 1000 } }).deliver({
      partition: 0,
      messages: messages(['a']),
      signal: new AbortController().signal,
      heartbeat: () => (heartbeats++, Promise.resolve()),
    });
    expect(outcome.delivered).to.equal(true);
    expect([down.writes, up.writes]).to.deep.equal([4, 1]);
    expect(heartbeats).to.equal(3);
    expect([...down.stored.keys()]).to.deep.equal(['orders:a']);
  });

  it('abandons the batch (no dead letters, not delivered) when its signal fires while a sink is down', async () => {
    const letters: DeadLetter[] = [];
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 30);
    const outcome = await delivery([new FakeSink('search', 1000, new Set(['orders:a']))], letters, { retry: { minMs: 5, maxMs: 5, jitter: 0, resetAfterMs: 1000 } }).deliver({
      partition: 0,
      messages: messages(['a']),
      signal: controller.signal,
    });
    expect(outcome).to.deep.equal({ delivered: false });
    expect(letters).to.deep.equal([]);
  });

  it('gives up after its deadline when bounded (a CLI job), and passes a non-retriable sink error on at once', async () => {
    const bounded = delivery([new FakeSink('search', 1000)], [], { deadlineMs: 30, retry: { minMs: 5, maxMs: 5, jitter: 0, resetAfterMs: 1000 } });
    const err = await bounded.deliver({ partition: 0, messages: messages(['a']), signal: new AbortController().signal }).catch((e: unknown) => e);
    expect(err).to.be.instanceOf(RetriesExhaustedError);
    expect((err as Error).message).to.match(/^writing to sink search: gave up after \d+ attempts: sink search unavailable: connection refused$/);

    const broken: SinkWriter = { ...new FakeSink('search'), id: 'search', prepare: () => Promise.resolve(), close: () => Promise.resolve(), write: () => Promise.reject(new WharfError('a bug', { retriable: false })) };
    const fatal = await delivery([broken], []).deliver({ partition: 0, messages: messages(['a']), signal: new AbortController().signal }).catch((e: unknown) => e);
    expect((fatal as Error).message).to.equal('a bug');
  });
});
