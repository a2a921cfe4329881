/** The WebHDFS client of a configured `hdfs` sink. */
import { tlsConnectionOptions } from '../../util/tls-options';
import type { HdfsSinkConfig } from './config';
import { WebHdfsClient } from './webhdfs-client';

export function createWebHdfs(config: HdfsSinkConfig): WebHdfsClient {
  return new WebHdfsClient({
    url: config.url,
    user: config.user,
    tls: config.tls ? tlsConnectionOptions(config.tls) : undefined,
    requestTimeoutMs: config.requestTimeoutMs,
  });
}
