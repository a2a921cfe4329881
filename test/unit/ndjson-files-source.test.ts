/**
 * The ndjson-files source on a real temporary directory: appended lines, a partial last line,
 * new files oldest first, rotation by rename, copytruncate, oversized and malformed lines, ids
 * from idField or position, resuming from a stored cursor without gap or duplicate, CRLF, UTF-8
 * split between reads, and I/O errors as retriable errors.
 */
import { expect } from 'chai';
import { linkSync } from 'node:fs';
import { NdjsonFilesSourceSchema } from '../../src/sources/ndjson-files/config';
import { globToRegExp } from '../../src/sources/ndjson-files/file-glob';
import { NdjsonFilesSource } from '../../src/sources/ndjson-files/source';
import { InvalidCursorError, SourceUnavailableError } from '../../src/sources/source-adapter';
import { drain, NdjsonDir } from '../helpers/ndjson-dir';

const POSITION_ID = /^[0-9a-f]{16}(~\d+)?(\.\d+)?:\d+$/;

function source(path: string, extra: object = {}): NdjsonFilesSource {
  return new NdjsonFilesSource(NdjsonFilesSourceSchema.parse({ id: 'logs', type: 'ndjson-files', path, ...extra }));
}

const rows = (from: number, count: number) => Array.from({ length: count }, (_, i) => ({ id: from + i, msg: `row ${from + i}` }));
const ns = (page: { records: { payload: Record<string, unknown> }[] }) => page.records.map((r) => r.payload.id);
/** The cursor's entries without their machine hint and tail fingerprint. */
const filesOf = (cursor: string | null) =>
  Object.values((JSON.parse(cursor!) as { files: Record<string, { name: string; offset: number; gen?: number; ino?: string; tail?: string }> }).files).map(
    ({ ino: _ino, tail: _tail, ...position }) => position,
  );

async function rejection(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (err) {
    return err as Error;
  }
  throw new Error('expected a rejection');
}

