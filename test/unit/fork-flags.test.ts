/**
 * A forked worker's node flags: its heap limits replace the parent's, the rest of the parent's
 * (already filtered to safe flags) is kept, and WHARF_FORK_EXEC_ARGV adds to them.
 */
import { expect } from 'chai';
import { childExecArgv, heapFlags } from '../../src/supervisors/fork-flags';

describe('forked worker flags', () => {
  it('turns heap limits into node flags, none for limits left unset', () => {
    expect(heapFlags({ maxOldSpaceMiB: 128, maxSemiSpaceMiB: 4 })).to.deep.equal(['--max-old-space-size=128', '--max-semi-space-size=4']);
    expect(heapFlags({ maxSemiSpaceMiB: 2 })).to.deep.equal(['--max-semi-space-size=2']);
    expect(heapFlags({})).to.deep.equal([]);
  });

  it("replaces the parent's heap limits with the worker's and keeps its other flags", () => {
    const parent = ['--enable-source-maps', '--max-old-space-size=2048'];
    expect(childExecArgv(parent, { maxOldSpaceMiB: 96 }, '')).to.deep.equal(['--enable-source-maps', '--max-old-space-size=96']);
    expect(childExecArgv(parent, {}, '')).to.deep.equal(parent);
  });

  it('adds the space-separated flags of WHARF_FORK_EXEC_ARGV last', () => {
    expect(childExecArgv([], { maxSemiSpaceMiB: 2 }, ' --cpu-prof  --cpu-prof-dir=/tmp/p ')).to.deep.equal(['--max-semi-space-size=2', '--cpu-prof', '--cpu-prof-dir=/tmp/p']);
  });
});
