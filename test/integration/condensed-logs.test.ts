/**
 * Logs that say instead of shout: `wharf run` pointed at a Kafka port where nothing listens yet
 * (a private TCP proxy on 127.0.0.1, not listening; the shared broker is never touched) logs
 * "Kafka 127.0.0.1:<port> unreachable (ECONNREFUSED)" once per process, no kafkajs connection
 * line and no stack trace at info; once the proxy listens and forwards to the shared Kafka, each
 * process that said so logs "reachable again after N s", and the pipeline becomes healthy. The
 * same for a sink: an Elasticsearch sink behind a closed port is "unavailable" once per consumer,
 * however many partitions wait on it, then "available again" and every record arrives; and for
 * ZooKeeper behind a closed port, the poller's "ZooKeeper ... failing" once, then "answering again".
 */
import { expect } from 'chai';
import { createConnection, createServer, type Server, type Socket } from 'node:net';
import { localConfig, localElasticsearch } from '../helpers/local-stack';
import { freePort } from '../helpers/names';
import { eventually, localStack, PipelineRun } from '../helpers/pipeline';
import type { LogLine } from '../helpers/wharf-process';


/** Forwards every connection to `target` (host:port) once it listens; `close` ends the connections too. */
function proxyTo(target: string): { server: Server; close(): Promise<void> } {
  const [host, port] = [target.slice(0, target.lastIndexOf(':')), Number(target.slice(target.lastIndexOf(':') + 1))];
  const sockets = new Set<Socket>();
  const server = createServer((client) => {
    const upstream = createConnection({ host, port });
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.on('error', () => undefined);
      socket.on('close', () => {
        sockets.delete(socket);
        client.destroy();
        upstream.destroy();
      });
    }
    client.pipe(upstream).pipe(client);
  });
  const close = () =>
    new Promise<void>((done) => {
      server.close(() => done());
      sockets.forEach((s) => s.destroy());
    });
  return { server, close };
}

const byActor = (lines: LogLine[], match: (l: LogLine) => boolean) => lines.filter(match).map((l) => (typeof l.actor === 'string' ? l.actor : 'root'));

