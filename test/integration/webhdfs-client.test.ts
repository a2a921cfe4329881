/**
 * wharf's WebHDFS client against the local stack's real HDFS (permissions on): the two-step
 * CREATE, APPEND and OPEN through the DataNode, RENAME that never replaces, DELETE, TRUNCATE,
 * listings; and what makes it unusable, each as a WebHdfsError of kind `unavailable` naming the
 * cause: permission denied, safe mode, a space quota, and a wrong URL (nothing listening, or a
 * server that is not WebHDFS).
 */
import { expect } from 'chai';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebHdfsError } from '../../src/sinks/hdfs/answers';
import { WebHdfsClient } from '../../src/sinks/hdfs/webhdfs-client';
import { dfsadmin, hdfsClient, hdfsSuperuser, scratchDir } from '../helpers/hdfs';
import { freePort } from '../helpers/names';

async function failure(promise: Promise<unknown>): Promise<WebHdfsError> {
  try {
    await promise;
  } catch (err) {
    expect(err).to.be.instanceOf(WebHdfsError);
    return err as WebHdfsError;
  }
  throw new Error('expected a WebHdfsError');
}

describe('WebHDFS client (real HDFS)', function () {
  this.timeout(120_000);
  const hdfs = hdfsClient();
  const dirs: string[] = [];
  const scratch = async (prefix: string) => {
    const dir = await scratchDir(prefix);
    dirs.push(dir);
    return dir;
  };

  after(async () => {
    const admin = hdfsSuperuser();
    for (const dir of dirs) await admin.delete(dir, { recursive: true }).catch(() => undefined);
    await admin.close();
    await hdfs.close();
  });

  it('creates, appends, reads, lists, renames (never over an existing file), truncates and deletes', async () => {
    const dir = await scratch('client');
    await hdfs.create(`${dir}/a/b.txt`, Buffer.from('one\n'), { overwrite: false });
    await hdfs.append(`${dir}/a/b.txt`, Buffer.from('two\n'));
    expect((await hdfs.read(`${dir}/a/b.txt`)).toString()).to.equal('one\ntwo\n');
    expect(await hdfs.status(`${dir}/a/b.txt`)).to.include({ type: 'FILE', length: 8, owner: 'wharf' });
    expect(await hdfs.status(`${dir}/missing`)).to.equal(null);
    expect(await hdfs.list(`${dir}/missing`)).to.equal(null);

    const exists = await failure(hdfs.create(`${dir}/a/b.txt`, Buffer.from('x'), { overwrite: false }));
    expect(exists).to.include({ kind: 'exists', exception: 'FileAlreadyExistsException', retriable: false });

    await hdfs.create(`${dir}/a/c.txt`, Buffer.from('other'), { overwrite: false });
    const over = await failure(hdfs.rename(`${dir}/a/c.txt`, `${dir}/a/b.txt`));
    expect(over.kind).to.equal('exists');
    expect((await hdfs.read(`${dir}/a/b.txt`)).toString()).to.equal('one\ntwo\n');
    expect((await failure(hdfs.rename(`${dir}/a/nothing`, `${dir}/a/d.txt`))).kind).to.equal('not-found');
    await hdfs.mkdirs(`${dir}/z`);
    await hdfs.rename(`${dir}/a/c.txt`, `${dir}/z/c.txt`);
    expect((await hdfs.list(dir))!.map((s) => s.pathSuffix).sort()).to.deep.equal(['a', 'z']);
    expect((await hdfs.list(`${dir}/z`))!.map((s) => [s.pathSuffix, s.length])).to.deep.equal([['c.txt', 5]]);

    // Truncating inside a block needs HDFS to recover it first: false, then the length shows it.
    const done = await hdfs.truncate(`${dir}/a/b.txt`, 4);
    if (!done) for (let i = 0; i < 100 && (await hdfs.status(`${dir}/a/b.txt`))!.length !== 4; i++) await new Promise((r) => setTimeout(r, 100));
    expect((await hdfs.read(`${dir}/a/b.txt`)).toString()).to.equal('one\n');

    expect(await hdfs.delete(`${dir}/a`, { recursive: true })).to.equal(true);
    expect(await hdfs.delete(`${dir}/a`, { recursive: true })).to.equal(false);
  });

  it('a folder the user may not write is unavailable: permission denied', async () => {
    const dir = await scratch('client-perm');
    const stranger = new WebHdfsClient({ url: 'http://127.0.0.1:9870', user: 'stranger', requestTimeoutMs: 10_000 });
    try {
      const denied = await failure(stranger.create(`${dir}/x`, Buffer.from('x'), { overwrite: false }));
      expect(denied).to.include({ kind: 'unavailable', exception: 'AccessControlException', retriable: true });
      expect(denied.message).to.contain('permission denied').and.contain('user=stranger');
      expect(denied.message).not.to.contain('\tat ');
    } finally {
      await stranger.close();
    }
  });

  it('a NameNode in safe mode is unavailable until it leaves it', async () => {
    const dir = await scratch('client-safe');
    await dfsadmin('-safemode', 'enter');
    try {
      const refused = await failure(hdfs.mkdirs(`${dir}/x`));
      expect(refused).to.include({ kind: 'unavailable', exception: 'SafeModeException' });
      expect(refused.message).to.contain('safe mode');
    } finally {
      await dfsadmin('-safemode', 'leave');
    }
    await hdfs.mkdirs(`${dir}/x`);
  });

  it('a full space quota is unavailable (found at the DataNode step)', async () => {
    const dir = await scratch('client-quota');
    await dfsadmin('-setSpaceQuota', '1k', dir);
    const full = await failure(hdfs.create(`${dir}/x`, Buffer.from('x'.repeat(100)), { overwrite: false }));
    expect(full).to.include({ kind: 'unavailable', exception: 'DSQuotaExceededException' });
    expect(full.message).to.contain('space quota exceeded');
  });

  it('a wrong URL is unavailable: nothing listening, or a server that is not WebHDFS', async () => {
    const nobody = new WebHdfsClient({ url: `http://127.0.0.1:${await freePort()}`, user: 'wharf', requestTimeoutMs: 5000 });
    const refused = await failure(nobody.status('/wharf'));
    expect(refused.kind).to.equal('unavailable');
    expect(refused.message).to.contain('ECONNREFUSED');
    await nobody.close();

    const other: Server = createServer((_req, res) => res.writeHead(404, { 'content-type': 'text/html' }).end('<html>no</html>'));
    await new Promise<void>((done) => other.listen(0, '127.0.0.1', done));
    const stranger = new WebHdfsClient({ url: `http://127.0.0.1:${(other.address() as AddressInfo).port}`, user: 'wharf', requestTimeoutMs: 5000 });
    try {
      const notWebhdfs = await failure(stranger.mkdirs('/wharf/x'));
      expect(notWebhdfs.kind).to.equal('unavailable');
      expect(notWebhdfs.message).to.contain('not a WebHDFS endpoint');
    } finally {
      await stranger.close();
      other.close();
    }
  });
});
