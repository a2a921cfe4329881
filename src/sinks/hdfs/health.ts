/**
 * The archive's HDFS is usable when wharf can write there: a one-byte probe file is created in
 * the archive's temporary folder and deleted. One byte, because an empty file takes no block,
 * so safe mode, permissions and a full space quota all show, as they would for the archive.
 */
import { hostname } from 'node:os';
import { serviceCheck, type ServiceCheck } from '../../health/check';
import { safeUrl } from '../../log';
import { createWebHdfs } from './client';
import type { HdfsSinkConfig } from './config';
import { TMP } from './layout';

export function hdfsCheck(sink: HdfsSinkConfig): ServiceCheck {
  const probe = `${sink.path}/${TMP}/.probe-${hostname()}-${process.pid}`;
  return serviceCheck(`sink:${sink.id}`, safeUrl(sink.url), async () => {
    const hdfs = createWebHdfs(sink);
    try {
      await hdfs.create(probe, Buffer.from('\n'), { overwrite: true });
      await hdfs.delete(probe, { recursive: false });
      const root = await hdfs.status(sink.path);
      return `WebHDFS writable at ${sink.path} as ${sink.user} (owner ${root?.owner ?? '?'})`;
    } finally {
      await hdfs.close();
    }
  });
}
