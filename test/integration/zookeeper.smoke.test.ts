/**
 * node-zookeeper-client against the real ZooKeeper of the local stack: ephemeral sequential
 * nodes, a child watch firing, and an ephemeral node vanishing once its session is closed.
 */
import { expect } from 'chai';
import zookeeper from 'node-zookeeper-client';
import { connectZookeeper, zkCall, type ZookeeperClient } from '../../src/coordination/zookeeper';
import { localConfig } from '../helpers/local-stack';
import { uniqueName } from '../helpers/names';

describe('zookeeper (real server): node-zookeeper-client smoke', function () {
  this.timeout(60_000);
  const base = `/wharf-test/${uniqueName('smoke-zk')}`;
  let observer: ZookeeperClient;

  before(async () => {
    observer = await connectZookeeper(localConfig().zookeeper);
    await zkCall<string>((cb) => observer.mkdirp(base, cb));
  });

  after(async () => {
    const children = await zkCall<string[]>((cb) => observer.getChildren(base, cb)).catch(() => []);
    for (const child of children) await zkCall<void>((cb) => observer.remove(`${base}/${child}`, -1, cb)).catch(() => undefined);
    await zkCall<void>((cb) => observer.remove(base, -1, cb)).catch(() => undefined);
    observer.close();
  });

  it('creates ephemeral sequential nodes in order, fires a child watch, and removes the ephemeral nodes when their session closes', async () => {
    const owner = await connectZookeeper(localConfig().zookeeper);
    const watchFired = new Promise<string>((resolve, reject) => {
      observer.getChildren(
        base,
        (event) => resolve(event.getName()),
        (err) => (err ? reject(err instanceof Error ? err : new Error(err.toString())) : undefined),
      );
    });

    const created: string[] = [];
    for (let i = 0; i < 3; i++) {
      created.push(
        await zkCall<string>((cb) => owner.create(`${base}/member-`, Buffer.from(`m${i}`), zookeeper.CreateMode.EPHEMERAL_SEQUENTIAL, cb)),
      );
    }
    expect(created.map((p) => p.replace(`${base}/member-`, ''))).to.deep.equal(['0000000000', '0000000001', '0000000002']);
    expect(await watchFired).to.equal('NODE_CHILDREN_CHANGED');
    const data = await zkCall<Buffer>((cb) => observer.getData(created[1], cb));
    expect(data.toString()).to.equal('m1');

    const gone = new Promise<void>((resolve) => {
      const poll = () =>
        observer.getChildren(base, (err, children) => {
          if (!err && children.length === 0) resolve();
          else setTimeout(poll, 100);
        });
      poll();
    });
    owner.close();
    await gone;
    expect(await zkCall<string[]>((cb) => observer.getChildren(base, cb))).to.deep.equal([]);
  });
});