describe('ndjson-files source (real filesystem)', () => {
  let dir: NdjsonDir;
  beforeEach(() => (dir = new NdjsonDir()));
  afterEach(() => dir.cleanup());

  it('reads appended lines once, and answers "nothing new" with the same cursor', async () => {
    const logs = source(dir.path, { idField: 'id' });
    expect(await logs.fetch(null)).to.deep.equal({ records: [], malformed: [], nextCursor: null });
    dir.append('a.ndjson', rows(1, 3));
    const first = await drain(logs, null);
    expect(ns(first)).to.deep.equal([1, 2, 3]);
    expect(first.records.map((r) => r.upstreamId)).to.deep.equal(['1', '2', '3']);
    expect(await logs.fetch(first.nextCursor)).to.deep.equal({ records: [], malformed: [], nextCursor: first.nextCursor });

    dir.append('a.ndjson', rows(4, 2));
    const second = await drain(logs, first.nextCursor);
    expect(ns(second)).to.deep.equal([4, 5]);
    expect(filesOf(second.nextCursor)).to.deep.equal([{ name: 'a.ndjson', offset: 5 * (JSON.stringify(rows(1, 1)[0]).length + 1) }]);
  });

  it('leaves a last line without its newline for later, and a file without a complete first line unread', async () => {
    const logs = source(dir.path);
    dir.write('a.ndjson', '{"id":1}\n{"id":');
    dir.write('b.ndjson', '{"id":"first line still being written"');
    const first = await logs.fetch(null);
    expect(ns(first)).to.deep.equal([1]);
    expect(filesOf(first.nextCursor)).to.deep.equal([{ name: 'a.ndjson', offset: 9 }]);

    dir.appendRaw('a.ndjson', '2}\n');
    dir.appendRaw('b.ndjson', '}\n');
    const second = await drain(logs, first.nextCursor);
    expect(second.records.map((r) => [r.payload.id, r.upstreamId.split(':')[1]])).to.deep.equal([
      [2, '9'],
      ['first line still being written', '0'],
    ]);
  });

  it('reads files oldest first (modification time, then name), each in line order', async () => {
    dir.append('c.ndjson', rows(1, 2));
    dir.append('a.ndjson', rows(3, 2));
    dir.append('b.ndjson', rows(5, 2));
    dir.append('ignored.txt', rows(99, 1));
    dir.touch('c.ndjson', 1000);
    dir.touch('a.ndjson', 2000);
    dir.touch('b.ndjson', 2000);
    const page = await source(dir.path).fetch(null);
    expect(ns(page)).to.deep.equal([1, 2, 3, 4, 5, 6]);
  });

  it('follows rotation by rename: the renamed file to its end, then the new file from its start', async () => {
    const logs = source(dir.path, { pattern: 'app*.ndjson' });
    dir.append('app.ndjson', rows(1, 3));
    const first = await drain(logs, null);
    dir.append('app.ndjson', rows(4, 2)); // written just before the rotation, not read yet
    dir.rename('app.ndjson', 'app-1.ndjson');
    dir.append('app.ndjson', rows(6, 2));
    dir.touch('app-1.ndjson', 1000);
    const rotated = await drain(logs, first.nextCursor);
    expect(ns(rotated)).to.deep.equal([4, 5, 6, 7]);
    expect(filesOf(rotated.nextCursor).map((f) => f.name).sort()).to.deep.equal(['app-1.ndjson', 'app.ndjson']);

    dir.remove('app-1.ndjson');
    const after = await drain(logs, rotated.nextCursor);
    expect(after.records).to.deep.equal([]);
    expect(filesOf(after.nextCursor).map((f) => f.name)).to.deep.equal(['app.ndjson']);
  });

  it('reads a file truncated in place (copytruncate) from its start, under ids distinct from the old content', async () => {
    const logs = source(dir.path);
    dir.append('app.ndjson', rows(1, 3));
    const first = await drain(logs, null);

    // New content with another first line: another file to the cursor.
    dir.truncate('app.ndjson');
    const emptied = await drain(logs, first.nextCursor);
    expect(emptied.records).to.deep.equal([]);
    dir.append('app.ndjson', rows(10, 1));
    const rewritten = await drain(logs, emptied.nextCursor);
    expect(ns(rewritten)).to.deep.equal([10]);
    expect(rewritten.records[0].upstreamId).to.match(POSITION_ID).and.to.not.equal(first.records[0].upstreamId);

    // New content with the same first line: the same file, a new generation.
    dir.truncate('app.ndjson');
    const emptiedAgain = await drain(logs, rewritten.nextCursor);
    dir.append('app.ndjson', rows(10, 1));
    const again = await drain(logs, emptiedAgain.nextCursor);
    expect(ns(again)).to.deep.equal([10]);
    expect(again.records[0].upstreamId).to.equal(`${rewritten.records[0].upstreamId.split(':')[0]}.1:0`);
    expect(filesOf(again.nextCursor)).to.deep.equal([{ name: 'app.ndjson', offset: 25, gen: 1 }]);
  });

  it('dead-letters a line over maxRecordBytes with its first KiB, without holding it, and reads on', async () => {
    const logs = source(dir.path, { maxRecordBytes: 1000 });
    const huge = JSON.stringify({ id: 2, blob: 'x'.repeat(200_000) });
    dir.append('a.ndjson', [{ id: 1 }]);
    dir.appendRaw('a.ndjson', huge); // no newline yet: nothing is reported twice
    const first = await drain(logs, null);
    expect(ns(first)).to.deep.equal([1]);
    expect(first.malformed).to.deep.equal([]);

    dir.appendRaw('a.ndjson', '\n{"id":3}\n');
    const second = await drain(logs, first.nextCursor);
    expect(ns(second)).to.deep.equal([3]);
    expect(second.malformed).to.deep.equal([
      { raw: huge.slice(0, 1024), reason: `line of ${huge.length} bytes in a.ndjson at byte 9 exceeds maxRecordBytes 1000 (first 1024 bytes kept)` },
    ]);
  });

  it('reports each malformed line with the file, the byte offset and the reason, and skips blank lines', async () => {
    dir.write('a.ndjson', Buffer.concat([Buffer.from('{"id":1}\n\n   \n{"id":\n[1,2]\n42\n'), Buffer.from([0xff, 0xfe, 0x0a]), Buffer.from('{"id":2}\n')]));
    const page = await source(dir.path).fetch(null);
    expect(ns(page)).to.deep.equal([1, 2]);
    expect(page.malformed.map((m) => [m.raw, m.reason.replace(/: .*/, '')])).to.deep.equal([
      ['{"id":', 'invalid JSON in a.ndjson at byte 14'],
      ['[1,2]', 'line in a.ndjson at byte 21 is not a JSON object'],
      ['42', 'line in a.ndjson at byte 27 is not a JSON object'],
      ['\ufffd\ufffd', 'line in a.ndjson at byte 30 is not valid UTF-8'],
    ]);
  });

  it('uses idField when present and the line position otherwise', async () => {
    dir.append('a.ndjson', [{ id: 'order-7' }, { id: 8 }, { other: true }, { id: '' }]);
    const withField = await source(dir.path, { idField: 'id' }).fetch(null);
    const [a, b, c, d] = withField.records.map((r) => r.upstreamId);
    expect([a, b]).to.deep.equal(['order-7', '8']);
    expect(c).to.match(POSITION_ID).and.to.match(/:26$/);
    expect(d).to.match(/:41$/);

    const positional = await source(dir.path).fetch(null);
    const identity = c.split(':')[0];
    expect(positional.records.map((r) => r.upstreamId)).to.deep.equal([`${identity}:0`, `${identity}:17`, `${identity}:26`, `${identity}:41`]);
    // Deterministic: another instance reading the same file gives the same ids.
    expect((await source(dir.path).fetch(null)).records.map((r) => r.upstreamId)).to.deep.equal(positional.records.map((r) => r.upstreamId));
  });

  it('resumes exactly from a stored cursor, page by page, while files grow and rotate: no gap, no duplicate', async () => {
    const seen: unknown[] = [];
    let cursor: string | null = null;
    let next = 1;
    const write = (name: string, count: number) => {
      dir.append(name, rows(next, count));
      next += count;
    };
    write('app.ndjson', 700);
    write('other.ndjson', 400);
    for (let round = 0; round < 12; round++) {
      // A fresh adapter each page, as after a restart: all it knows is the stored cursor.
      const page = await source(dir.path, { pattern: '*.ndjson*', maxBatchRecords: 250 }).fetch(cursor);
      seen.push(...ns(page));
      cursor = page.nextCursor;
      if (round === 2) write('app.ndjson', 150);
      if (round === 4) {
        dir.rename('app.ndjson', 'app.ndjson.1');
        write('app.ndjson', 120);
      }
    }
    expect(seen).to.have.length(next - 1);
    expect([...seen].sort((x, y) => Number(x) - Number(y))).to.deep.equal(Array.from({ length: next - 1 }, (_, i) => i + 1));
  });

  it('keeps a page within maxBatchBytes, always taking at least one line', async () => {
    dir.append('a.ndjson', rows(100, 100)); // lines of 26 bytes without their newline
    const page = await source(dir.path, { maxBatchBytes: 1024 }).fetch(null);
    expect(ns(page)).to.have.length(Math.ceil(1024 / 26));
    dir.append('b.ndjson', [{ id: 'big', blob: 'x'.repeat(3000) }, { id: 'next' }]);
    dir.touch('b.ndjson', 1000);
    expect(ns(await source(dir.path, { maxBatchBytes: 1024 }).fetch(null))).to.deep.equal(['big']);
  });

  it('handles CRLF line endings and UTF-8 characters split between two reads', async () => {
    dir.write('crlf.ndjson', '{"id":1}\r\n{"id":2}\r\n');
    // The euro sign's three bytes straddle the reader's 64 KiB chunk boundary.
    const text = `${'a'.repeat(65_536 - '{"id":3,"t":"'.length - 1)}€ünïcødé 🚀`;
    dir.append('utf8.ndjson', [{ id: 3, t: text }]);
    dir.touch('utf8.ndjson', 5_000_000_000);
    const page = await drain(source(dir.path), null);
    expect(page.malformed).to.deep.equal([]);
    expect(page.records.map((r) => r.payload)).to.deep.equal([{ id: 1 }, { id: 2 }, { id: 3, t: text }]);
    expect(page.records[1].upstreamId).to.match(/:10$/);
  });

  it('reads a hard-linked file once', async () => {
    dir.append('a.ndjson', rows(1, 2));
    linkSync(dir.file('a.ndjson'), dir.file('b.ndjson'));
    expect(ns(await source(dir.path).fetch(null))).to.deep.equal([1, 2]);
  });

  it('fails retriably, naming the path, when the directory is missing or not a directory', async () => {
    const missing = await rejection(source(`${dir.path}/nope`).fetch(null));
    expect(missing).to.be.instanceOf(SourceUnavailableError).with.property('retriable', true);
    expect(missing.message).to.match(new RegExp(`^source logs: cannot list directory ${dir.path}/nope: ENOENT`));
    dir.append('a.ndjson', rows(1, 1));
    const notDirectory = await rejection(source(dir.file('a.ndjson')).fetch(null));
    expect(notDirectory.message).to.contain('ENOTDIR');
  });

  it('refuses more files than maxFiles, and a cursor it did not write', async () => {
    dir.append('a.ndjson', rows(1, 1));
    dir.append('b.ndjson', rows(2, 1));
    const tooMany = await rejection(source(dir.path, { maxFiles: 1 }).fetch(null));
    expect(tooMany).to.be.instanceOf(SourceUnavailableError);
    expect(tooMany.message).to.contain('2 files in').and.to.contain('more than maxFiles 1');
    const foreign = await rejection(source(dir.path).fetch('1026'));
    expect(foreign).to.be.instanceOf(InvalidCursorError).with.property('retriable', false);
  });

  it('configures with defaults, and refuses a relative path or a pattern with a slash', () => {
    expect(NdjsonFilesSourceSchema.parse({ id: 'logs', type: 'ndjson-files', path: '/var/log/app' })).to.deep.equal({
      id: 'logs',
      type: 'ndjson-files',
      path: '/var/log/app',
      pattern: '*.ndjson',
      intervalMs: 1000,
      maxRecordBytes: 1024 * 1024,
      maxBatchRecords: 1000,
      maxBatchBytes: 4 * 1024 * 1024,
      maxFiles: 1000,
    });
    const issues = NdjsonFilesSourceSchema.safeParse({ id: 'logs', type: 'ndjson-files', path: 'logs', pattern: 'a/*.ndjson' }).error!.issues;
    expect(issues.map((i) => `${i.path.join('.')}: ${i.message}`)).to.deep.equal([
      'path: expected an absolute directory path',
      'pattern: expected a file-name glob without "/", e.g. "*.ndjson"',
    ]);
  });

  it('matches file names by glob: * any run, ? one character, the rest literal', () => {
    const re = globToRegExp('app-??.nd*json');
    expect(['app-01.ndjson', 'app-ab.nd.old.json'].map((n) => re.test(n))).to.deep.equal([true, true]);
    expect(['app-1.ndjson', 'app-01.ndjsonx', 'xapp-01.ndjson', 'app-01-ndjson'].some((n) => re.test(n))).to.equal(false);
    expect(globToRegExp('a(1)+[b].log').test('a(1)+[b].log')).to.equal(true);
  });
});
