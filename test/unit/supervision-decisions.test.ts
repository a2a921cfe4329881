import { expect } from 'chai';
import { childrenToRestart, recordRestart, shouldRestart } from '../../src/supervisors/decider';
import { safeExecArgv } from '../../src/supervisors/exec-argv';
import { supervisor, worker } from '../../src/supervisors/spec';

describe('supervision decisions (pure)', () => {
  it('restarts permanent children always, transient ones only after an abnormal exit, temporary ones never', () => {
    expect(shouldRestart('permanent', 'normal')).to.equal(true);
    expect(shouldRestart('transient', 'normal')).to.equal(false);
    for (const exit of ['crash', 'killed', 'hung', 'start-failed'] as const) {
      expect(shouldRestart('transient', exit)).to.equal(true);
      expect(shouldRestart('temporary', exit)).to.equal(false);
    }
  });

  it('chooses the children to restart by strategy', () => {
    const order = ['a', 'b', 'c', 'd'];
    expect(childrenToRestart('one-for-one', order, 'b')).to.deep.equal(['b']);
    expect(childrenToRestart('one-for-all', order, 'b')).to.deep.equal(['a', 'b', 'c', 'd']);
    expect(childrenToRestart('rest-for-one', order, 'b')).to.deep.equal(['b', 'c', 'd']);
    expect(childrenToRestart('rest-for-one', order, 'zz')).to.deep.equal([]);
  });

  it('allows maxRestarts restarts within the window and flags the next one', () => {
    const limits = { maxRestarts: 3, withinMs: 1000 };
    let history: number[] = [];
    const outcomes = [0, 100, 200, 300].map((t) => {
      const r = recordRestart(history, t, limits);
      history = r.history;
      return r.exceeded;
    });
    expect(outcomes).to.deep.equal([false, false, false, true]);
  });

  it('forgets restarts older than the window', () => {
    const limits = { maxRestarts: 2, withinMs: 1000 };
    const r = recordRestart([0, 100], 1100, limits);
    expect(r).to.deep.equal({ history: [1100], exceeded: false });
  });

  it('keeps only execArgv flags that are safe to repeat in a forked child', () => {
    expect(safeExecArgv(['-e', 'fork()', '--inspect=9229', '--max-old-space-size=512', '--enable-source-maps'])).to.deep.equal([
      '--max-old-space-size=512',
      '--enable-source-maps',
    ]);
  });

  it('fills child specs and supervisor flags from one table of defaults', () => {
    const w = worker({ id: 'w', module: '/x' });
    expect(w).to.include({ restart: 'permanent', mode: 'forked', shutdownMs: 5000 });
    const s = supervisor({ id: 's', children: [w], flags: { strategy: 'rest-for-one', backoff: { minMs: 10 } } });
    expect(s.flags).to.deep.include({ strategy: 'rest-for-one', maxRestarts: 5, withinMs: 60_000 });
    expect(s.flags.backoff).to.deep.equal({ minMs: 10, maxMs: 30_000, jitter: 0.2, resetAfterMs: 60_000 });
    expect(s.shutdownMs).to.equal(6000);
  });
});
