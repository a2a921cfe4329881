/**
 * Preloaded (`--require`, fork-flags.ts) into every forked actor process, before comedy's
 * forked-actor-worker.js runs. That script starts with `require('babel-polyfill')`, for
 * transpiled projects: core-js 2 and regenerator. Node 20 has natively everything it polyfills,
 * and it costs each child about 17 MiB of RSS and some 330 module loads; it also swaps a few
 * built-ins for its own (parseInt, parseFloat, String.prototype.trim), so children ran other
 * built-ins than the root and the unit tests. An empty, already loaded module is put into
 * Node's module cache under the path comedy resolves `babel-polyfill` to, so that comedy's
 * require returns it. A comedy without babel-polyfill: nothing to do.
 */
import Module from 'node:module';
import { dirname } from 'node:path';

function stubBabelPolyfill(): void {
  let path: string;
  try {
    // comedy's worker script is in comedy/lib/; it resolves the package as comedy's own directory does.
    path = require.resolve('babel-polyfill', { paths: [dirname(require.resolve('comedy'))] });
  } catch {
    return;
  }
  const stub = new Module(path);
  stub.filename = path;
  stub.loaded = true;
  require.cache[path] = stub;
}

stubBabelPolyfill();
