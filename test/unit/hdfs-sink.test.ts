/** The HDFS archive sink's pure rules: its configuration, its file names, its ledger, its encoding. */
import { expect } from 'chai';
import { gzipSync } from 'node:zlib';
import { parseConfig } from '../../src/config/load';
import { ConfigError } from '../../src/errors';
import { rangeProblems } from '../../src/replay/archive-ranges';
import { WebHdfsError, answerError } from '../../src/sinks/hdfs/answers';
import { decodeLines, encodeLines } from '../../src/sinks/hdfs/encoding';
import { fileKey, finalFile, parseArchivedName, parseIndexName, indexFile } from '../../src/sinks/hdfs/layout';
import { ledgerLine, parseLedger } from '../../src/sinks/hdfs/ledger';

const withArchive = (archive: Record<string, unknown>) => ({
  kafka: { brokers: ['127.0.0.1:9092'] },
  zookeeper: { connect: '127.0.0.1:2181' },
  sinks: [{ id: 'archive', type: 'hdfs', url: 'http://127.0.0.1:9870', path: '/wharf/archive', user: 'wharf', ...archive }],
});

function issuesOf(raw: unknown): string[] {
  try {
    parseConfig(raw, 'test.json', {});
  } catch (err) {
    expect(err).to.be.instanceOf(ConfigError);
    return (err as ConfigError).issues.map((i) => `${i.path}: ${i.message}`);
  }
  throw new Error('expected a ConfigError');
}

