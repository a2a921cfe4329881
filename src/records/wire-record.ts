/**
 * How a record travels through Kafka: key = record id ("<source id>:<upstream id>", so all
 * versions of a record land on one partition, in order), value = this JSON envelope.
 */
import type { SinkRecord } from './sink-record';
import { isVersion } from './version';

export interface WireRecord {
  id: string;
  source: string;
  ingestedAt: string;
  payload: Record<string, unknown>;
  /**
   * The record's version (version.ts), only when it was assigned before this message: a record
   * `wharf dlq replay` produced again keeps the one it first had. Absent, the offset is it.
   */
  version?: string;
  /**
   * A tombstone: the upstream deleted the record. Its payload is empty; it travels and is
   * versioned like any write, so in every sink a deletion beats older writes and loses to newer
   * ones (docs/deletions.md).
   */
  deleted?: true;
}

/** A message as wharf hands it to Kafka. */
export interface WireMessage {
  key: string;
  value: string | Buffer;
  headers?: Record<string, string>;
}

export function recordId(source: string, upstreamId: string): string {
  return `${source}:${upstreamId}`;
}

/** Whether a message's key (its record id) belongs to `source`: a filter that parses nothing. */
export function isKeyOfSource(key: Buffer | null, source: string): boolean {
  const prefix = recordId(source, '');
  return key !== null && key.length > prefix.length && key.subarray(0, prefix.length).toString() === prefix;
}

/** The wire record a consumed record came from, with its version: re-sent later, it must not beat newer data. */
export function toWireRecord(record: SinkRecord): WireRecord {
  const wire: WireRecord = { id: record.id, source: record.source, ingestedAt: record.ingestedAt, payload: record.payload, version: record.version };
  if (record.deleted) wire.deleted = true;
  return wire;
}

/**
 * The payload goes last in the envelope, so that a consumer can take its text as it is
 * (`payloadTextOf`) and splice it into documents instead of serializing it again.
 */
export function toMessage(record: WireRecord): WireMessage {
  const envelope: Record<string, unknown> = { id: record.id, source: record.source, ingestedAt: record.ingestedAt };
  if (record.version !== undefined) envelope.version = record.version;
  if (record.deleted) envelope.deleted = true;
  envelope.payload = record.payload;
  return { key: record.id, value: JSON.stringify(envelope), headers: { 'wharf-source': record.source, [ENVELOPE_HEADER]: PAYLOAD_LAST } };
}

/**
 * Says the value is toMessage's JSON.stringify output with the payload last: only such text is
 * taken as it is. Another producer's text may hold what a parse normalizes (whitespace,
 * duplicate members, numbers out of range), which must not reach the sinks unparsed.
 */
const ENVELOPE_HEADER = 'wharf-envelope';
const PAYLOAD_LAST = 'payload-last';

/** Whether a parsed value is a wharf record envelope (a consumed message, or a dead letter's record). */
export function isWireRecord(value: unknown): value is WireRecord {
  const record = value as Partial<WireRecord> | null;
  return (
    typeof record === 'object' &&
    record !== null &&
    typeof record.id === 'string' &&
    typeof record.source === 'string' &&
    typeof record.payload === 'object' &&
    record.payload !== null &&
    (record.version === undefined || isVersion(record.version)) &&
    (record.deleted === undefined || record.deleted === true)
  );
}

/**
 * Parses a consumed message (its version: its own, else its offset); throws with a reason when it
 * is not a wharf record. With the headers of a message toMessage wrote, the record keeps its
 * payload's text for the writers (keepTextOnly).
 */
export function fromMessage(value: Buffer | null, partition: number, offset: string, headers?: Readonly<Record<string, unknown>>): SinkRecord {
  if (!value) throw new Error('message has no value');
  const text = value.toString();
  const parsed = JSON.parse(text) as unknown;
  if (!isWireRecord(parsed)) throw new Error('message is not a wharf record envelope');
  const version = parsed.version ?? offset;
  const record: SinkRecord = { id: parsed.id, source: parsed.source, ingestedAt: String(parsed.ingestedAt), payload: parsed.payload, partition, offset, version, wireBytes: value.length };
  if (parsed.deleted) record.deleted = true;
  else if (String(headers?.[ENVELOPE_HEADER]) === PAYLOAD_LAST && !hasDocumentKey(parsed.payload)) keepTextOnly(record, payloadTextOf(text));
  return record;
}

/**
 * Keeps the payload as its text, parsed again only if something asks for the object (a dead
 * letter, a comparison; the writers splice the text). A batch's records live for seconds: as
 * objects a 1 KB payload is several KB of heap that survives into the old generation; as text
 * it is one string, and the parse above is short-lived garbage.
 */
function keepTextOnly(record: SinkRecord, payloadText: string | undefined): void {
  if (payloadText === undefined) return;
  // Not enumerable: a copy ({...record}), a printed record (wharf tap) or a dead letter carries the payload once, as its object.
  Object.defineProperty(record, 'payloadText', { value: payloadText, enumerable: false, configurable: true, writable: true });
  let payload: Record<string, unknown> | undefined;
  Object.defineProperty(record, 'payload', {
    enumerable: true,
    configurable: true,
    get: () => (payload ??= JSON.parse(payloadText) as Record<string, unknown>),
    set: (value: Record<string, unknown>) => {
      payload = value;
      delete record.payloadText; // the text no longer says this payload
    },
  });
}

/**
 * Members a document sets itself: `wharf` (document.ts) and, in CouchDB, every top-level member
 * beginning with "_". A payload holding one keeps its object, which document.ts overrides and the
 * CouchDB writer refuses (couchReservedMembers): its text is never spliced.
 */
function hasDocumentKey(payload: Record<string, unknown>): boolean {
  // for...in allocates no key array (this runs for every consumed message); a parsed object has no inherited keys.
  for (const key in payload) if (key === 'wharf' || key.charCodeAt(0) === 0x5f /* _ */) return true;
  return false;
}

const PAYLOAD_MEMBER = ',"payload":';

/**
 * The text of a valid envelope's payload when it is the envelope's last member (toMessage puts
 * it there; older messages may not have): the first `,"payload":` (it cannot occur inside a
 * string, where `"` is escaped) followed by exactly one object that the envelope's closing brace
 * ends. One scan of the text, no second parse; undefined when the shape is otherwise.
 */
export function payloadTextOf(text: string): string | undefined {
  const start = text.indexOf(PAYLOAD_MEMBER) + PAYLOAD_MEMBER.length;
  if (start < PAYLOAD_MEMBER.length || text.charCodeAt(start) !== 0x7b /* { */ || text.charCodeAt(text.length - 1) !== 0x7d) return undefined;
  const end = text.length - 1; // the envelope's closing brace
  let depth = 0;
  for (let i = start; i < end; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x22 /* " */) {
      for (i++; i < end && text.charCodeAt(i) !== 0x22; i++) if (text.charCodeAt(i) === 0x5c /* \ */) i++;
    } else if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) {
      return undefined; // JSON.stringify writes none: not text toMessage wrote
    } else if (c === 0x7b || c === 0x5b) depth++;
    else if (c === 0x7d || c === 0x5d) {
      depth--;
      if (depth === 0) return i === end - 1 ? text.slice(start, end) : undefined;
    }
  }
  return undefined;
}
