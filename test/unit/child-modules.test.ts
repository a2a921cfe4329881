/**
 * What a forked actor process loads: comedy's worker script (with wharf's preload, as
 * fork-flags.ts forks it), wharf's comedy logger and the actor's module, in a fresh node. The
 * children get validated configurations: the configuration schema (zod), the YAML parser and
 * the CLI stay in the root; comedy's babel-polyfill stays out; each actor kind loads only the
 * clients it uses. A value import of a config.ts, or of the wrong registry, shows here.
 */
import { expect } from 'chai';
import { execFileSync } from 'node:child_process';
import { resolve } from 'node:path';
import { BUILT_IN_ACTORS } from '../../src/actors/registry';
import { CHILD_PRELOAD_FLAG } from '../../src/supervisors/fork-flags';

const WORKER = require.resolve('comedy/lib/forked-actor-worker.js');
const LOGGER = resolve(__dirname, '../../src/supervisors/comedy-pino-logger');

/** The packages a forked child of this actor module has loaded once the module is in. */
function packagesLoaded(actorModule: string): string[] {
  const script = `for (const m of ${JSON.stringify([WORKER, LOGGER, actorModule])}) require(m);
    const names = Object.keys(require.cache).map((f) => /node_modules\\/((@[^/]+\\/)?[^/]+)/.exec(f)?.[1]).filter(Boolean);
    console.log(JSON.stringify([...new Set(names)].sort()));`;
  return JSON.parse(execFileSync(process.execPath, [CHILD_PRELOAD_FLAG, '-e', script], { encoding: 'utf8' })) as string[];
}

// (babel-polyfill itself is in the module cache: the preload's empty stand-in.)
const ROOT_ONLY = ['zod', 'yaml', 'commander', 'core-js', 'regenerator-runtime'];

describe('modules of forked actor processes', function () {
  this.timeout(30_000);

  it('a partition consumer loads its sinks\' clients, Kafka and comedy; not the configuration schema, the YAML parser, the CLI, ZooKeeper or babel-polyfill', () => {
    const loaded = packagesLoaded(BUILT_IN_ACTORS['partition-consumer']);
    expect(loaded).to.include.members(['comedy', 'kafkajs', '@elastic/elasticsearch', 'nano', 'pino', 'prom-client']);
    expect(loaded.filter((p) => [...ROOT_ONLY, 'node-zookeeper-client'].includes(p))).to.deep.equal([]);
  });

  it('a source poller loads ZooKeeper and Kafka; no sink client, and undici only once a `tls` key needs it', () => {
    const loaded = packagesLoaded(BUILT_IN_ACTORS['source-poller']);
    expect(loaded).to.include.members(['comedy', 'kafkajs', 'node-zookeeper-client', 'pino', 'prom-client']);
    expect(loaded.filter((p) => [...ROOT_ONLY, '@elastic/elasticsearch', 'nano', 'undici'].includes(p))).to.deep.equal([]);
  });

  it('a forked service-health actor loads no configuration schema either', () => {
    expect(packagesLoaded(BUILT_IN_ACTORS['service-health']).filter((p) => ROOT_ONLY.includes(p))).to.deep.equal([]);
  });
});
