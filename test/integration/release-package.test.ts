/**
 * The release tarball: `npm pack` holds runtime files only, and `npm install -g` of it into a
 * temporary prefix gives a working `wharf`: it says its version, checks a YAML configuration
 * whose numbers come from the environment, and alone prints help, exits 0 and starts nothing; the
 * preload of its forked actors is found inside the install and keeps comedy's babel-polyfill out.
 */
import { expect } from 'chai';
import { createConnection } from 'node:net';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { packageVersion, packCheckout, run } from '../helpers/release';

/** Whether anything accepts connections on 127.0.0.1:port. */
function listening(port: number): Promise<boolean> {
  return new Promise((done) => {
    const socket = createConnection({ host: '127.0.0.1', port }, () => socket.end(() => done(true)));
    socket.on('error', () => done(false));
  });
}

const YAML_CONFIG = `# wharf, configured from the environment
kafka:
  brokers: ["127.0.0.1:9092"]
  partitions: \${TEST_PARTITIONS}   # a number from the environment
zookeeper:
  connect: 127.0.0.1:2181
metrics:
  port: \${TEST_METRICS_PORT:-9464}
sinks:
  # the search index
  - id: search
    type: elasticsearch
    node: http://127.0.0.1:9200
    index: orders
`;

describe('the release tarball (npm pack, npm install -g)', function () {
  this.timeout(300_000);
  const dir = mkdtempSync(join(tmpdir(), 'wharf-release-'));
  const prefix = join(dir, 'prefix');
  let tarball: string;
  after(() => rmSync(dir, { recursive: true, force: true }));

  before(async () => {
    tarball = await packCheckout(dir);
  });

  it('holds the built code, examples, deploy files and install-service: no tests, benchmarks, TypeScript or source maps', async () => {
    expect(tarball).to.match(new RegExp(`wharf-${packageVersion().replace(/\./g, '\\.')}\\.tgz$`));
    const files = (await run('tar', ['-tzf', tarball])).stdout.trim().split('\n');
    for (const file of ['dist/src/cli.js', 'dist/build-info.json', 'npm-shrinkwrap.json', 'package.json', 'README.md', 'config/wharf.example.yaml',
      'config/actors.schema.json', 'deploy/wharf.service', 'scripts/install-service']) {
      expect(files, file).to.include(`package/${file}`);
    }
    expect(files.filter((f) => /\/(test|bench)\/|\.ts$|\.map$|config\/actors\.json$/.test(f))).to.deep.equal([]);
    const cli = (await run('tar', ['-xzOf', tarball, 'package/dist/src/cli.js'])).stdout;
    expect(cli.split('\n')[0]).to.equal('#!/usr/bin/env node');
  });

  it('installs into a prefix as a working wharf: --version, check-config of YAML with numbers from the environment, help without a command', async () => {
    const install = await run('npm', ['install', '--global', '--prefix', prefix, '--prefer-offline', '--no-audit', '--no-fund', '--ignore-scripts', tarball]);
    expect(install.code, install.stderr).to.equal(0);
    const wharf = join(prefix, 'bin/wharf');
    expect(existsSync(join(prefix, 'lib/node_modules/wharf/node_modules/mocha')), 'no dev dependency').to.equal(false);

    const version = await run(wharf, ['--version']);
    expect(version.code, version.stderr).to.equal(0);
    expect(version.stdout).to.match(new RegExp(`^wharf ${packageVersion().replace(/\./g, '\\.')} \\(commit [0-9a-f]{12}(-dirty)?, built \\d{4}-\\d\\d-\\d\\dT[\\d:]+Z, node ${process.versions.node}\\)\\n$`));

    const config = join(dir, 'wharf.yaml');
    writeFileSync(config, YAML_CONFIG);
    const env = { TEST_PARTITIONS: '12', TEST_METRICS_PORT: '19477' };
    const check = await run(wharf, ['check-config', '-c', config, '--json'], { env });
    expect(check.code, check.stderr).to.equal(0);
    expect(check.stderr).to.equal(`wharf: configuration ${config}\n`);
    const resolved = JSON.parse(check.stdout) as { kafka: { partitions: unknown }; metrics: { port: unknown } };
    expect(resolved.kafka.partitions).to.equal(12);
    expect(resolved.metrics.port).to.equal(19477);

    // Without a command: help, exit 0, nothing started (it would listen on the metrics port).
    const bare = await run(wharf, [], { env: { ...env, WHARF_CONFIG: config }, timeoutMs: 30_000 });
    expect(bare.code, bare.stderr).to.equal(0);
    expect(bare.stdout).to.match(/^Usage: wharf /).and.to.contain('run [options]').and.to.contain('check-config');
    expect(bare.stderr).to.equal('');
    expect(await listening(19477)).to.equal(false);

    // Forked actors preload child-preload.js by its absolute path in the install, where it stands
    // in for the installed comedy's babel-polyfill.
    const packageDir = join(prefix, 'lib/node_modules/wharf');
    const flag = (await run(process.execPath, ['-p', `require(${JSON.stringify(join(packageDir, 'dist/src/supervisors/fork-flags.js'))}).CHILD_PRELOAD_FLAG`])).stdout.trim();
    expect(flag).to.equal(`--require=${join(packageDir, 'dist/src/supervisors/child-preload.js')}`);
    const comedyLib = join(packageDir, 'node_modules/comedy/lib');
    const polyfill = await run(process.execPath, [flag, '-p', `require(require.resolve('babel-polyfill', { paths: [${JSON.stringify(comedyLib)}] })); '_babelPolyfill' in globalThis`]);
    expect(polyfill.stdout.trim(), polyfill.stderr).to.equal('false');

    // Installed, it never falls back to the checkout's demo configuration.
    const installed = ['/etc/wharf/wharf.yaml', '/etc/wharf/wharf.json'].find((file) => existsSync(file));
    const noConfig = await run(wharf, ['check-config'], { env: { WHARF_CONFIG: '' }, cwd: dir });
    if (installed) {
      expect(noConfig.stderr).to.contain(`wharf: configuration ${installed}\n`);
    } else {
      expect(noConfig.code).to.equal(2);
      expect(noConfig.stderr).to.equal('wharf: no configuration found: looked at --config, WHARF_CONFIG, /etc/wharf/wharf.yaml, /etc/wharf/wharf.json; give one with --config FILE or WHARF_CONFIG\n');
    }
  });
});
