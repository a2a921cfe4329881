/**
 * Documents spliced from a payload's own text (wire-record.ts payloadTextOf, document.ts
 * documentText) are the documents toDocument makes, member for member, for every payload shape;
 * and a message whose payload cannot be taken as it is falls back to serializing the object.
 */
import { expect } from 'chai';
import { documentText, toDocument } from '../../src/records/document';
import type { SinkRecord } from '../../src/records/sink-record';
import { fromMessage, payloadTextOf, toMessage, type WireRecord } from '../../src/records/wire-record';

const PAYLOADS: Array<Record<string, unknown>> = [
  {},
  { id: 1, name: 'plain' },
  { text: 'a ,"payload":{"x":1} inside a string', quote: 'say "hi" \\ and \\" escaped', nested: { payload: { deep: [1, { payload: 2 }] } } },
  { unicode: 'Genoa – 港 🚢', control: 'tab\there\nnewline', empty: '', list: [[], {}, [[]], null, true, 1.5e-7] },
  { '1': 'integer-like key', b: 'ordered after it by JSON.parse', '}': '{', ']': '[' },
  { payload: 'a member named payload' },
];

const wire = (payload: Record<string, unknown>, extra: Partial<WireRecord> = {}): WireRecord => ({ id: 'orders:7', source: 'orders', ingestedAt: '2026-11-30T20:00:00.000Z', payload, ...extra });
const consumed = (record: WireRecord, offset = '42'): SinkRecord => {
  const message = toMessage(record);
  return fromMessage(Buffer.from(message.value), 3, offset, message.headers);
};

describe('documents spliced from the payload text', () => {
  for (const payload of PAYLOADS) {
    it(`equal toDocument's for ${JSON.stringify(payload).slice(0, 50)}`, () => {
      for (const extra of [{}, { version: '99' }]) {
        const record = consumed(wire(payload, extra));
        expect(record.payloadText, 'the payload text was taken').to.be.a('string');
        expect(JSON.parse(record.payloadText!)).to.deep.equal(payload);
        expect(JSON.parse(documentText(record))).to.deep.equal(toDocument(record));
        const head = { _id: record.id, _rev: '3-abc' };
        expect(JSON.parse(documentText(record, head))).to.deep.equal({ ...head, ...toDocument(record) });
      }
    });
  }

  it('keeps the payload as text and still gives its object to whoever asks (parsed once), spread included', () => {
    const payload = PAYLOADS[2];
    const record = consumed(wire(payload));
    expect(record.payloadText).to.be.a('string');
    expect(record.payload).to.deep.equal(payload);
    expect(record.payload, 'the same object on each read').to.equal(record.payload);
    expect({ ...record }.payload).to.deep.equal(payload);
    expect(Object.keys(record)).to.include('payload');
  });

  it('falls back to the object for a payload with a member of the document itself (wharf, or any beginning with _), whose own members win', () => {
    for (const key of ['wharf', '_id', '_rev', '_deleted', '_attachments', '_anything']) {
      const record = consumed(wire({ [key]: 'upstream value', other: 1 }));
      expect(record.payloadText, key).to.equal(undefined);
      const head = { _id: record.id, _rev: '2-stored' };
      expect(JSON.parse(documentText(record, head)), key).to.deep.equal({ ...toDocument(record), ...head });
    }
  });

  it('takes the text only from a message wharf wrote (its header), never from another producer\'s', () => {
    const message = toMessage(wire({ a: 1 }));
    expect(fromMessage(Buffer.from(message.value), 0, '1').payloadText, 'no headers').to.equal(undefined);
    expect(fromMessage(Buffer.from(message.value), 0, '1', { 'wharf-source': 'orders' }).payloadText, 'another header').to.equal(undefined);
    const pretty = '{"id":"orders:7","source":"orders","ingestedAt":"2026-11-30T20:00:00.000Z","payload":{ "a": 1,\n "b": " x " }}';
    const record = fromMessage(Buffer.from(pretty), 0, '1', message.headers);
    expect(record.payloadText, 'whitespace a parse would drop').to.equal(undefined);
    expect(JSON.parse(documentText(record))).to.deep.equal(toDocument(record));
  });

  it('keeps the text out of copies and printed records, and forgets it when the payload is replaced', () => {
    const record = consumed(wire({ a: 1 }));
    expect(Object.keys(record)).not.to.include('payloadText');
    expect(JSON.parse(JSON.stringify(record))).not.to.have.property('payloadText');
    expect({ ...record }.payloadText, 'a copy takes the object path').to.equal(undefined);
    record.payload = { a: 2 };
    expect(record.payloadText).to.equal(undefined);
    expect(JSON.parse(documentText(record))).to.deep.equal(toDocument(record));
    expect(toDocument(record)).to.include({ a: 2 });
  });

  it('falls back for a tombstone and for an envelope whose payload is not its last member', () => {
    const tombstone = consumed(wire({}, { deleted: true }));
    expect(tombstone.payloadText).to.equal(undefined);
    expect(JSON.parse(documentText(tombstone))).to.deep.equal(toDocument(tombstone));
    // The member order of messages written before the payload went last.
    const older = JSON.stringify({ id: 'orders:7', source: 'orders', ingestedAt: '2026-11-30T20:00:00.000Z', payload: { a: 1 }, version: '5' });
    const record = fromMessage(Buffer.from(older), 0, '9');
    expect(record.payloadText).to.equal(undefined);
    expect(JSON.parse(documentText(record))).to.deep.equal(toDocument(record));
  });

  it('takes no text from an envelope of another shape', () => {
    expect(payloadTextOf('{"id":"x","payload":{"a":1},"payload":{"b":2}}'), 'duplicate member').to.equal(undefined);
    expect(payloadTextOf('{"id":"x","meta":{"q":1,"payload":{"c":3}},"payload":{"b":2}}'), 'nested member first').to.equal(undefined);
    expect(payloadTextOf('{"id":"x","payload":[1,2]}'), 'not an object').to.equal(undefined);
    expect(payloadTextOf('{"id":"x","payload":{"s":"unterminated}'), 'unterminated string').to.equal(undefined);
    expect(payloadTextOf('{"id":"x","payload":{ }}'), 'whitespace').to.equal(undefined);
    expect(payloadTextOf('{"id":"x","payload":{"a":{"b":1}}}')).to.equal('{"a":{"b":1}}');
  });
});
