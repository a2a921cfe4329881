/**
 * An ndjson-files source handed over to another machine, simulated on a real filesystem: the
 * directory copied (new inodes, same content and modification times) and followed with the
 * original's cursor. No line is produced twice, the lines left are produced under the ids the
 * original machine would have given them, new lines get new ids, and a version 1 cursor is
 * migrated without reading a file again on its own machine.
 */
import { expect } from 'chai';
import { createHash } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { NdjsonFilesSourceSchema } from '../../src/sources/ndjson-files/config';
import { NdjsonFilesSource } from '../../src/sources/ndjson-files/source';
import { drain, NdjsonDir } from '../helpers/ndjson-dir';

const HEADER = { schema: 'events/v1' };
const rows = (from: number, count: number) => Array.from({ length: count }, (_, i) => ({ n: from + i }));

function source(path: string, extra: object = {}): NdjsonFilesSource {
  return new NdjsonFilesSource(NdjsonFilesSourceSchema.parse({ id: 'logs', type: 'ndjson-files', path, pattern: '*.ndjson*', ...extra }));
}

const ids = (page: { records: { upstreamId: string }[] }) => page.records.map((r) => r.upstreamId);
const inode = (path: string) => statSync(path).ino;

/** Two files with the same first line (a header), one without; read partly, up to the middle of app.ndjson. */
async function partlyRead(dir: NdjsonDir): Promise<{ ids: string[]; cursor: string | null }> {
  dir.append('app.ndjson.1', [HEADER, ...rows(1, 300)]);
  dir.append('app.ndjson', [HEADER, ...rows(301, 100)]);
  dir.append('other.ndjson', rows(401, 100));
  dir.touch('app.ndjson.1', 1000);
  dir.touch('app.ndjson', 2000);
  dir.touch('other.ndjson', 3000);
  const seen: string[] = [];
  let cursor: string | null = null;
  for (let page = 0; page < 4; page++) {
    const read = await source(dir.path, { maxBatchRecords: 100 }).fetch(cursor);
    seen.push(...ids(read));
    cursor = read.nextCursor;
  }
  return { ids: seen, cursor };
}

describe('ndjson-files source handed over to another machine (copied directory)', () => {
  const dirs: NdjsonDir[] = [];
  const newDir = () => {
    const dir = new NdjsonDir();
    dirs.push(dir);
    return dir;
  };
  afterEach(() => dirs.splice(0).forEach((d) => d.cleanup()));

  it('resumes a copy at the cursor\'s offsets: no line twice, the same ids as on the original, new ids for new lines', async () => {
    const original = newDir();
    const before = await partlyRead(original);
    expect(before.ids).to.have.length(400);
    const copy = original.copy();
    dirs.push(copy);
    expect(inode(copy.file('app.ndjson'))).to.not.equal(inode(original.file('app.ndjson')));

    const onOriginal = await drain(source(original.path), before.cursor);
    const onCopy = await drain(source(copy.path), before.cursor);
    expect(onCopy.records).to.deep.equal(onOriginal.records);
    expect(onCopy.records.map((r) => r.payload.n)).to.deep.equal(rows(399, 102).map((r) => r.n));
    const all = [...before.ids, ...ids(onCopy)];
    expect(new Set(all).size).to.equal(502);
    // The same content read from scratch elsewhere gives the same ids too.
    expect(ids(await drain(source(newDir().path), null))).to.deep.equal([]);
    expect(ids(await drain(source(copy.copy().path), null)).sort()).to.deep.equal([...all].sort());

    copy.append('app.ndjson', rows(501, 10));
    const appended = await drain(source(copy.path), onCopy.nextCursor);
    expect(appended.records.map((r) => r.payload.n)).to.deep.equal(rows(501, 10).map((r) => r.n));
    expect(ids(appended).filter((id) => all.includes(id))).to.deep.equal([]);
  });

  it('recognises the files of a copy rotated during the hand-over by their content, not their names', async () => {
    const original = newDir();
    const before = await partlyRead(original);
    const onOriginal = await drain(source(original.path), before.cursor);
    const rotated = original.copy();
    dirs.push(rotated);
    rotated.rename('app.ndjson.1', 'app.ndjson.2');
    rotated.rename('app.ndjson', 'app.ndjson.1');
    rotated.append('app.ndjson', [HEADER, ...rows(601, 5)]);
    rotated.touch('app.ndjson', 4000);
    const onRotated = await drain(source(rotated.path), before.cursor);
    expect(onRotated.records.slice(0, -6)).to.deep.equal(onOriginal.records);
    const fresh = onRotated.records.slice(-6);
    expect(fresh.map((r) => r.payload)).to.deep.equal([HEADER, ...rows(601, 5)]);
    expect(fresh.map((r) => r.upstreamId).filter((id) => before.ids.includes(id) || ids(onOriginal).includes(id))).to.deep.equal([]);
  });

  it('gives two files with identical first lines distinct ids', async () => {
    const dir = newDir();
    dir.append('a.ndjson', [HEADER, { n: 1 }]);
    dir.append('b.ndjson', [HEADER, { n: 1 }]);
    const read = ids(await drain(source(dir.path), null));
    expect(read).to.have.length(4);
    expect(new Set(read).size).to.equal(4);
  });

  it('migrates a version 1 cursor: on its machine nothing is read again and ids keep their old form; elsewhere a file under its old name resumes', async () => {
    const dir = newDir();
    dir.append('a.ndjson', rows(11, 10));
    dir.append('b.ndjson', rows(21, 10));
    const v1Key = (name: string) => {
      const { dev, ino } = statSync(dir.file(name), { bigint: true });
      const content = readFileSync(dir.file(name));
      return `${dev}-${ino}-${createHash('sha256').update(content.subarray(0, content.indexOf(0x0a) + 1)).digest('hex').slice(0, 16)}`;
    };
    const half = statSync(dir.file('a.ndjson')).size / 2; // rows of equal length: the end of row 5
    const v1 = JSON.stringify({ v: 1, files: { [v1Key('a.ndjson')]: { name: 'a.ndjson', offset: half }, [v1Key('b.ndjson')]: { name: 'b.ndjson', offset: statSync(dir.file('b.ndjson')).size } } });

    const here = await drain(source(dir.path), v1);
    expect(here.records.map((r) => [r.payload.n, r.upstreamId])).to.deep.equal(rows(16, 5).map((r, i) => [r.n, `${v1Key('a.ndjson')}:${half + i * (half / 5)}`]));
    expect((JSON.parse(here.nextCursor!) as { v: number }).v).to.equal(2);

    const elsewhere = dir.copy();
    dirs.push(elsewhere);
    elsewhere.rename('b.ndjson', 'b.ndjson.1'); // an old entry has no tail: under another name, its file is read again
    const there = await drain(source(elsewhere.path), v1);
    expect(there.records.map((r) => r.payload.n)).to.deep.equal([...rows(16, 5), ...rows(21, 10)].map((r) => r.n));
  });
});
