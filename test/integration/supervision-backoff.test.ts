/**
 * Per-child backoff over real forked processes: a child in a long backoff delays neither its
 * siblings' restarts nor reloads; a reload or a stop cancels the restart it waits for; the
 * restart intensity escalates at once, without waiting out a backoff; a bad spec starts nothing.
 * After each test the number of leftover worker processes is counted and must be zero.
 */
import { expect } from 'chai';
import { InvalidChildSpecError } from '../../src/supervisors/check-spec';
import { reliableCall } from '../../src/supervisors/reliable-call';
import { supervisor, worker } from '../../src/supervisors/spec';
import { Supervisor } from '../../src/supervisors/supervisor';
import { Harness, harnessPerTest, probe, workerProcesses } from '../helpers/supervision';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Reports a measured duration in the test output (the figures are part of what these tests show). */
function measured(what: string, ms: number): number {
  console.log(`      ${what}: ${ms.toFixed(0)} ms`);
  return ms;
}

describe('supervision: per-child backoff and reloads over forked processes', function () {
  this.timeout(60_000);
  const harness = harnessPerTest();
  let h: Harness;
  beforeEach(() => (h = harness()));

  it('while one child sits in a 10 s backoff, a SIGKILLed sibling serves again in under 1 s, and replaceChild and addChild complete in under 1 s', async () => {
    // 'looping' fails every start, so its own backoff grows 160 ms, 320 ms, ... up to 10 s.
    await h.start([probe('looping', { settings: { failStart: true } }), probe('steady'), probe('other')], {
      maxRestarts: 30,
      withinMs: 120_000,
      backoff: { minMs: 160, maxMs: 10_000, jitter: 0, resetAfterMs: 120_000 },
    });
    await h.until((events) => events.some((e) => e.type === 'restart_scheduled' && e.child === 'looping' && e.delayMs === 10_000), 30_000);
    const backoffStarted = h.timeOf((e) => e.type === 'restart_scheduled' && e.delayMs === 10_000);
    const loopingDelays = h.of('restart_scheduled').filter((e) => e.child === 'looping').map((e) => e.delayMs);
    expect(loopingDelays).to.deep.equal([160, 320, 640, 1280, 2560, 5120, 10_000]);

    const killedPid = h.pidOf('steady');
    const killedAt = performance.now();
    process.kill(killedPid, 'SIGKILL');
    await h.until((events) => events.some((e) => e.type === 'child_started' && e.child === 'steady' && e.restarts === 1), 5000);
    const restartedIn = measured('SIGKILL -> sibling child_started', h.timeOf((e) => e.type === 'child_started' && e.child === 'steady' && e.restarts === 1) - killedAt);
    const answer = (await reliableCall(h.tree, 'steady', 'echo', 'back', { timeoutMs: 2000, deadlineMs: 5000 })) as { pid: number };
    const servingIn = measured('SIGKILL -> sibling answers a request', performance.now() - killedAt);
    expect(answer.pid).not.to.equal(killedPid);
    // Its own first failure: minMs, not the looping child's 10 s.
    expect(h.of('restart_scheduled').filter((e) => e.child === 'steady').map((e) => e.delayMs)).to.deep.equal([160]);
    expect(restartedIn).to.be.lessThan(1000);
    expect(servingIn).to.be.lessThan(1000);

    const otherPid = h.pidOf('other');
    let started = performance.now();
    await h.tree.replaceChild(probe('other', { settings: { stopDelayMs: 10 } }));
    expect(measured('replaceChild during the 10 s backoff', performance.now() - started)).to.be.lessThan(1000);
    expect(h.pidOf('other')).not.to.equal(otherPid);

    started = performance.now();
    await h.tree.addChild(probe('added'));
    expect(measured('addChild during the 10 s backoff', performance.now() - started)).to.be.lessThan(1000);
    expect(h.tree.childIds()).to.deep.equal(['looping', 'steady', 'other', 'added']);

    // All of it happened inside the looping child's backoff, which is still pending.
    expect(performance.now() - backoffStarted).to.be.lessThan(10_000);
    expect(h.tree.describe().children!.map((c) => [c.id, c.state])).to.deep.equal([
      ['looping', 'restarting'],
      ['steady', 'running'],
      ['other', 'running'],
      ['added', 'running'],
    ]);

    started = performance.now();
    await h.tree.stop();
    expect(measured('stop during the 10 s backoff', performance.now() - started)).to.be.lessThan(5000);
    expect(workerProcesses()).to.deep.equal([]);
  });

  it('a reload of a child waiting for its restart cancels that restart: replaceChild starts the new spec now, removeChild leaves nothing to start', async () => {
    await h.start([probe('a'), probe('b'), probe('c')], { backoff: { minMs: 1500, maxMs: 1500, jitter: 0, resetAfterMs: 60_000 } });
    await h.tree.call('b', 'crash', null);
    await h.until((events) => events.some((e) => e.type === 'restart_scheduled' && e.child === 'b'));
    let started = performance.now();
    await h.tree.replaceChild(probe('b', { settings: { stopDelayMs: 1 } }));
    expect(measured('replaceChild of a child in backoff', performance.now() - started)).to.be.lessThan(1000);
    const replacedPid = h.pidOf('b');

    await h.tree.call('c', 'crash', null);
    await h.until((events) => events.some((e) => e.type === 'restart_scheduled' && e.child === 'c'));
    started = performance.now();
    await h.tree.removeChild('c');
    expect(measured('removeChild of a child in backoff', performance.now() - started)).to.be.lessThan(1000);

    await sleep(2000); // past both restarts' due time
    expect(h.of('child_started').map((e) => e.child)).to.deep.equal(['a', 'b', 'c', 'b']);
    expect(h.pidOf('b')).to.equal(replacedPid);
    expect(h.tree.childIds()).to.deep.equal(['a', 'b']);
    expect(h.tree.currentSpec().children[1]).to.deep.include({ id: 'b', settings: { stopDelayMs: 1 } });
    expect(workerProcesses().sort()).to.deep.equal([h.pidOf('a'), replacedPid].sort());
  });

  it('stopping a supervisor cancels its waiting restarts: stop does not wait for them and nothing starts afterwards', async () => {
    await h.start([probe('a'), probe('b')], { backoff: { minMs: 1500, maxMs: 1500, jitter: 0, resetAfterMs: 60_000 } });
    await h.tree.call('a', 'crash', null);
    await h.until((events) => events.some((e) => e.type === 'restart_scheduled'));
    const started = performance.now();
    await h.tree.stop();
    expect(measured('stop with a restart waiting 1.5 s', performance.now() - started)).to.be.lessThan(1000);
    await sleep(2000);
    expect(h.of('child_started').map((e) => e.child)).to.deep.equal(['a', 'b']);
    expect(workerProcesses()).to.deep.equal([]);
  });

  it('escalates as soon as the intensity is exceeded, without waiting out a pending backoff', async () => {
    let escalatedAt: number | undefined;
    await h.start([probe('a'), probe('b')], { maxRestarts: 1, withinMs: 60_000, backoff: { minMs: 5000, maxMs: 5000, jitter: 0, resetAfterMs: 60_000 } });
    h.tree.onEscalate = () => (escalatedAt = performance.now());
    await h.tree.call('a', 'crash', null);
    await h.until((events) => events.some((e) => e.type === 'restart_scheduled'));
    await h.tree.call('b', 'crash', null);
    await h.until(() => escalatedAt !== undefined, 3000);
    const afterExit = measured('second exit -> escalation', escalatedAt! - h.timeOf((e) => e.type === 'child_exited' && e.child === 'b'));
    expect(afterExit).to.be.lessThan(1000);
    expect(h.of('escalated')[0].reason).to.match(/^2 restarts within 60000 ms \(max 1\); last: b: exit code 3/);
    expect(h.of('child_started')).to.have.length(2);
  });

  it('a nested supervisor restarted by its parent keeps a child added to it by a reload', async () => {
    const inner = supervisor({ id: 'inner', children: [probe('x')], flags: { maxRestarts: 0, withinMs: 60_000 } });
    await h.start([inner]);
    const nested = h.tree.child('inner')!;
    await nested.addChild(probe('y'));
    await nested.call('x', 'crash', null);
    // inner gives up at once (maxRestarts 0); the root restarts it from the spec it had grown to.
    await h.until((events) => events.filter((e) => e.type === 'child_started' && e.supervisor === 'test' && e.child === 'inner').length === 2);
    const restarted = h.tree.child('inner')!;
    expect(restarted).not.to.equal(nested);
    expect(restarted.childIds()).to.deep.equal(['x', 'y']);
    expect(Object.values(h.pids(restarted)).every((pid) => typeof pid === 'number')).to.equal(true);
    // The data it started from is untouched: only the running state grew.
    expect(h.tree.spec.children[0]).to.deep.equal(inner);
  });

  it('a bad spec starts nothing: the constructor throws, and addChild of a duplicate id rejects', async () => {
    await h.start([probe('a')]);
    const root = await h.system.rootActor();
    expect(() => new Supervisor(supervisor({ id: 'bad', children: [probe('p'), probe('p')] }), { parentActor: root, report: () => undefined })).to.throw(
      InvalidChildSpecError,
      /duplicate_child_id/,
    );
    const duplicate = await h.tree.addChild(probe('a')).then(() => undefined, (err: unknown) => err);
    expect(duplicate).to.be.instanceOf(InvalidChildSpecError).and.deep.include({ tag: 'duplicate_child_id', childId: 'a', value: 'a' });
    const relative = await h.tree.addChild(worker({ id: 'r', module: 'dist/test/fixtures/probe-actor' })).then(() => undefined, (err: unknown) => err);
    expect(relative).to.be.instanceOf(InvalidChildSpecError).and.deep.include({ tag: 'invalid_module', childId: 'r' });
    expect(h.tree.childIds()).to.deep.equal(['a']);
    expect(workerProcesses()).to.deep.equal([h.pidOf('a')]);
  });
});
