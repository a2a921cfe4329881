/**
 * The local stack's HDFS (scripts/stack.d/hdfs.sh): a WebHDFS client as the superuser (the OS
 * user running the NameNode) for setting up and inspecting, a scratch folder per test under
 * /wharf, and Hadoop's own admin tool (DFSAdmin: safe mode, quotas) run with java on the mini
 * cluster's classpath, exactly as an operator would.
 */
import { execFile } from 'node:child_process';
import { userInfo } from 'node:os';
import { resolve } from 'node:path';
import { WebHdfsClient } from '../../src/sinks/hdfs/webhdfs-client';
import { REPO_ROOT } from './local-stack';
import { uniqueName } from './names';

export const HDFS_URL = `http://127.0.0.1:${process.env.WHARF_HDFS_HTTP_PORT ?? '9870'}`;
/** The user wharf writes as, owner of /wharf (hdfs.sh). */
export const HDFS_USER = 'wharf';

export function hdfsClient(user = HDFS_USER): WebHdfsClient {
  return new WebHdfsClient({ url: HDFS_URL, user, requestTimeoutMs: 30_000 });
}

export const hdfsSuperuser = (): WebHdfsClient => hdfsClient(userInfo().username);

/** A fresh folder under /wharf, owned by wharf. */
export async function scratchDir(prefix: string): Promise<string> {
  const dir = `/wharf/${uniqueName(prefix)}`;
  await hdfsClient().mkdirs(dir);
  return dir;
}

/** Runs `hdfs dfsadmin ARGS` against the local stack's HDFS; resolves with its output. */
export function dfsadmin(...args: string[]): Promise<string> {
  const script = `source scripts/stack.d/common.sh && source scripts/stack.d/hdfs.sh && hdfs_tool org.apache.hadoop.hdfs.tools.DFSAdmin "$@"`;
  return new Promise((done, fail) => {
    execFile('bash', ['-c', script, 'dfsadmin', ...args], { cwd: resolve(REPO_ROOT), timeout: 60_000 }, (err, stdout, stderr) => {
      if (err) fail(new Error(`dfsadmin ${args.join(' ')} failed: ${stderr || err.message}`));
      else done(stdout + stderr);
    });
  });
}
