/**
 * Source cursors in the real ZooKeeper: absent until saved, durable across sessions, saved only
 * by compare-and-set and only by the lease holder (the fence is checked in the save's own
 * transaction), and a corrupt cursor znode reported with its path and how to repair it.
 */
import { expect } from 'chai';
import zookeeper from 'node-zookeeper-client';
import { connectZookeeper, zkCall, type ZookeeperClient } from '../../src/coordination/zookeeper';
import { CorruptCursorError, CursorConflictError, CursorStore } from '../../src/coordination/cursor-store';
import { LeaseLostError, SourceLease, type LeaseFence } from '../../src/coordination/source-lease';
import { localConfig } from '../helpers/local-stack';
import { uniqueName } from '../helpers/names';

describe('cursor store (real ZooKeeper)', function () {
  this.timeout(30_000);
  const root = `/wharf-test/${uniqueName('cursors')}`;
  const clients: ZookeeperClient[] = [];
  const never = new AbortController().signal;

  async function connect(): Promise<ZookeeperClient> {
    const client = await connectZookeeper(localConfig().zookeeper);
    clients.push(client);
    return client;
  }

  async function holder(source: string): Promise<{ store: CursorStore; lease: SourceLease; fence: LeaseFence; client: ZookeeperClient }> {
    const client = await connect();
    const lease = new SourceLease(client, root, source, 'test');
    expect(await lease.acquire(never, () => undefined)).to.equal(true);
    return { store: new CursorStore(client, root), lease, fence: lease.fence(), client };
  }

  const failure = (p: Promise<unknown>) => p.then(() => undefined, (e: unknown) => e);

  after(async () => {
    const [client] = clients;
    const removeTree = async (path: string): Promise<void> => {
      const children = await zkCall<string[]>((cb) => client.getChildren(path, cb)).catch(() => []);
      for (const child of children) await removeTree(`${path}/${child}`);
      await zkCall<void>((cb) => client.remove(path, -1, cb)).catch(() => undefined);
    };
    await removeTree(root);
    clients.forEach((c) => c.close());
  });

  it('has no cursor before the first save, keeps saved cursors across sessions, and refuses a save based on a stale version', async () => {
    const { store: first, fence } = await holder('orders');
    expect(await first.load('orders')).to.deep.equal({ cursor: null, version: -1 });
    const v1 = await first.save('orders', 'page-1', -1, fence);
    expect(v1).to.equal(1); // never 0: node-zookeeper-client's transaction reads version 0 as "any"
    const v2 = await first.save('orders', 'page-2', v1, fence);
    expect(v2).to.equal(v1 + 1);

    const second = new CursorStore(await connect(), root);
    const loaded = await second.load('orders');
    expect(loaded).to.include({ cursor: 'page-2', version: v2 });
    expect(Date.parse(loaded.updatedAt!)).to.be.closeTo(Date.now(), 60_000);

    // `first` saves again from version v2; a save based on v2 is now stale.
    await first.save('orders', 'page-3', v2, fence);
    expect(await failure(first.save('orders', 'page-1-again', loaded.version, fence))).to.be.instanceOf(CursorConflictError);
    expect((await second.load('orders')).cursor).to.equal('page-3');

    const racing = await failure(first.save('other', 'x', -1, fence).then(() => first.save('other', 'y', -1, fence)));
    expect(racing).to.be.instanceOf(CursorConflictError);
  });

  it('refuses a save by a client that does not hold the lease, and by a holder whose lease node was deleted (another instance took over)', async () => {
    const { store, fence, lease } = await holder('fenced');
    const version = await store.save('fenced', '10', -1, fence);

    // A second client standing by cannot save, whether it pretends to hold the fence or not.
    const other = await connect();
    const standby = new SourceLease(other, root, 'fenced', 'other');
    const waiting = standby.acquire(new AbortController().signal, () => undefined);
    expect(() => standby.fence()).to.throw(LeaseLostError);
    const otherStore = new CursorStore(other, root);
    const bogus = { source: 'fenced', path: `${lease.dir}/owner-9999999999` };
    expect(await failure(otherStore.save('fenced', '99', version, bogus))).to.be.instanceOf(LeaseLostError);

    // Another instance takes over: the holder's node is deleted; the holder's next save fails its fence.
    await zkCall<void>((cb) => other.remove(fence.path, -1, cb));
    const err = await failure(store.save('fenced', '11', version, fence));
    expect(err).to.be.instanceOf(LeaseLostError).with.property('retriable', false);
    expect((err as LeaseLostError).message).to.include(fence.path);
    expect(await waiting).to.equal(true);
    expect(await failure(lease.confirm())).to.be.instanceOf(LeaseLostError);
    expect((await otherStore.load('fenced')).cursor).to.equal('10');
    // The new holder saves from the stored version.
    expect(await otherStore.save('fenced', '12', version, standby.fence())).to.equal(version + 1);
  });

  it('reports a corrupt cursor znode (not JSON, wrong shape) as non-retriable, naming the path and the repair', async () => {
    const client = await connect();
    const store = new CursorStore(client, root);
    const cases: Array<[string, string, RegExp]> = [
      ['garbled', '{"cursor": 12', /not JSON/],
      ['shape', '["12"]', /expected a JSON object with a "cursor" key/],
      ['number', '{"cursor": 12}', /"cursor" is number, expected a string or null/],
    ];
    for (const [source, data, reason] of cases) {
      const path = store.pathOf(source);
      await zkCall<string>((cb) => client.mkdirp(path, cb));
      await zkCall<zookeeper.Stat>((cb) => client.setData(path, Buffer.from(data), -1, cb));
      const err = (await failure(store.load(source))) as CorruptCursorError;
      expect(err).to.be.instanceOf(CorruptCursorError).with.property('retriable', false);
      expect(err.path).to.equal(path);
      expect(err.message).to.match(reason);
      expect(err.message).to.include(`repair it with \`wharf cursor reset ${source}\` (read from the start) or \`wharf cursor set ${source} <cursor>\``);
      expect(err.version, 'the corrupt znode\'s version, for the compare-and-set that replaces it').to.equal(1);
      expect(err.message).not.to.match(/unavailable/i);
    }
  });

  it('moves a cursor found at version 0 (written before fencing) to version 1 on load, unchanged', async () => {
    const client = await connect();
    const store = new CursorStore(client, root);
    const path = store.pathOf('legacy');
    await zkCall<string>((cb) => client.mkdirp(path.slice(0, path.lastIndexOf('/')), cb));
    await zkCall<string>((cb) => client.create(path, Buffer.from('{"cursor":"7"}'), zookeeper.CreateMode.PERSISTENT, cb));
    expect(await store.load('legacy')).to.include({ cursor: '7', version: 1 });
  });
});
