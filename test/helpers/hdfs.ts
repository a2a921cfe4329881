/**
 * The local stack's HDFS (scripts/stack.d/hdfs.sh): a WebHDFS client as the superuser (the OS
 * user running the NameNode) for setting up and inspecting, a scratch folder per test under
 * /wharf, and Hadoop's own admin tool (DFSAdmin: safe mode, quotas) run with java on the mini
 * cluster's classpath, exactly as an operator would.
 */
import { execFile } from 'node:child_process';
import { userInfo } from 'node:os';
import { resolve } from 'node:path';
import { archivedFiles, readDocuments, readIndex, segmentIndexes } from '../../src/sinks/hdfs/archive-files';
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

/** SIGKILLs the local stack's HDFS (NameNode and DataNode: one JVM) and waits until it is gone. */
export function killHdfs(): Promise<void> {
  const script = 'source scripts/stack.d/common.sh && pid=$(svc_pid hdfs) && kill -KILL -- "-$pid" && while pgrp_alive "$pid"; do sleep 0.1; done';
  return new Promise((done, fail) => {
    execFile('bash', ['-c', script], { cwd: resolve(REPO_ROOT), timeout: 60_000 }, (err, _stdout, stderr) => (err ? fail(new Error(`killing HDFS failed: ${stderr || err.message}`)) : done()));
  });
}

export interface ArchiveContents {
  /** Every archived document's `wharf` part, in file order. */
  documents: Array<{ id: string; version: string; partition: number; offset: string; doc: Record<string, unknown> }>;
  /** Per partition: its segments' ranges from the index, in offset order. */
  segments: Map<number, Array<{ first: bigint; last: bigint; records: number }>>;
  /** Entries left under the archive's temporary folder for the topic's partitions. */
  temporary: string[];
}

/** Reads a whole archive back: every finalized file, every segment index, what is left in _tmp. */
export async function archiveContents(root: string, topic: string): Promise<ArchiveContents> {
  const hdfs = hdfsClient();
  try {
    const documents: ArchiveContents['documents'] = [];
    for await (const file of archivedFiles(hdfs, root)) {
      for (const doc of await readDocuments(hdfs, file)) {
        const meta = doc.wharf as { id: string; version: string; partition: number; offset: string };
        documents.push({ id: meta.id, version: meta.version, partition: meta.partition, offset: meta.offset, doc });
      }
    }
    const segments: ArchiveContents['segments'] = new Map();
    for (const [key, ranges] of await segmentIndexes(hdfs, root)) {
      if (!key.startsWith(`${topic}/`)) continue;
      const list = [];
      for (const range of ranges) list.push({ first: range.first, last: range.last, records: (await readIndex(hdfs, range.path)).files.reduce((n, f) => n + f.records, 0) });
      segments.set(Number(key.slice(topic.length + 1)), list);
    }
    const temporary: string[] = [];
    for (const partition of (await hdfs.list(`${root}/_tmp/${topic}`)) ?? []) {
      for (const entry of (await hdfs.list(`${root}/_tmp/${topic}/${partition.pathSuffix}`)) ?? []) temporary.push(`${partition.pathSuffix}/${entry.pathSuffix}`);
    }
    return { documents, segments, temporary };
  } finally {
    await hdfs.close();
  }
}
