/** The WebHDFS client of a configured `hdfs` sink. */
import { readFileSync } from 'node:fs';
import type { HdfsSinkConfig } from './config';
import { WebHdfsClient } from './webhdfs-client';

export function createWebHdfs(config: HdfsSinkConfig): WebHdfsClient {
  return new WebHdfsClient({
    url: config.url,
    user: config.user,
    ca: config.caFile ? readFileSync(config.caFile) : undefined,
    requestTimeoutMs: config.requestTimeoutMs,
  });
}
