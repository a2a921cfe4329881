/**
 * The ndjson-files identity rules without a filesystem: which cursor entry a scanned file is (by
 * inode on this machine, by fingerprint and tail elsewhere), the keys of new files with identical
 * first lines, and the version 1 cursor's migration.
 */
import { expect } from 'chai';
import { formatCursor, parseCursor, type NdjsonCursor } from '../../src/sources/ndjson-files/cursor';
import { fingerprintOf, isBareKey, matchFiles } from '../../src/sources/ndjson-files/file-identity';
import type { ScannedFile } from '../../src/sources/ndjson-files/file-scan';

const FP = 'aaaaaaaaaaaaaaaa';
const OTHER_FP = 'bbbbbbbbbbbbbbbb';

const scanned = (name: string, inode: string, size: number, fingerprint = FP): ScannedFile => ({ name, inode, size, fingerprint, path: `/d/${name}`, mtimeNs: 0n });
/** Tails as the files would give them: `<name>@<offset>`. */
const tails = async (file: ScannedFile, offset: number) => Promise.resolve(`${file.name}@${offset}`);
const noTails = () => Promise.reject(new Error('no tail should be read'));

async function match(cursor: string | null, files: ScannedFile[], pending = new Map<string, number>()) {
  const { cursor: next, keyOf } = await matchFiles(parseCursor('logs', cursor), { files, pending }, tails);
  return { keys: files.map((f) => keyOf.get(f)), cursor: JSON.parse(formatCursor(next, isBareKey)) as unknown };
}

describe('ndjson-files identity rules', () => {
  it('reads the fingerprint out of every key form', () => {
    expect([FP, `${FP}~12`, `2049-131-${FP}`].map(fingerprintOf)).to.deep.equal([FP, FP, FP]);
    expect([FP, `${FP}~1`, `2049-131-${FP}`].map(isBareKey)).to.deep.equal([true, false, false]);
  });

  it('follows a renamed file on this machine by its inode, without reading a tail', async () => {
    const cursor = JSON.stringify({ v: 2, files: { [FP]: { name: 'app.ndjson', offset: 50, ino: '1-7', tail: 'x' } } });
    const rotated = [scanned('app.ndjson.1', '1-7', 80), scanned('app.ndjson', '1-8', 30)];
    const { cursor: next, keyOf } = await matchFiles(parseCursor('logs', cursor), { files: rotated, pending: new Map() }, noTails);
    expect(rotated.map((f) => keyOf.get(f))).to.deep.equal([FP, `${FP}~1`]);
    expect(next.files.get(FP)).to.deep.equal({ name: 'app.ndjson.1', offset: 50, generation: 0, inode: '1-7', tail: 'x' });
  });

  it('recognises files on another machine by fingerprint, length and tail, trying the entry\'s name first', async () => {
    const cursor = JSON.stringify({
      v: 2,
      seq: 1,
      files: {
        [FP]: { name: 'app.ndjson.1', offset: 50, ino: '1-7', tail: 'app.ndjson.1@50' },
        [`${FP}~1`]: { name: 'app.ndjson', offset: 20, ino: '1-8', tail: 'app.ndjson@20' },
      },
    });
    const { keys, cursor: next } = await match(cursor, [scanned('app.ndjson', '9-1', 30), scanned('app.ndjson.1', '9-2', 50)]);
    expect(keys).to.deep.equal([`${FP}~1`, FP]);
    expect(next).to.deep.equal({
      v: 2,
      seq: 1,
      files: {
        [FP]: { name: 'app.ndjson.1', offset: 50, ino: '9-2', tail: 'app.ndjson.1@50' },
        [`${FP}~1`]: { name: 'app.ndjson', offset: 20, ino: '9-1', tail: 'app.ndjson@20' },
      },
    });
  });

  it('takes a file shorter than the offset, or with another tail, for a new file under a new key', async () => {
    const cursor = JSON.stringify({ v: 2, files: { [FP]: { name: 'a.ndjson', offset: 50, ino: '1-7', tail: 'elsewhere@50' } } });
    const { keys, cursor: next } = await match(cursor, [scanned('a.ndjson', '9-1', 80), scanned('b.ndjson', '9-2', 40)]);
    expect(keys).to.deep.equal([`${FP}~1`, `${FP}~2`]);
    expect(next).to.deep.equal({ v: 2, seq: 2, files: { [`${FP}~1`]: { name: 'a.ndjson', offset: 0, ino: '9-1' }, [`${FP}~2`]: { name: 'b.ndjson', offset: 0, ino: '9-2' } } });
  });

  it('keys new files with identical first lines apart, and never gives a number twice', async () => {
    const first = await matchFiles(parseCursor('logs', null), { files: [scanned('a', '1-1', 9), scanned('b', '1-2', 9), scanned('c', '1-3', 9, OTHER_FP)], pending: new Map() }, tails);
    expect([...first.keyOf.values()]).to.deep.equal([FP, `${FP}~1`, OTHER_FP]);
    // b (~1) left; a file with a's first line again is ~2, not ~1.
    first.cursor.files.delete(`${FP}~1`);
    const second = await matchFiles(first.cursor, { files: [scanned('a', '1-1', 9), scanned('d', '1-4', 9)], pending: new Map() }, tails);
    expect([...second.keyOf.values()]).to.deep.equal([FP, `${FP}~2`]);
  });

  it('keeps the entry of a file emptied in place, truncated, and drops the entry of a file gone', async () => {
    const cursor = JSON.stringify({ v: 2, files: { [FP]: { name: 'a', offset: 50, ino: '1-7', tail: 't' }, [OTHER_FP]: { name: 'b', offset: 9, ino: '1-8', tail: 't' } } });
    const { cursor: next } = await match(cursor, [], new Map([['1-7', 0]]));
    expect(next).to.deep.equal({ v: 2, files: { [FP]: { name: 'a', offset: 0, gen: 1, ino: '1-7' } } });
  });

  it('migrates a version 1 cursor: keys kept (and so ids), dev-ino as the inode hint; elsewhere an entry needs its name', async () => {
    const v1 = JSON.stringify({ v: 1, files: { [`1-7-${FP}`]: { name: 'a', offset: 50 }, [`1-8-${OTHER_FP}`]: { name: 'b', offset: 9, gen: 2 } } });
    const parsed: NdjsonCursor = parseCursor('logs', v1);
    expect([...parsed.files]).to.deep.equal([
      [`1-7-${FP}`, { name: 'a', offset: 50, generation: 0, inode: '1-7' }],
      [`1-8-${OTHER_FP}`, { name: 'b', offset: 9, generation: 2, inode: '1-8' }],
    ]);
    const here = await match(v1, [scanned('a.renamed', '1-7', 60), scanned('b', '1-8', 9, OTHER_FP)]);
    expect(here.keys).to.deep.equal([`1-7-${FP}`, `1-8-${OTHER_FP}`]);
    const elsewhere = await match(v1, [scanned('a.renamed', '9-1', 60), scanned('b', '9-2', 9, OTHER_FP)]);
    expect(elsewhere.keys).to.deep.equal([`${FP}~1`, `1-8-${OTHER_FP}`]);
  });
});
