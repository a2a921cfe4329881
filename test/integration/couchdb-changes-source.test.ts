/**
 * The couchdb-changes source adapter against the real CouchDB-compatible server: pages that
 * resume from their cursor without duplicate or gap, updates as the new version, deletions as
 * deleted records, design documents skipped while the cursor advances, a longpoll that returns as soon as a
 * document is written and one that ends idle, and each kind of failure (credentials, missing
 * database, refused connection, hang, 5xx, HTML) as a retriable error saying what was wrong.
 */
import { expect } from 'chai';
import { createServer, type Server, type ServerResponse } from 'node:http';
import { createCouchdb } from '../../src/sinks/couchdb/client';
import { CouchdbChangesSourceSchema } from '../../src/sources/couchdb-changes/config';
import { CouchdbChangesSource } from '../../src/sources/couchdb-changes/source';
import { SourceUnavailableError, type SourcePage } from '../../src/sources/source-adapter';
import { localCouchdb } from '../helpers/local-stack';
import { uniqueName } from '../helpers/names';

type Doc = { _id: string; _rev?: string; [field: string]: unknown };

describe('couchdb-changes source (real pouchdb-server)', function () {
  this.timeout(60_000);
  const local = localCouchdb();
  const server = createCouchdb(local);
  const dbs: string[] = [];

  async function database(): Promise<string> {
    const db = uniqueName('changes-src');
    dbs.push(db);
    await server.db.create(db);
    return db;
  }

  function source(db: string, extra: object = {}): CouchdbChangesSource {
    const config = { id: 'couch', type: 'couchdb-changes', url: local.url, db, username: local.username, password: local.password, ...extra };
    return new CouchdbChangesSource(CouchdbChangesSourceSchema.parse(config));
  }

  /** Follows the feed from a cursor until a page brings nothing new; every page, in order. */
  async function drain(feed: CouchdbChangesSource, from: string | null): Promise<SourcePage[]> {
    const pages: SourcePage[] = [];
    for (let cursor = from; ; ) {
      const page = await feed.fetch(cursor);
      if (page.nextCursor === cursor) return pages;
      pages.push(page);
      cursor = page.nextCursor;
    }
  }

  after(async () => {
    for (const db of dbs) await server.db.destroy(db).catch(() => undefined);
  });

  it('pages through the feed from since=0; resuming from any returned cursor gives the rest, no duplicate and no gap', async () => {
    const db = await database();
    const docs = Array.from({ length: 25 }, (_, i) => ({ _id: `order-${String(i).padStart(2, '0')}`, amount: i, tags: ['a'], nested: { n: i } }));
    await server.use<Doc>(db).bulk({ docs });
    const feed = source(db, { batchSize: 10, longpollTimeoutMs: 500, requestTimeoutMs: 5000 });

    const pages = await drain(feed, null);
    expect(pages.map((p) => p.records.length)).to.deep.equal([10, 10, 5]);
    const records = pages.flatMap((p) => p.records);
    expect(records.map((r) => r.upstreamId)).to.have.members(docs.map((d) => d._id));
    const first = records.find((r) => r.upstreamId === 'order-07');
    expect(first?.payload).to.deep.equal({ amount: 7, tags: ['a'], nested: { n: 7 } });
    pages.forEach((p) => expect(p.nextCursor).to.be.a('string'));

    // A restart from the cursor saved after page 1 sees exactly pages 2 and 3 again.
    const resumed = await drain(feed, pages[0].nextCursor);
    expect(resumed.flatMap((p) => p.records)).to.deep.equal(pages.slice(1).flatMap((p) => p.records));
    expect(resumed.at(-1)?.nextCursor).to.equal(pages.at(-1)?.nextCursor);
  });

  it('delivers an update as the new version only and a deletion as a deleted record, skips design documents while advancing the cursor', async () => {
    const db = await database();
    const couch = server.use<Doc>(db);
    await couch.bulk({ docs: [{ _id: 'a', v: 1 }, { _id: 'b', v: 1 }] });
    const feed = source(db, { longpollTimeoutMs: 500, requestTimeoutMs: 5000 });
    const cursor = (await drain(feed, null)).at(-1)!.nextCursor;

    const a = await couch.get('a');
    await couch.insert({ ...a, v: 2, extra: 'x' });
    const update = await feed.fetch(cursor);
    expect(update.records).to.deep.equal([{ upstreamId: 'a', payload: { v: 2, extra: 'x' } }]);

    const b = await couch.get('b');
    await couch.destroy('b', b._rev);
    await couch.insert({ _id: '_design/reports', views: { byV: { map: 'function (doc) { emit(doc.v); }' } } });
    const skipped = await feed.fetch(update.nextCursor);
    expect(skipped.records).to.deep.equal([{ upstreamId: 'b', payload: {}, deleted: true }]);
    expect(skipped.malformed).to.deep.equal([]);
    expect(skipped.nextCursor).to.not.equal(update.nextCursor);
    expect(await feed.fetch(skipped.nextCursor)).to.deep.include({ records: [], nextCursor: skipped.nextCursor });

    const withDesign = await source(db, { includeDesignDocs: true, longpollTimeoutMs: 500, requestTimeoutMs: 5000 }).fetch(update.nextCursor);
    expect(withDesign.records.map((r) => r.upstreamId)).to.deep.equal(['b', '_design/reports']);
    expect(withDesign.records[1].payload).to.have.key('views');
  });

  it('waits server-side on an idle feed: returns as soon as a document is written, else ends idle at the same cursor', async () => {
    const db = await database();
    const couch = server.use<Doc>(db);
    await couch.insert({ _id: 'first', n: 1 });
    const cursor = (await drain(source(db, { longpollTimeoutMs: 500, requestTimeoutMs: 5000 }), null)).at(-1)!.nextCursor;

    const waiting = source(db, { longpollTimeoutMs: 20_000, requestTimeoutMs: 30_000 });
    const started = Date.now();
    const pending = waiting.fetch(cursor);
    await new Promise((r) => setTimeout(r, 700));
    await couch.insert({ _id: 'second', n: 2 });
    const page = await pending;
    expect(Date.now() - started).to.be.below(5000);
    expect(page.records).to.deep.equal([{ upstreamId: 'second', payload: { n: 2 } }]);
    expect(page.nextCursor).to.not.equal(cursor);

    const idleStarted = Date.now();
    const idle = await source(db, { longpollTimeoutMs: 1000, requestTimeoutMs: 10_000 }).fetch(page.nextCursor);
    expect(idle).to.deep.equal({ records: [], malformed: [], nextCursor: page.nextCursor });
    // Ended after the longpoll timeout (+ grace), not at requestTimeoutMs and not at once.
    expect(Date.now() - idleStarted).to.be.within(900, 6000);
  });

  it('reports wrong credentials and a missing database as retriable errors that say so, never echoing the password', async () => {
    const db = await database();
    const wrong = await failure(source(db, { password: 'not-the-password' }));
    expect(wrong.retriable).to.equal(true);
    expect(wrong.message).to.match(new RegExp(`^source couch: credentials refused by ${local.url.replace(/\/$/, '')}/${db} \\(HTTP 401 unauthorized`));
    expect(wrong.message).to.not.include('not-the-password');

    const missing = await failure(source(uniqueName('no-such-db')));
    expect(missing.retriable).to.equal(true);
    expect(missing.message).to.match(/^source couch: database http:\/\/127\.0\.0\.1:\d+\/no-such-db-\S+ does not exist \(HTTP 404 not_found/);

    const closed = await serve(() => undefined);
    closed.server.close();
    const refused = await failure(source(db, { url: closed.url }));
    expect(refused.message).to.match(/^source couch: _changes request to http:\/\/127\.0\.0\.1:\d+\/.* failed: fetch failed: connect ECONNREFUSED/);
  });

  it('reports a hang, a 503 with Retry-After, HTML and a body without results as retriable errors saying what was wrong', async () => {
    const answers: Array<(res: ServerResponse) => void> = [
      () => undefined, // never answers
      (res) => res.writeHead(503, { 'retry-after': '3', 'content-type': 'application/json' }).end('{"error":"unavailable","reason":"maintenance"}'),
      (res) => res.writeHead(200, { 'content-type': 'text/html' }).end('<html>proxy error</html>'),
      (res) => res.writeHead(200, { 'content-type': 'application/json' }).end('{"rows":[]}'),
    ];
    let n = 0;
    const fake = await serve((_req, res) => answers[n++](res));
    try {
      const feed = source('orders', { url: fake.url, longpollTimeoutMs: 200, requestTimeoutMs: 2500 });
      const errors: SourceUnavailableError[] = [];
      for (let i = 0; i < answers.length; i++) errors.push(await failure(feed));
      errors.forEach((e) => expect(e.retriable).to.equal(true));
      expect(errors[0].message).to.match(/failed: no complete answer within requestTimeoutMs \(2500 ms\)$/);
      expect(errors[1].message).to.match(/failed \(HTTP 503 unavailable: maintenance\)$/);
      expect(errors[1].retryAfterMs).to.equal(3000);
      expect(errors[2].message).to.match(/is not JSON \(text\/html, 24 bytes\)/);
      expect(errors[3].message).to.equal('source couch: _changes response has no "results" array');
    } finally {
      fake.server.closeAllConnections();
      fake.server.close();
    }
  });
});

async function failure(feed: CouchdbChangesSource): Promise<SourceUnavailableError> {
  const err = await feed.fetch(null).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).to.be.instanceOf(SourceUnavailableError);
  return err as SourceUnavailableError;
}

async function serve(handler: Parameters<typeof createServer>[1]): Promise<{ url: string; server: Server }> {
  const server = createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as { port: number }).port}`, server };
}
