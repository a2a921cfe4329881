/** ZooKeeper is usable when a session opens and wharf's root znode can be read (it is created here once). */
import { serviceCheck, type ServiceCheck } from '../health/check';
import type { ZookeeperConfig } from './config';
import { connectZookeeper, mkdirp, zkCall } from './zookeeper';

export function zookeeperCheck(config: ZookeeperConfig): ServiceCheck {
  const { root } = config;
  return serviceCheck('zookeeper', config.connect, async () => {
    const client = await connectZookeeper(config, 5000);
    try {
      // wharf's root znode is created here once, so every later component can rely on it.
      await mkdirp(client, root);
      const children = await zkCall<string[]>((cb) => client.getChildren(root, cb), root);
      return `session ok, ${root} has ${children.length} child node(s)`;
    } finally {
      client.close();
    }
  });
}
