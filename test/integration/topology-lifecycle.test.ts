/**
 * The supervision tree as `wharf run` builds it from config/actors.json, with groups of probe
 * actors in real forked processes: start order, drain on SIGTERM, hot reload that touches only
 * the changed group, a refused invalid reload, children outliving a SIGKILLed parent by at most
 * a few seconds, and the root giving up with a non-zero exit. Processes are counted after each.
 */
import { expect } from 'chai';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ActorGroupConfig } from '../../src/config/actors-schema';
import { localConfig } from '../helpers/local-stack';
import { PROBE_MODULE, workerProcesses } from '../helpers/supervision';
import { CLI, WharfProcess, type LogLine } from '../helpers/wharf-process';

type GroupInput = Partial<ActorGroupConfig> & { id: string };

function writeConfig(file: string, groups: GroupInput[], extra: object = {}): void {
  const base = localConfig();
  const actors = {
    root: { maxRestarts: 0, withinMs: 60_000, backoff: { minMs: 50, maxMs: 200 } },
    groups: groups.map((g) => ({ module: PROBE_MODULE, heartbeat: { intervalMs: 200, timeoutMs: 2000 }, ...g })),
  };
  // No partition consumers: these tests are about the supervision of the operator's groups.
  const pipeline = { consumers: { count: 0 } };
  writeFileSync(file, JSON.stringify({ kafka: base.kafka, zookeeper: base.zookeeper, sinks: base.sinks, actors, pipeline, log: { level: 'info' }, metrics: { port: 0 }, ...extra }));
}

