/**
 * ZooKeeper digest authentication and creator-only ACLs against the real ZooKeeper (digest auth is
 * built into every ZooKeeper server): every znode wharf creates is readable and writable only by
 * wharf's credentials, so a session without them, or with other ones, can neither read nor move a
 * cursor, nor take, join or break a source's lease; the holder keeps both.
 */
import { expect } from 'chai';
import zookeeper from 'node-zookeeper-client';
import type { ZookeeperConfig } from '../../src/coordination/config';
import { CursorStore } from '../../src/coordination/cursor-store';
import { SourceLease } from '../../src/coordination/source-lease';
import { connectZookeeper, zkCall, ZookeeperRefusedError, type ZookeeperClient } from '../../src/coordination/zookeeper';
import { zookeeperCheck } from '../../src/coordination/health';
import { localConfig } from '../helpers/local-stack';
import { uniqueName } from '../helpers/names';

describe('ZooKeeper digest authentication and creator-only ACLs (real ZooKeeper)', function () {
  this.timeout(60_000);
  // A root of its own at the top: a creator-only parent would lock other tests out of theirs.
  const name = uniqueName('wharf-acl');
  const root = `/${name}`;
  const base = { ...localConfig().zookeeper, root };
  const wharf: ZookeeperConfig = { ...base, digest: `wharf-${name}:right-password` };
  const clients: ZookeeperClient[] = [];
  const never = new AbortController().signal;

  async function connect(config: ZookeeperConfig): Promise<ZookeeperClient> {
    const client = await connectZookeeper(config);
    clients.push(client);
    return client;
  }

  const failure = (p: Promise<unknown>) => p.then(() => undefined, (e: unknown) => e);
  const code = (err: unknown) => (err as { getCode?: () => number }).getCode?.();

  after(async () => {
    const owner = await connect(wharf);
    const removeTree = async (path: string): Promise<void> => {
      const children = await zkCall<string[]>((cb) => owner.getChildren(path, cb)).catch(() => []);
      for (const child of children) await removeTree(`${path}/${child}`);
      await zkCall<void>((cb) => owner.remove(path, -1, cb)).catch(() => undefined);
    };
    await removeTree(root);
    clients.forEach((c) => c.close());
  });

  it('creates every znode creator-only; without the credentials, or with others, nobody reads or moves the cursor or touches the lease', async () => {
    expect(await zookeeperCheck(wharf).run()).to.match(/^session ok/);
    const owner = await connect(wharf);
    const lease = new SourceLease(owner, root, 'orders', 'owner');
    expect(await lease.acquire(never, () => undefined)).to.equal(true);
    const cursors = new CursorStore(owner, root);
    const saved = await cursors.save('orders', '42', -1, lease.fence());
    const fence = lease.fence();

    // Every znode wharf created carries one ACL: all permissions for wharf's digest identity only.
    const [user] = wharf.digest!.split(':');
    for (const path of [root, `${root}/sources`, `${root}/sources/orders`, `${root}/sources/orders/lease`, fence.path, cursors.pathOf('orders')]) {
      const acls = await zkCall<zookeeper.ACL[]>((cb) => owner.getACL(path, (err, found) => cb(err, found)));
      // The library's typings say `perms`; its objects carry `permission`.
      expect(acls.map((a) => ({ perms: (a as unknown as { permission: number }).permission, scheme: a.id.scheme, user: a.id.id.split(':')[0] })), path).to.deep.equal([
        { perms: zookeeper.Permission.ALL, scheme: 'digest', user },
      ]);
    }

    for (const stranger of [await connect(base), await connect({ ...base, digest: `wharf-${name}:wrong-password` })]) {
      const cursorPath = cursors.pathOf('orders');
      expect(code(await failure(zkCall((cb) => stranger.getData(cursorPath, cb)))), 'read the cursor').to.equal(zookeeper.Exception.NO_AUTH);
      expect(code(await failure(zkCall((cb) => stranger.setData(cursorPath, Buffer.from('{"cursor":"0"}'), -1, (e) => cb(e, undefined))))), 'move the cursor').to.equal(zookeeper.Exception.NO_AUTH);
      expect(code(await failure(zkCall((cb) => stranger.remove(cursorPath, -1, (e) => cb(e, undefined))))), 'delete the cursor').to.equal(zookeeper.Exception.NO_AUTH);
      expect(code(await failure(zkCall((cb) => stranger.remove(fence.path, -1, (e) => cb(e, undefined))))), 'delete the holder\'s lease node').to.equal(zookeeper.Exception.NO_AUTH);
      // Taking the lease means creating a contender node under the lease znode: refused, said as such.
      const taken = await failure(new SourceLease(stranger, root, 'orders', 'stranger').acquire(never, () => undefined));
      expect(taken).to.be.instanceOf(ZookeeperRefusedError);
      expect((taken as Error).message).to.equal(`zookeeper: NO_AUTH on ${root}/sources/orders/lease: its ACL admits other credentials: check zookeeper.digest (docs/security.md)`);
      expect((taken as ZookeeperRefusedError).refused).to.equal(true);
      // Nor can it load the cursor, or pass wharf's own health check on this root.
      expect(await failure(new CursorStore(stranger, root).load('orders'))).to.be.instanceOf(ZookeeperRefusedError);
    }
    const anonymousCheck = await failure(zookeeperCheck(base).run());
    expect((anonymousCheck as Error).message).to.equal(`zookeeper unavailable: zookeeper: NO_AUTH on ${root}: its ACL admits other credentials: check zookeeper.digest (docs/security.md)`);

    // The holder still holds the lease and the cursor it saved, and can move it on.
    await lease.confirm();
    expect(await cursors.load('orders')).to.include({ cursor: '42', version: saved });
    expect(await cursors.save('orders', '43', saved, lease.fence())).to.equal(saved + 1);
  });
});
