/** The `zookeeper` section of the configuration: the ensemble that holds each source's cursor and lease. */
import { z } from 'zod';
import { secret } from '../util/secret';

const digest = secret(
  'ZooKeeper digest authentication, "user:password". With it, every znode wharf creates is readable and writable only by this user (creator-only ACL); without it, znodes are open to anyone who reaches ZooKeeper.',
).refine((value) => /^[^:]+:.+$/.test(value), 'expected "user:password"');

export const ZookeeperSchema = z
  .strictObject({
    connect: z
      .string()
      .regex(/^[^,\s]+:\d{1,5}(,[^,\s]+:\d{1,5})*(\/.*)?$/, 'expected host:port[,host:port...]')
      .describe('The ensemble: "host:port[,host:port...]", optionally followed by a chroot path.'),
    root: z
      .string()
      .regex(/^\/[^\s]*[^/\s]$/, 'expected an absolute znode path without trailing slash, e.g. "/wharf"')
      .default('/wharf')
      .describe('The znode under which wharf keeps source cursors and leases (`<root>/sources/<source id>/cursor`, `.../lease`).'),
    sessionTimeoutMs: z
      .int()
      .min(2000)
      .max(600_000)
      .default(10_000)
      .describe('ZooKeeper session timeout, in ms: how long after losing an instance another one takes over its sources.'),
    digest: digest.optional(),
  })
  .describe('The ZooKeeper ensemble that holds each source\'s cursor and decides which instance polls it.');

export type ZookeeperConfig = z.output<typeof ZookeeperSchema>;
