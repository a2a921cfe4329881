/**
 * An operator's change of a source's cursor (`wharf cursor set|reset`), made the way a poller
 * saves one: CursorStore.save, a ZooKeeper transaction that checks a lease node and
 * compare-and-sets the cursor on the version just read (so a concurrent save is never
 * overwritten silently: it fails with CursorConflictError).
 *
 * - Nobody holds the source's lease: the operator's session takes it (SourceLease, as a poller
 *   does), so no instance starts polling from the old cursor meanwhile, saves under its own
 *   fence and gives the lease up.
 * - An instance holds it: refused, naming the holder, unless forced. A forced change is fenced
 *   on the holder's lease node (it fails if the lease changed hands meanwhile) and moves the
 *   cursor's version: an idle poller reads it after its interval, a busy one's next save fails
 *   its compare-and-set and it reloads; either way it goes on from the operator's cursor after
 *   at most the page it had in flight.
 * - A corrupt cursor znode is replaced (its version comes with the CorruptCursorError).
 * A changed cursor carries no page digest: the page at it is produced again.
 */
import { CorruptCursorError, CursorStore, type StoredCursor } from './cursor-store';
import { SourceLease, type LeaseFence, type LeaseHolder } from './source-lease';
import type { ZookeeperClient } from './zookeeper';

export type CursorOverride =
  | { changed: true; previous: StoredCursor | { corrupt: string }; version: number; forcedOver?: LeaseHolder }
  | { changed: false; holder?: LeaseHolder };

/** Lease hand-overs tolerated while asking (the holder went away between two reads). */
const ATTEMPTS = 3;

export async function overrideCursor(client: ZookeeperClient, root: string, source: string, cursor: string | null, options: { force: boolean; instance: string }): Promise<CursorOverride> {
  const store = new CursorStore(client, root);
  for (let attempt = 1; attempt <= ATTEMPTS; attempt++) {
    const lease = new SourceLease(client, root, source, options.instance);
    const standby = new AbortController();
    try {
      if (await lease.acquire(standby.signal, () => standby.abort())) return await replace(store, source, cursor, lease.fence());
    } finally {
      await lease.release();
    }
    const current = await lease.currentHolder();
    if (!current) continue; // the holder went away meanwhile: contend again
    if (!options.force) return { changed: false, holder: current.holder };
    return { ...(await replace(store, source, cursor, current.fence)), forcedOver: current.holder };
  }
  throw new Error(`the lease of source ${source} kept changing hands; try again`);
}

async function replace(store: CursorStore, source: string, cursor: string | null, fence: LeaseFence): Promise<Extract<CursorOverride, { changed: true }>> {
  const [previous, expected] = await loadForReplacing(store, source);
  return { changed: true, previous, version: await store.save(source, cursor, expected, fence) };
}

/** The stored cursor (or what is wrong with it) and the version a replacing save must expect. */
async function loadForReplacing(store: CursorStore, source: string): Promise<[StoredCursor | { corrupt: string }, number]> {
  try {
    const stored = await store.load(source);
    return [stored, stored.version];
  } catch (err) {
    if (!(err instanceof CorruptCursorError)) throw err;
    return [{ corrupt: err.message }, err.version];
  }
}
