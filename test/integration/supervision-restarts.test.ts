/**
 * Supervisors over real forked processes: crash detection and restart with backoff, restart
 * types, strategies, restart intensity and escalation, hung and failing children. After each
 * test the number of leftover worker processes is counted and must be zero.
 */
import { expect } from 'chai';
import { ActorRequestError, ChildUnavailableError } from '../../src/errors';
import { reliableCall } from '../../src/supervisors/reliable-call';
import { Harness, harnessPerTest, orphansAfter, probe, workerProcesses } from '../helpers/supervision';

describe('supervision over forked processes', function () {
  this.timeout(60_000);
  const harness = harnessPerTest();
  let h: Harness;
  beforeEach(() => (h = harness()));

  it('restarts a SIGKILLed child after the backoff; the pending request is rejected as retriable, and the next request succeeds', async () => {
    await h.start([probe('a')]);
    const firstPid = h.pidOf('a');
    const pending = h.tree.call('a', 'slowEcho', { ms: 5000 });
    process.kill(firstPid, 'SIGKILL');

    const rejection = await pending.then(() => undefined, (err: unknown) => err);
    expect(rejection).to.be.instanceOf(ActorRequestError);
    expect((rejection as ActorRequestError).retriable).to.equal(true);

    await h.until((events) => events.some((e) => e.type === 'restart_scheduled'));
    const exited = h.of('child_exited')[0];
    expect(exited).to.include({ child: 'a', exit: 'killed', detail: 'signal SIGKILL' });
    expect(h.of('restart_scheduled')[0]).to.deep.include({ child: 'a', restarting: ['a'], delayMs: 50 });

    let retries = 0;
    const answer = (await reliableCall(h.tree, 'a', 'echo', 'again', { timeoutMs: 2000, deadlineMs: 10_000, onRetry: () => retries++ })) as {
      pid: number;
      payload: string;
    };
    expect(retries).to.be.greaterThan(0);
    expect(answer.payload).to.equal('again');
    expect(answer.pid).not.to.equal(firstPid);
    expect(workerProcesses()).to.deep.equal([answer.pid]);
  });

  it('rejects requests to a child that is restarting with a retriable ChildUnavailableError', async () => {
    await h.start([probe('a')], { backoff: { minMs: 1000, maxMs: 1000, jitter: 0, resetAfterMs: 10_000 } });
    process.kill(h.pidOf('a'), 'SIGKILL');
    await h.until((events) => events.some((e) => e.type === 'restart_scheduled'));
    const err = await h.tree.call('a', 'echo', 1).then(() => undefined, (e: unknown) => e);
    expect(err).to.be.instanceOf(ChildUnavailableError);
    expect((err as ChildUnavailableError).retriable).to.equal(true);
  });

  it('escalates after more than maxRestarts within withinMs and stops its children', async () => {
    let escalation: string | undefined;
    await h.start([probe('a'), probe('b')], { maxRestarts: 2, withinMs: 10_000 });
    h.tree.onEscalate = (reason) => (escalation = reason);
    for (let i = 0; i < 3; i++) {
      const pid = h.pidOf('a');
      await h.tree.call('a', 'crash', null);
      await h.until((events) => events.filter((e) => e.type === 'child_exited').length === i + 1);
      if (i < 2) await h.until((events) => events.filter((e) => e.type === 'child_started' && e.child === 'a').length === i + 2);
      expect(pid).to.be.a('number');
    }
    await h.until(() => escalation !== undefined);
    expect(escalation).to.match(/^3 restarts within 10000 ms \(max 2\); last: a: exit code 3/);
    expect(h.of('escalated')).to.have.length(1);
    expect(h.of('child_stopped').map((e) => e.child)).to.deep.equal(['b']);
    expect(await orphansAfter()).to.deep.equal([]);
  });

  it('forgets old restarts after a quiet period: crashes spread wider than withinMs never escalate', async () => {
    let escalated = false;
    await h.start([probe('a')], { maxRestarts: 1, withinMs: 700, backoff: { minMs: 50, maxMs: 50, jitter: 0, resetAfterMs: 700 } });
    h.tree.onEscalate = () => (escalated = true);
    for (let i = 0; i < 3; i++) {
      await h.tree.call('a', 'crash', null);
      await h.until((events) => events.filter((e) => e.type === 'child_started').length === i + 2);
      await new Promise((r) => setTimeout(r, 800));
    }
    expect(escalated).to.equal(false);
    expect(h.of('restart_scheduled').map((e) => e.delayMs)).to.deep.equal([50, 50, 50]);
  });

  it('grows the backoff delay with consecutive failures', async () => {
    await h.start([probe('a')], { backoff: { minMs: 50, maxMs: 400, jitter: 0, resetAfterMs: 10_000 } });
    for (let i = 0; i < 3; i++) {
      await reliableCall(h.tree, 'a', 'crash', null, { timeoutMs: 2000, deadlineMs: 10_000 });
      await h.until((events) => events.filter((e) => e.type === 'child_started').length === i + 2);
    }
    expect(h.of('restart_scheduled').map((e) => e.delayMs)).to.deep.equal([50, 100, 200]);
  });

  it('one-for-all: a crash restarts every sibling, the others stopped in reverse order first', async () => {
    await h.start([probe('a'), probe('b'), probe('c')], { strategy: 'one-for-all' });
    const before = ['a', 'b', 'c'].map((id) => h.pidOf(id));
    await h.tree.call('b', 'crash', null);
    await h.until((events) => events.filter((e) => e.type === 'child_started').length === 6);
    expect(h.of('child_stopped').map((e) => e.child)).to.deep.equal(['c', 'a']);
    expect(h.of('child_started').slice(3).map((e) => e.child)).to.deep.equal(['a', 'b', 'c']);
    const after = ['a', 'b', 'c'].map((id) => h.pidOf(id));
    after.forEach((pid, i) => expect(pid).not.to.equal(before[i]));
  });

  it('rest-for-one: a crash restarts the child and those started after it, not those before', async () => {
    await h.start([probe('a'), probe('b'), probe('c')], { strategy: 'rest-for-one' });
    const [a, b, c] = ['a', 'b', 'c'].map((id) => h.pidOf(id));
    await h.tree.call('b', 'crash', null);
    await h.until((events) => events.filter((e) => e.type === 'child_started').length === 5);
    expect(h.of('restart_scheduled')[0].restarting).to.deep.equal(['b', 'c']);
    expect(h.of('child_stopped').map((e) => e.child)).to.deep.equal(['c']);
    expect(h.pidOf('a')).to.equal(a);
    expect(h.pidOf('b')).not.to.equal(b);
    expect(h.pidOf('c')).not.to.equal(c);
  });

  it('transient: not restarted after a normal exit, restarted after a crash', async () => {
    await h.start([probe('normal', { restart: 'transient' }), probe('crashing', { restart: 'transient' })]);
    await h.tree.call('normal', 'exitNormally', null);
    await h.tree.call('crashing', 'crash', null);
    await h.until((events) => events.filter((e) => e.type === 'child_started').length === 3);
    await new Promise((r) => setTimeout(r, 300));
    expect(h.of('child_not_restarted')).to.deep.equal([
      { type: 'child_not_restarted', supervisor: 'test', child: 'normal', exit: 'normal', restart: 'transient' },
    ]);
    expect(h.of('child_started').map((e) => e.child)).to.deep.equal(['normal', 'crashing', 'crashing']);
    expect(h.tree.describe().children!.map((c) => c.state)).to.deep.equal(['stopped', 'running']);
  });

  it('temporary: never restarted, even after a crash', async () => {
    await h.start([probe('t', { restart: 'temporary' })]);
    await h.tree.call('t', 'crash', null);
    await h.until((events) => events.some((e) => e.type === 'child_not_restarted'));
    await new Promise((r) => setTimeout(r, 300));
    expect(h.of('child_started')).to.have.length(1);
    expect(workerProcesses()).to.deep.equal([]);
  });

  it('detects a hung child by its missing heartbeat, kills it and starts a replacement', async () => {
    await h.start([probe('h', { heartbeat: { intervalMs: 100, timeoutMs: 600 } })]);
    const hungPid = h.pidOf('h');
    await h.tree.call('h', 'hang', null);
    await h.until((events) => events.filter((e) => e.type === 'child_started').length === 2, 10_000);
    expect(h.of('child_exited')[0]).to.include({ child: 'h', exit: 'hung' });
    const answer = (await reliableCall(h.tree, 'h', 'echo', 'ok', { timeoutMs: 2000, deadlineMs: 10_000 })) as { pid: number };
    expect(answer.pid).not.to.equal(hungPid);
    expect(workerProcesses()).to.deep.equal([answer.pid]);
  });

  it('a child whose start fails keeps failing with growing backoff until escalation, never more than one process at a time', async () => {
    let escalated = false;
    let maxProcesses = 0;
    const sampler = setInterval(() => (maxProcesses = Math.max(maxProcesses, workerProcesses().length)), 20);
    try {
      await h.start([probe('bad', { settings: { failStart: true } })], {
        maxRestarts: 3,
        withinMs: 30_000,
        backoff: { minMs: 50, maxMs: 1000, jitter: 0, resetAfterMs: 30_000 },
      });
      h.tree.onEscalate = () => (escalated = true);
      await h.until(() => escalated, 20_000);
    } finally {
      clearInterval(sampler);
    }
    expect(h.of('child_start_failed')).to.have.length(4);
    expect(h.of('child_start_failed')[0].error).to.contain('probe told to fail its start');
    expect(h.of('restart_scheduled').map((e) => e.delayMs)).to.deep.equal([50, 100, 200]);
    expect(h.of('child_started')).to.deep.equal([]);
    expect(maxProcesses).to.equal(1);
  });

  it('starts children in order and stops them in reverse order; one that ignores stop is killed after its shutdown timeout', async () => {
    await h.start([probe('first'), probe('slow', { shutdownMs: 300, settings: { stopDelayMs: 30_000 } }), probe('last')]);
    expect(h.of('child_started').map((e) => e.child)).to.deep.equal(['first', 'slow', 'last']);
    const started = Date.now();
    await h.tree.stop();
    // Generous bound: without the kill, the slow child would hold the stop for 30 s.
    expect(Date.now() - started).to.be.lessThan(15_000);
    expect(h.of('child_stopped').map((e) => e.child)).to.deep.equal(['last', 'slow', 'first']);
    expect(workerProcesses()).to.deep.equal([]);
  });
});
