/**
 * Source cursors in the real ZooKeeper: absent until saved, durable across sessions, and saved
 * only by compare-and-set, so an instance that read a stale cursor cannot move it back.
 */
import { expect } from 'chai';
import { connectZookeeper, zkCall, type ZookeeperClient } from '../../src/coordination/zookeeper';
import { CursorConflictError, CursorStore } from '../../src/coordination/cursor-store';
import { localConfig } from '../helpers/local-stack';
import { uniqueName } from '../helpers/names';

describe('cursor store (real ZooKeeper)', function () {
  this.timeout(30_000);
  const root = `/wharf-test/${uniqueName('cursors')}`;
  const clients: ZookeeperClient[] = [];

  async function store(): Promise<CursorStore> {
    const client = await connectZookeeper(localConfig().zookeeper);
    clients.push(client);
    return new CursorStore(client, root);
  }

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
    const first = await store();
    expect(await first.load('orders')).to.deep.equal({ cursor: null, version: -1 });
    const v0 = await first.save('orders', 'page-1', -1);
    const v1 = await first.save('orders', 'page-2', v0);
    expect(v1).to.equal(v0 + 1);

    const second = await store();
    const loaded = await second.load('orders');
    expect(loaded).to.include({ cursor: 'page-2', version: v1 });
    expect(Date.parse(loaded.updatedAt!)).to.be.closeTo(Date.now(), 60_000);

    // `first` saves again from version v1; `second`, holding the same version, is now stale.
    await first.save('orders', 'page-3', v1);
    const err = await second.save('orders', 'page-1-again', loaded.version).then(() => undefined, (e: unknown) => e);
    expect(err).to.be.instanceOf(CursorConflictError);
    expect((await second.load('orders')).cursor).to.equal('page-3');

    const racing = await second.save('other', 'x', -1).then(() => first.save('other', 'y', -1)).then(() => undefined, (e: unknown) => e);
    expect(racing).to.be.instanceOf(CursorConflictError);
  });
});