describe('condensed client logs: a server unreachable, then reachable again', function () {
  this.timeout(240_000);
  const sharedKafka = localConfig().kafka.brokers[0];
  let port = 0;
  let proxy: ReturnType<typeof proxyTo> | undefined;
  let run: PipelineRun;

  before(async () => {
    port = await freePort();
    const stack = localStack();
    run = new PipelineRun({ ...stack, kafka: { ...stack.kafka, brokers: [`127.0.0.1:${port}`] } });
  });

  after(async () => {
    await run.stop();
    await proxy?.close();
  });

  it('says "unreachable" once per process while the port refuses, with no kafkajs line or stack at info; then "reachable again"', async () => {
    const broker = `127.0.0.1:${port}`;
    await run.start({ consumers: { count: 1 }, waitUntilHealthy: false });
    const wharf = run.wharf!;
    await wharf.waitForLog((l) => l.msg === `Kafka ${broker} unreachable (ECONNREFUSED); retrying` && l.actor === 'consumers-1', 60_000);
    // Let the clients fail for a while: kafkajs retries several times a second per client.
    await new Promise((r) => setTimeout(r, 10_000));

    const unreachable = byActor(wharf.lines, (l) => l.msg.startsWith(`Kafka ${broker} unreachable`));
    expect(unreachable).to.include('consumers-1');
    expect(new Set(unreachable).size, `one line per process: ${unreachable.join(', ')}`).to.equal(unreachable.length);
    expect(wharf.lines.filter((l) => l.component === 'kafkajs').map((l) => l.msg), 'kafkajs lines at info or above').to.deep.equal([]);
    // kafkajs retries inside one join attempt first: the consumer's own line comes once, if yet.
    expect(byActor(wharf.lines, (l) => l.msg === 'joining Kafka failed, retrying').length, 'join failure lines').to.be.at.most(1);
    expect(wharf.stdout, 'stack traces at info').not.to.match(/\n\s+at \S/);
    expect(wharf.stdout).not.to.contain('"stack"');
    const warnings = wharf.lines.filter((l) => l.level === 'warn' || l.level === 'error');
    expect(warnings.length, warnings.map((l) => l.msg).join('\n')).to.be.below(15);

    proxy = proxyTo(sharedKafka);
    await new Promise<void>((done) => proxy!.server.listen(port, '127.0.0.1', done));
    await wharf.waitForLog((l) => l.msg === 'wharf healthy', 120_000);
    const back = await wharf.waitForLog((l) => l.actor === 'consumers-1' && typeof l.msg === 'string' && l.msg.startsWith(`Kafka ${broker} reachable again after `), 60_000);
    expect(back.level).to.equal('info');
    expect(Number(back.downMs)).to.be.greaterThan(5000);
    // A join that failed says when it succeeds (one still in kafkajs's own retries simply succeeds).
    if (wharf.lines.some((l) => l.msg === 'joining Kafka failed, retrying'))
      await wharf.waitForLog((l) => l.actor === 'consumers-1' && /^consumer group \S+ joined after \d+ m?s$/.test(l.msg), 120_000);
    expect(byActor(wharf.lines, (l) => l.msg.startsWith(`Kafka ${broker} still unreachable`)), 'no repeat line within a minute').to.deep.equal([]);
  });

  it('says "sink unavailable" once per consumer however many partitions wait, then "available again"; every record arrives', async () => {
    const esPort = await freePort();
    const stack = localStack();
    const sinkRun = new PipelineRun({ ...stack, elasticsearch: { ...localElasticsearch(), node: `http://127.0.0.1:${esPort}` } });
    const esProxy = proxyTo(new URL(localElasticsearch().node).host);
    try {
      sinkRun.upstream.add(200);
      await sinkRun.start({ consumers: { count: 1 }, waitUntilHealthy: false });
      const wharf = sinkRun.wharf!;
      await wharf.waitForLog((l) => l.msg === 'sink unavailable; partition waits and retries' && l.actor === 'consumers-1', 90_000);
      await new Promise((r) => setTimeout(r, 10_000));
      const unavailable = wharf.lines.filter((l) => l.msg === 'sink unavailable; partition waits and retries');
      expect(unavailable.map((l) => [l.actor, l.sink, l.reason])).to.deep.equal([['consumers-1', 'search', 'ECONNREFUSED']]);
      expect(wharf.stdout, 'stack traces at info').not.to.match(/\n\s+at \S/);

      await new Promise<void>((done) => esProxy.server.listen(esPort, '127.0.0.1', done));
      const back = await wharf.waitForLog((l) => l.actor === 'consumers-1' && l.msg.startsWith('sink search available again after '), 90_000);
      expect(back.level).to.equal('info');
      await eventually(() => sinkRun.esCount(), (n) => n === 200, 90_000, '200 in Elasticsearch');
    } finally {
      await sinkRun.stop();
      await esProxy.close();
    }
  });

  it('says "ZooKeeper failing" once per poller while its port refuses, then "answering again", and the source is polled', async () => {
    const zkPort = await freePort();
    const zkRun = new PipelineRun();
    const zkProxy = proxyTo(localConfig().zookeeper.connect.split(',')[0]);
    try {
      zkRun.upstream.add(20);
      await zkRun.start({ consumers: { count: 1 }, zookeeper: { connect: `127.0.0.1:${zkPort}` }, waitUntilHealthy: false });
      const wharf = zkRun.wharf!;
      const failing = `ZooKeeper 127.0.0.1:${zkPort} failing`;
      await wharf.waitForLog((l) => l.actor === 'pollers-orders' && l.msg.startsWith(failing), 60_000);
      // Each attempt waits for a session up to 10 s, then backs off: let at least one more fail.
      await new Promise((r) => setTimeout(r, 12_000));
      expect(byActor(wharf.lines, (l) => l.msg.startsWith(failing))).to.deep.equal(['pollers-orders']);
      expect(wharf.stdout, 'stack traces at info').not.to.match(/\n\s+at \S/);

      await new Promise<void>((done) => zkProxy.server.listen(zkPort, '127.0.0.1', done));
      const back = await wharf.waitForLog((l) => l.actor === 'pollers-orders' && l.msg.startsWith(`ZooKeeper 127.0.0.1:${zkPort} answering again after `), 90_000);
      expect(back.level).to.equal('info');
      await eventually(() => zkRun.esCount(), (n) => n === 20, 90_000, '20 in Elasticsearch');
    } finally {
      await zkRun.stop();
      await zkProxy.close();
    }
  });
});