function started(lines: LogLine[]): Array<{ child: string; pid: number }> {
  return lines.filter((l) => l.event === 'child_started' && l.actorPid).map((l) => ({ child: String(l.child), pid: Number(l.actorPid) }));
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function waitFor(condition: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

describe('topology from config/actors.json (wharf run, forked probe actors)', function () {
  this.timeout(90_000);
  let dir: string;
  let configFile: string;
  let wharf: WharfProcess | undefined;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'wharf-topology-'));
    configFile = join(dir, 'actors.json');
  });

  afterEach(async () => {
    if (!wharf) return;
    if ((await Promise.race([wharf.exited.then(() => true), new Promise((r) => setTimeout(() => r(false), 10))])) === false) {
      wharf.signal('SIGKILL');
      await wharf.exited;
    }
    // Zero orphans: every actor process this wharf ever started is gone.
    const pids = started(wharf.lines).map((w) => w.pid);
    await waitFor(() => pids.every((pid) => !alive(pid)), 10_000, `actor processes ${pids.join(', ')} to exit`);
    wharf = undefined;
  });

  it('starts the groups and their workers in order, and on SIGTERM stops them in reverse order and exits 0 with no process left', async () => {
    writeConfig(configFile, [
      { id: 'sinks', count: 2 },
      { id: 'intake', count: 2 },
    ]);
    wharf = new WharfProcess(['run', '--config', configFile, '--pid-file', join(dir, 'pid')]);
    await wharf.waitForLog((l) => l.msg === 'wharf healthy', 60_000);
    const workers = started(wharf.lines);
    expect(workers.map((w) => w.child)).to.deep.equal(['sinks-1', 'sinks-2', 'intake-1', 'intake-2']);
    expect(workerProcesses(wharf.pid).sort()).to.deep.equal(workers.map((w) => w.pid).sort());

    wharf.signal('SIGTERM');
    expect(await wharf.exited).to.equal(0);
    const stopped = wharf.lines.filter((l) => l.event === 'child_stopped').map((l) => String(l.child));
    expect(stopped).to.deep.equal(['intake-2', 'intake-1', 'intake', 'sinks-2', 'sinks-1', 'sinks', 'pollers', 'consumers', 'health-1', 'health']);
    workers.forEach((w) => expect(alive(w.pid), `pid ${w.pid}`).to.equal(false));
  });

  it('drains in order and exits 0 when SIGTERM reaches every process of the service at once (systemd control-group kill)', async () => {
    writeConfig(configFile, [
      { id: 'sinks', count: 1 },
      { id: 'intake', count: 2, settings: { stopDelayMs: 300 } },
    ]);
    wharf = new WharfProcess(['run', '--config', configFile, '--pid-file', join(dir, 'pid')], {}, { ownProcessGroup: true });
    await wharf.waitForLog((l) => l.msg === 'wharf healthy', 60_000);
    wharf.signalGroup('SIGTERM');
    expect(await wharf.exited).to.equal(0);
    expect(wharf.lines.filter((l) => l.event === 'child_exited')).to.deep.equal([]);
    const stopped = wharf.lines.filter((l) => l.event === 'child_stopped').map((l) => String(l.child));
    expect(stopped).to.deep.equal(['intake-2', 'intake-1', 'intake', 'sinks-1', 'sinks', 'pollers', 'consumers', 'health-1', 'health']);
  });

  it('hot reload: changing one group\'s count scales only that group (SIGHUP and `wharf reload`), leaving the other group\'s processes alone', async () => {
    writeConfig(configFile, [
      { id: 'steady', count: 2 },
      { id: 'scaling', count: 2 },
    ]);
    const pidFile = join(dir, 'pid');
    wharf = new WharfProcess(['run', '--config', configFile, '--pid-file', pidFile]);
    await wharf.waitForLog((l) => l.msg === 'wharf healthy', 60_000);
    const steadyPids = started(wharf.lines).filter((w) => w.child.startsWith('steady')).map((w) => w.pid);

    writeConfig(configFile, [
      { id: 'steady', count: 2 },
      { id: 'scaling', count: 3 },
    ]);
    wharf.signal('SIGHUP');
    const up = await wharf.waitForLog((l) => l.msg === 'reload applied', 30_000);
    expect(up).to.deep.include({ scaled: ['scaling'], unchanged: ['health', 'consumers', 'pollers', 'steady'], added: [], removed: [], restarted: [] });
    expect(started(wharf.lines).map((w) => w.child).slice(-1)).to.deep.equal(['scaling-3']);

    writeConfig(configFile, [
      { id: 'steady', count: 2 },
      { id: 'scaling', count: 1 },
    ]);
    await new Promise<void>((done, fail) => execFile(process.execPath, [CLI, 'reload', '--pid-file', pidFile], (err) => (err ? fail(new Error(err.message)) : done())));
    await waitFor(() => wharf!.lines.filter((l) => l.msg === 'reload applied').length === 2, 30_000, 'second reload');
    const down = wharf.lines.filter((l) => l.event === 'child_stopped').map((l) => String(l.child));
    expect(down).to.deep.equal(['scaling-3', 'scaling-2']);

    steadyPids.forEach((pid) => expect(alive(pid)).to.equal(true));
    expect(started(wharf.lines).filter((w) => w.child.startsWith('steady'))).to.have.length(2);
    expect(workerProcesses(wharf.pid)).to.have.length(3);
    wharf.signal('SIGTERM');
    expect(await wharf.exited).to.equal(0);
  });

  it('refuses an invalid configuration on reload, logs why, and keeps the running topology', async () => {
    writeConfig(configFile, [{ id: 'steady', count: 1 }]);
    wharf = new WharfProcess(['run', '--config', configFile, '--pid-file', join(dir, 'pid')]);
    await wharf.waitForLog((l) => l.msg === 'wharf healthy', 60_000);
    const before = workerProcesses(wharf.pid);

    writeConfig(configFile, [{ id: 'steady', count: -1 }]);
    wharf.signal('SIGHUP');
    const refused = await wharf.waitForLog((l) => l.msg.startsWith('reload refused'), 30_000);
    expect(refused.reasons).to.deep.equal(['actors.groups[0].count: too small: expected number to be >=0, got -1']);
    expect(workerProcesses(wharf.pid)).to.deep.equal(before);
    wharf.signal('SIGTERM');
    expect(await wharf.exited).to.equal(0);
  });

  it('when wharf itself is SIGKILLed, its forked children notice and exit within a few seconds', async () => {
    writeConfig(configFile, [{ id: 'orphans', count: 3 }]);
    wharf = new WharfProcess(['run', '--config', configFile, '--pid-file', join(dir, 'pid')]);
    await wharf.waitForLog((l) => l.msg === 'wharf healthy', 60_000);
    const pids = started(wharf.lines).map((w) => w.pid);
    expect(pids).to.have.length(3);
    wharf.signal('SIGKILL');
    await wharf.exited;
    await waitFor(() => pids.every((pid) => !alive(pid)), 10_000, 'orphaned children to exit');
  });

  it('exits 1 when the root supervisor exceeds its restart intensity, leaving no process', async () => {
    writeConfig(configFile, [
      { id: 'fine', count: 1 },
      { id: 'doomed', count: 1, supervisor: { maxRestarts: 1, withinMs: 60_000, backoff: { minMs: 50, maxMs: 100 } } as never, settings: { failStart: true } },
    ]);
    wharf = new WharfProcess(['run', '--config', configFile, '--pid-file', join(dir, 'pid')]);
    expect(await wharf.exited).to.equal(1);
    const fatal = wharf.lines.find((l) => l.level === 'fatal');
    expect(fatal?.msg).to.match(/supervision tree gave up|could not start/);
    const escalations = wharf.lines.filter((l) => l.event === 'escalated').map((l) => String(l.supervisor));
    expect(escalations).to.deep.equal(['doomed', 'wharf']);
    started(wharf.lines).forEach((w) => expect(alive(w.pid)).to.equal(false));
  });

  it('an error nothing catches: a forked actor logs it as one fatal line and is restarted alone; inside wharf\'s process it ends wharf with exit 1, for the service manager to restart', async () => {
    const throwing = { id: 'throwing', count: 1, settings: { throwAfterMs: 300 } };
    writeConfig(configFile, [{ id: 'fine', count: 1 }, throwing]);
    wharf = new WharfProcess(['run', '--config', configFile, '--pid-file', join(dir, 'pid')]);
    await wharf.waitForLog((l) => l.event === 'child_started' && l.child === 'throwing-1' && l.restarts === 1, 30_000);
    const fatal = wharf.lines.filter((l) => l.level === 'fatal');
    expect(fatal.map((l) => [l.actor, l.msg, l.err])).to.deep.equal([['throwing-1', 'uncaught error: exiting so that its supervisor starts it again', 'probe told to throw where nothing catches']]);
    expect(fatal[0].at, 'where it was thrown').to.be.an('array').with.length.above(0);
    const [fine] = started(wharf.lines);
    expect(fine.child).to.equal('fine-1');
    expect(alive(fine.pid), 'the other actor kept running').to.equal(true);
    wharf.signal('SIGTERM');
    expect(await wharf.exited).to.equal(0);

    writeConfig(configFile, [{ id: 'fine', count: 1 }, { ...throwing, mode: 'in-memory' }]);
    wharf = new WharfProcess(['run', '--config', configFile, '--pid-file', join(dir, 'pid')]);
    expect(await wharf.exited).to.equal(1);
    expect(wharf.lines.filter((l) => l.level === 'fatal').map((l) => [l.msg, l.err])).to.deep.equal([
      ['uncaught error: exiting so that the service manager starts it again', 'probe told to throw where nothing catches'],
    ]);
    expect(wharf.stderr, 'no bare stack on stderr').to.not.include('probe told to throw');
    expect(existsSync(join(dir, 'pid')), 'its pid file removed').to.equal(false);
  });
});