describe('hdfs archive sink (pure rules)', () => {
  it('accepts the documented sink and fills in its defaults', () => {
    const [sink] = parseConfig(withArchive({ path: '/wharf/archive/' }), 'test.json', {}).sinks;
    expect(sink).to.deep.equal({
      id: 'archive', type: 'hdfs', url: 'http://127.0.0.1:9870', path: '/wharf/archive', user: 'wharf',
      compression: 'gzip', rollBytes: 64 * 1024 * 1024, rollMs: 600_000, requestTimeoutMs: 30_000,
    });
  });

  it('check-config refuses bad keys, naming each', () => {
    expect(issuesOf(withArchive({ url: 'hdfs://127.0.0.1:8020', path: 'archive', user: '', rollMs: 10, compression: 'zstd', tls: { caFile: '/nonexistent/ca.pem' } }))).to.deep.equal([
      'sinks[0].url: expected an http:// or https:// URL, got "hdfs://127.0.0.1:8020"',
      'sinks[0].path: expected an absolute HDFS path of plain names, e.g. "/wharf/archive", got "archive"',
      'sinks[0].user: expected a user name, got ""',
      'sinks[0].tls.caFile: cannot read /nonexistent/ca.pem: ENOENT',
      'sinks[0].compression: invalid option: expected one of "gzip"|"none", got "zstd"',
      'sinks[0].rollMs: too small: expected number to be >=1000, got 10',
    ]);
    expect(issuesOf(withArchive({ path: '/wharf/../etc' }))).to.deep.equal(['sinks[0].path: expected a folder below the root, without "." or ".." parts']);
    expect(issuesOf(withArchive({ path: '/' }))).to.deep.equal(['sinks[0].path: expected a folder below the root, without "." or ".." parts']);
    expect(issuesOf(withArchive({ url: 'http://127.0.0.1:9870/?op=x' }))).to.deep.equal(['sinks[0].url: expected the NameNode\'s WebHDFS address without query, e.g. "http://127.0.0.1:9870"']);
  });

  it('names files by source, ingest day, topic, partition and the segment range, and reads the names back', () => {
    const paths = { root: '/wharf/archive', topic: 'wharf.records', partition: 3, extension: '.ndjson.gz' };
    const key = fileKey({ source: 'orders', ingestedAt: '2026-11-30T23:59:59.999Z' });
    expect(key).to.equal('orders/2026-11-30');
    const path = finalFile(paths, key, 7n, 1234n);
    expect(path).to.equal('/wharf/archive/orders/2026-11-30/wharf.records-3-00000000000000000007-00000000000000001234.ndjson.gz');
    expect(parseArchivedName(path.split('/').pop()!)).to.deep.equal({ topic: 'wharf.records', partition: 3, first: 7n, last: 1234n, compressed: true });
    expect(parseArchivedName('my-topic-0-00000000000000000000-00000000000000000009.ndjson')).to.deep.include({ topic: 'my-topic', partition: 0, compressed: false });
    expect(parseArchivedName('wharf.records-3-7-1234.ndjson.gz')).to.equal(null);
    expect(parseIndexName(indexFile(paths, 7n, 1234n).split('/').pop()!)).to.deep.equal({ first: 7n, last: 1234n });
    expect(parseIndexName('_index.json')).to.equal(null);
  });

  it('keeps the complete ledger lines only: a torn last line is a batch never acknowledged', () => {
    const a = ledgerLine({ first: '0', last: '9', at: 1, files: { 'orders/2026-11-30': [100, 10] } });
    const b = ledgerLine({ first: '10', last: '19', at: 2, files: { 'orders/2026-11-30': [180, 20] } });
    const text = `${a.toString()}${b.toString()}{"first":"20","la`;
    const parsed = parseLedger(text);
    expect(parsed.entries.map((e) => e.last)).to.deep.equal(['9', '19']);
    expect(parsed.bytes).to.equal(a.length + b.length);
    expect(parseLedger(`${a.toString()}not json\n${b.toString()}`).entries).to.have.length(1);
    expect(parseLedger('').entries).to.deep.equal([]);
  });

  it('encodes a batch as one gzip member; members appended read back as one stream', async () => {
    const first = await encodeLines(['{"a":1}', '{"a":2}'], 'gzip');
    const second = await encodeLines(['{"a":3}'], 'gzip');
    expect(decodeLines(Buffer.concat([first, second]), true)).to.deep.equal(['{"a":1}', '{"a":2}', '{"a":3}']);
    expect(decodeLines(gzipSync(''), true)).to.deep.equal([]);
    expect((await encodeLines([JSON.stringify({ 'é': 'ü' })], 'none')).toString()).to.equal('{"é":"ü"}\n');
  });

  it('tells an unusable cluster from a missing file from a bad request', () => {
    const remote = (exception: string, message = 'm\n\tat x.y(Z.java:1)') => ({ RemoteException: { exception, message } });
    const kind = (status: number, body: unknown) => answerError('CREATE', '/p', status, body).kind;
    expect(kind(403, remote('SafeModeException'))).to.equal('unavailable');
    expect(kind(403, remote('AccessControlException'))).to.equal('unavailable');
    expect(kind(403, remote('DSQuotaExceededException'))).to.equal('unavailable');
    expect(kind(403, remote('NSQuotaExceededException'))).to.equal('unavailable');
    expect(kind(404, remote('FileNotFoundException'))).to.equal('not-found');
    expect(kind(403, remote('FileAlreadyExistsException'))).to.equal('exists');
    expect(kind(403, remote('RecoveryInProgressException'))).to.equal('transient');
    expect(kind(403, remote('IOException'))).to.equal('transient');
    expect(kind(400, remote('IllegalArgumentException'))).to.equal('invalid');
    expect(kind(503, undefined)).to.equal('transient');
    expect(kind(404, undefined)).to.equal('unavailable');
    const err = answerError('CREATE', '/p', 403, remote('AccessControlException', 'Permission denied: user=x\n\tat org.Foo(Foo.java:1)'));
    expect(err).to.be.instanceOf(WebHdfsError);
    expect(err.retriable).to.equal(true);
    expect(err.message).to.contain('Permission denied: user=x').and.not.contain('Foo.java');
  });

  it('finds gaps, overlaps and what is not archived yet among a partition\'s segments', () => {
    const seg = (first: number, last: number) => ({ first: BigInt(first), last: BigInt(last) });
    const kafka = (from: number, to: number) => ({ from: BigInt(from), to: BigInt(to) });
    const shown = (problems: ReturnType<typeof rangeProblems>) => problems.map((p) => `${p.kind} ${p.from}-${p.to}`);
    expect(shown(rangeProblems([seg(10, 19), seg(0, 9), seg(20, 29)], kafka(0, 30)))).to.deep.equal([]);
    expect(shown(rangeProblems([seg(0, 9), seg(15, 29)], kafka(0, 30)))).to.deep.equal(['gap 10-14']);
    expect(shown(rangeProblems([seg(0, 9), seg(5, 12), seg(13, 29)], kafka(0, 30)))).to.deep.equal(['overlap 5-9']);
    expect(shown(rangeProblems([seg(0, 29), seg(3, 4)], kafka(0, 30)))).to.deep.equal(['overlap 3-4']);
    expect(shown(rangeProblems([seg(5, 9)], kafka(0, 20)))).to.deep.equal(['gap 0-4', 'behind 10-19']);
    // Older than the topic's retention: checked against each other only.
    expect(shown(rangeProblems([seg(0, 99), seg(100, 149)], kafka(120, 150)))).to.deep.equal([]);
    expect(shown(rangeProblems([], kafka(0, 5)))).to.deep.equal(['behind 0-4']);
    expect(shown(rangeProblems([], kafka(0, 0)))).to.deep.equal([]);
  });
});
