/**
 * A forked worker's node flags: its heap limits replace the parent's, the rest of the parent's
 * (already filtered to safe flags) is kept, the preload that spares it comedy's babel-polyfill
 * is added by absolute path, and WHARF_FORK_EXEC_ARGV adds to them.
 */
import { expect } from 'chai';
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, isAbsolute } from 'node:path';
import { CHILD_PRELOAD_FLAG, childExecArgv, heapFlags } from '../../src/supervisors/fork-flags';

const PRELOAD = CHILD_PRELOAD_FLAG;

describe('forked worker flags', () => {
  it('turns heap limits into node flags, none for limits left unset', () => {
    expect(heapFlags({ maxOldSpaceMiB: 128, maxSemiSpaceMiB: 4 })).to.deep.equal(['--max-old-space-size=128', '--max-semi-space-size=4']);
    expect(heapFlags({ maxSemiSpaceMiB: 2 })).to.deep.equal(['--max-semi-space-size=2']);
    expect(heapFlags({})).to.deep.equal([]);
  });

  it("replaces the parent's heap limits with the worker's and keeps its other flags", () => {
    const parent = ['--enable-source-maps', '--max-old-space-size=2048'];
    expect(childExecArgv(parent, { maxOldSpaceMiB: 96 }, '')).to.deep.equal(['--enable-source-maps', '--max-old-space-size=96', PRELOAD]);
    expect(childExecArgv(parent, {}, '')).to.deep.equal([...parent, PRELOAD]);
  });

  it('adds the space-separated flags of WHARF_FORK_EXEC_ARGV last', () => {
    expect(childExecArgv([], { maxSemiSpaceMiB: 2 }, ' --cpu-prof  --cpu-prof-dir=/tmp/p ')).to.deep.equal([
      '--max-semi-space-size=2',
      PRELOAD,
      '--cpu-prof',
      '--cpu-prof-dir=/tmp/p',
    ]);
  });

  it('preloads, by absolute path, a module that makes comedy\'s require("babel-polyfill") load nothing', () => {
    const path = PRELOAD.replace(/^--require=/, '');
    expect(isAbsolute(path), path).to.equal(true);
    expect(existsSync(path), path).to.equal(true);
    // What comedy's worker script requires first, as it resolves it, in a node started with the flag.
    const worker = require.resolve('comedy/lib/forked-actor-worker.js');
    const probe = `require(require.resolve('babel-polyfill', { paths: [${JSON.stringify(dirname(worker))}] }));
      console.log(JSON.stringify({ polyfill: '_babelPolyfill' in globalThis, coreJs: Object.keys(require.cache).filter((f) => f.includes('/core-js/')).length }));`;
    const loaded = (flags: string[]) => JSON.parse(execFileSync(process.execPath, [...flags, '-e', probe], { encoding: 'utf8' })) as { polyfill: boolean; coreJs: number };
    expect(loaded([PRELOAD])).to.deep.equal({ polyfill: false, coreJs: 0 });
    expect(loaded([]).polyfill, 'without the preload').to.equal(true);
  });
});
