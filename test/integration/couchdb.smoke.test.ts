/**
 * nano against the real CouchDB-compatible server of the local stack (pouchdb-server): a
 * database, 10,000 documents through _bulk_docs with explicit ids, a 409 conflict on a stale
 * revision (single and in bulk), and _changes read from a `since` sequence.
 */
import { expect } from 'chai';
import type { DocumentScope, ServerScope } from 'nano';
import { createCouchdb } from '../../src/sinks/couchdb/client';
import { localCouchdb } from '../helpers/local-stack';
import { uniqueName } from '../helpers/names';

const DOCS = 10_000;

interface Order {
  amount: number;
}

describe('couchdb (real pouchdb-server): nano smoke', function () {
  this.timeout(120_000);
  let couch: ServerScope;
  const dbName = uniqueName('smoke-couch');
  let db: DocumentScope<Order>;

  before(async () => {
    couch = createCouchdb(localCouchdb());
    await couch.db.create(dbName);
    db = couch.use<Order>(dbName);
  });

  after(async () => {
    await couch.db.destroy(dbName).catch(() => undefined);
  });

  it('writes 10,000 docs with explicit ids through _bulk_docs, rejects a stale revision with 409, and reads _changes since a sequence', async () => {
    for (let start = 0; start < DOCS; start += 2000) {
      const docs = Array.from({ length: 2000 }, (_, i) => ({ _id: `order-${start + i}`, amount: (start + i) % 100 }));
      const results = await db.bulk({ docs });
      expect(results.filter((r) => r.error)).to.deep.equal([]);
    }
    expect((await db.info()).doc_count).to.equal(DOCS);

    const doc = await db.get('order-42');
    expect(doc.amount).to.equal(42);
    const updated = await db.insert({ ...doc, amount: 43 });
    expect(updated.ok).to.equal(true);

    // The revision read before the update is stale now.
    const conflict = await db.insert({ ...doc, amount: 44 }).then(
      () => undefined,
      (err: { statusCode?: number; error?: string }) => err,
    );
    expect(conflict?.statusCode).to.equal(409);
    expect(conflict?.error).to.equal('conflict');
    const [bulkConflict] = await db.bulk({ docs: [{ _id: 'order-7', amount: 1 }] });
    expect(bulkConflict.error).to.equal('conflict');

    const before = await db.changes({ since: 'now', limit: 1 });
    const since = before.last_seq as string | number;
    await db.bulk({ docs: [{ _id: 'late-1', amount: 1 }, { _id: 'late-2', amount: 2 }] });
    const changes = await db.changes({ since });
    expect(changes.results.map((c) => c.id).sort()).to.deep.equal(['late-1', 'late-2']);
    const all = await db.changes({ since: 0, limit: DOCS + 10 });
    expect(all.results).to.have.length(DOCS + 2);
  });
});
