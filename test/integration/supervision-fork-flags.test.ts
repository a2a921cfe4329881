/**
 * The node flags of real forked workers (fork-flags.ts): each child runs with its own heap
 * limits and wharf's preload, so comedy's babel-polyfill (core-js 2) never loads in it, also
 * after a restart; the parent's own flags are as they were.
 */
import { expect } from 'chai';
import { CHILD_PRELOAD_FLAG } from '../../src/supervisors/fork-flags';
import { Harness, harnessPerTest, probe } from '../helpers/supervision';

interface Footprint {
  pid: number;
  execArgv: string[];
  babelPolyfill: boolean;
  coreJsModules: number;
}

describe('supervision: node flags of forked workers', function () {
  this.timeout(60_000);
  const harness = harnessPerTest();
  let h: Harness;
  beforeEach(() => (h = harness()));

  it('forks each worker with its own heap limits and the preload; no core-js in it, before or after a restart', async () => {
    const parentFlags = [...process.execArgv];
    await h.start([probe('small', { heap: { maxOldSpaceMiB: 96, maxSemiSpaceMiB: 4 } }), probe('plain')]);
    const small = (await h.tree.call('small', 'footprint', null)) as Footprint;
    const plain = (await h.tree.call('plain', 'footprint', null)) as Footprint;
    expect(small.execArgv).to.include.members(['--max-old-space-size=96', '--max-semi-space-size=4', CHILD_PRELOAD_FLAG]);
    expect(plain.execArgv.filter((flag) => /^--max-(old|semi)-space-size/.test(flag))).to.deep.equal([]);
    expect(plain.execArgv).to.include(CHILD_PRELOAD_FLAG);
    for (const child of [small, plain]) expect(child).to.deep.include({ babelPolyfill: false, coreJsModules: 0 });
    expect(process.execArgv).to.deep.equal(parentFlags);

    await h.tree.call('small', 'crash', null);
    await h.until((events) => events.some((e) => e.type === 'child_started' && e.child === 'small' && e.restarts === 1));
    const restarted = (await h.tree.call('small', 'footprint', null)) as Footprint;
    expect(restarted.pid).not.to.equal(small.pid);
    expect(restarted.execArgv).to.include.members(['--max-old-space-size=96', CHILD_PRELOAD_FLAG]);
    expect(restarted).to.deep.include({ babelPolyfill: false, coreJsModules: 0 });
  });
});
