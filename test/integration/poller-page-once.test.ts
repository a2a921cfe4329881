/**
 * The source poller, run by `wharf run` on the real stack, against an upstream whose page has
 * records but no next cursor: that page is produced once, not again at every interval, and
 * again only when its content changed; the page's digest is stored with the cursor in ZooKeeper.
 * A corrupt cursor znode is logged at error level with its path at every attempt, never as
 * "ZooKeeper unavailable", and `wharf cursor reset --force` repairs it under the running poller.
 */
import { expect } from 'chai';
import { createServer } from 'node:http';
import { hostname } from 'node:os';
import { CursorStore } from '../../src/coordination/cursor-store';
import { connectZookeeper, zkCall } from '../../src/coordination/zookeeper';
import { createKafka } from '../../src/kafka/client';
import { localConfig, quietLogger } from '../helpers/local-stack';
import { eventually, PipelineRun } from '../helpers/pipeline';
import { WharfProcess } from '../helpers/wharf-process';

describe('source poller: a page without next cursor (real stack, wharf run)', function () {
  this.timeout(180_000);
  const run = new PipelineRun();
  let body = { items: [{ id: 'a', n: 1 }, { id: 'b', n: 1 }], next: null as string | null };
  let requests = 0;
  const server = createServer((_req, res) => {
    requests++;
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body));
  });

  after(async () => {
    await run.stop();
    server.close();
  });

  it('produces the page once, again only when its content changed, and keeps its digest with the cursor', async () => {
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(server.address() as { port: number }).port}/feed`;
    await run.start({ sources: [{ id: 'orders', type: 'http-json', url, intervalMs: 200 }] });
    const kafka = createKafka(localConfig().kafka, quietLogger, 'page-once');
    const admin = kafka.admin();
    await admin.connect();
    const produced = () => admin.fetchTopicOffsets(`${run.name}.records`).then((ps) => ps.reduce((sum, p) => sum + Number(p.high), 0));
    try {
      expect(await eventually(produced, (n) => n >= 2, 60_000, 'the page')).to.equal(2);
      const asked = requests;
      await eventually(() => Promise.resolve(requests), (n) => n >= asked + 10, 30_000, 'ten more polls');
      expect(await produced()).to.equal(2);

      body = { items: [{ id: 'a', n: 2 }], next: null };
      expect(await eventually(produced, (n) => n >= 3, 30_000, 'the changed page')).to.equal(3);
      const again = requests;
      await eventually(() => Promise.resolve(requests), (n) => n >= again + 5, 30_000, 'five more polls');
      expect(await produced()).to.equal(3);

      const zk = await connectZookeeper(localConfig().zookeeper);
      const stored = await new CursorStore(zk, `/wharf-test/${run.name}`).load('orders');
      zk.close();
      expect(stored.cursor).to.equal(null);
      expect(stored.pageDigest).to.match(/^sha256:/);
    } finally {
      await admin.disconnect();
    }
  });
});

describe('source poller: a corrupt cursor znode (real stack, wharf run)', function () {
  this.timeout(180_000);
  const run = new PipelineRun();
  after(() => run.stop());

  it('logs the corrupt cursor at error level with its path and the repair at every attempt, never calls ZooKeeper unavailable; cursor reset is refused under the lease and repairs it with --force', async () => {
    const zk = await connectZookeeper(localConfig().zookeeper);
    const path = new CursorStore(zk, `/wharf-test/${run.name}`).pathOf('orders');
    await zkCall<string>((cb) => zk.mkdirp(path, cb));
    await zkCall<unknown>((cb) => zk.setData(path, Buffer.from('not json'), -1, cb));
    zk.close();
    run.upstream.add(5);
    await run.start();
    const wharf = run.wharf!;
    const corrupt = (l: { level: string; msg: string; path?: unknown }) => l.msg === 'the stored cursor is corrupt; an operator must repair it';
    await wharf.waitForLog((l) => corrupt(l) && wharf.lines.filter(corrupt).length >= 2, 60_000);
    const lines = wharf.lines.filter(corrupt) as Array<{ level: string; path?: unknown; err?: unknown }>;
    expect(lines.every((l) => l.level === 'error' && l.path === path)).to.equal(true);
    expect(String(lines[0].err)).to.include('repair it with `wharf cursor reset');
    expect(wharf.lines.some((l) => /unavailable/i.test(`${l.msg} ${JSON.stringify(l)}`) && JSON.stringify(l).includes('cursor'))).to.equal(false);

    // The repair: refused while the running poller holds the lease, then forced over it.
    const refused = new WharfProcess(['cursor', 'reset', 'orders', '--config', run.configFile]);
    expect(await refused.exited, refused.stderr).to.equal(1);
    expect(refused.stderr).to.match(new RegExp(`cursor of source orders not changed: ${hostname()}:\\d+ \\(since [^)]+\\) holds its lease`));
    const forced = new WharfProcess(['cursor', 'reset', 'orders', '--force', '--config', run.configFile]);
    expect(await forced.exited, forced.stderr).to.equal(0);
    expect(forced.stdout).to.contain('cursor of source orders set to none (read from the start) (was a corrupt value)');
    // The poller's next load finds the repaired cursor and reads the upstream from the start.
    await eventually(() => run.esCount(), (n) => n === 5, 60_000, 'the 5 upstream records in Elasticsearch');
  });
});
