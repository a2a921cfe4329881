/**
 * scripts/install-service into a scratch prefix (WHARF_PREFIX, WHARF_ETC, ...; no service user,
 * systemctl replaced by a recorder): a release per version under releases/, `current` switched
 * only after the new release's check-config accepts the live configuration, the operator's
 * files kept, and --rollback back to the previous release. A real install differs by the user,
 * the chowns and systemctl.
 */
import { expect } from 'chai';
import { chmodSync, existsSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { REPO_ROOT } from '../helpers/local-stack';
import { packageVersion, packCheckout, repack, run } from '../helpers/release';
import { execStartArgs, rewritePaths, verifyUnit } from '../helpers/systemd-unit';

const INSTALL = resolve(REPO_ROOT, 'scripts/install-service');

describe('scripts/install-service (releases, check before switching, rollback)', function () {
  this.timeout(300_000);
  const dir = mkdtempSync(join(tmpdir(), 'wharf-install-'));
  const prefix = join(dir, 'opt/wharf');
  const etc = join(dir, 'etc/wharf');
  const binDir = join(dir, 'bin');
  const calls = join(dir, 'systemctl.calls');
  const systemctl = join(dir, 'systemctl');
  const env = { WHARF_PREFIX: prefix, WHARF_ETC: etc, WHARF_BIN_DIR: binDir, WHARF_UNIT_DIR: join(dir, 'units'), WHARF_USER: '', SYSTEMCTL: systemctl };
  const install = (...args: string[]) => run(INSTALL, args, { env });
  const current = () => readlinkSync(join(prefix, 'current'));
  const previous = () => readlinkSync(join(prefix, 'previous'));
  const restarts = () => (existsSync(calls) ? readFileSync(calls, 'utf8').split('\n').filter((l) => l === 'restart wharf.service').length : 0);
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('installs, upgrades, refuses a release that rejects the live configuration, and rolls back', async () => {
    // A systemd that records what it is asked and says the service is running.
    writeFileSync(systemctl, `#!/bin/sh\necho "$*" >>'${calls}'\n`);
    chmodSync(systemctl, 0o755);
    const first = await packCheckout(dir);
    const second = await repack(first, '99.0.0', dir);
    // A later release that refuses what the live configuration holds, as one that dropped a key would.
    const refusing = await repack(first, '99.1.0', dir, (pkg) => {
      const file = join(pkg, 'dist/src/service/load-config.js');
      const code = readFileSync(file, 'utf8');
      const patched = code.replace('[topology_1.topologyIssues]', "[topology_1.topologyIssues, () => [{ path: 'kafka.topic', message: 'no longer supported' }]]");
      expect(patched).to.not.equal(code);
      writeFileSync(file, patched);
    });

    const installed = await install(first);
    expect(installed.code, installed.stderr).to.equal(0);
    const firstId = current().replace(/^releases\//, '');
    expect(firstId).to.match(new RegExp(`^${packageVersion().replace(/\./g, '\\.')}-[0-9a-f]{12}(-dirty)?$`));
    expect(readFileSync(join(etc, 'wharf.yaml'), 'utf8')).to.equal(readFileSync(resolve(REPO_ROOT, 'config/wharf.example.yaml'), 'utf8'));
    expect(readFileSync(join(etc, 'wharf.env'), 'utf8')).to.match(/^# WHARF_KAFKA_PARTITIONS=/m);
    const wharf = join(binDir, 'wharf');
    expect(readlinkSync(wharf)).to.equal(join(prefix, 'current/bin/wharf'));
    expect((await run(wharf, ['--version'])).stdout).to.match(new RegExp(`^wharf ${packageVersion()} `));
    expect(existsSync(join(prefix, 'current/lib/node_modules/wharf/node_modules/mocha')), 'dev dependencies are left out').to.equal(false);

    // The installed unit passes systemd-analyze with its paths pointed at this prefix, and its
    // ExecStart loads the installed configuration with the release's production dependencies alone.
    const unit = rewritePaths(readFileSync(join(dir, 'units/wharf.service'), 'utf8'), { '/opt/wharf': prefix, '/etc/wharf': etc });
    const verified = await verifyUnit(unit);
    expect(verified.unitWarnings, verified.stderr).to.deep.equal([]);
    const [node, script, , , config] = execStartArgs(unit);
    expect(config).to.equal(join(etc, 'wharf.yaml'));
    const check = await run(node, [script, 'check-config', '--config', config]);
    expect(check.code, check.stderr).to.equal(0);

    // The operator's edit (a number from wharf.env) must hold through upgrades.
    const edited = readFileSync(join(etc, 'wharf.yaml'), 'utf8').replace('partitions: ${WHARF_KAFKA_PARTITIONS:-6}', 'partitions: ${WHARF_PARTITIONS}');
    writeFileSync(join(etc, 'wharf.yaml'), edited);
    writeFileSync(join(etc, 'wharf.env'), 'WHARF_PARTITIONS=12\n');

    const upgraded = await install(second);
    expect(upgraded.code, upgraded.stderr).to.equal(0);
    expect(current()).to.match(/^releases\/99\.0\.0-/);
    expect(previous()).to.equal(`releases/${firstId}`);
    expect(readFileSync(join(etc, 'wharf.yaml'), 'utf8')).to.equal(edited);
    expect(upgraded.stderr).to.contain(`kept the existing ${etc}/wharf.yaml`);
    expect((await run(wharf, ['--version'])).stdout).to.match(/^wharf 99\.0\.0 /);
    expect(restarts()).to.equal(2);

    const refused = await install(refusing);
    expect(refused.code).to.equal(1);
    expect(refused.stderr).to.contain('kafka.topic: no longer supported').and.to.contain('refuses the live configuration');
    expect(current()).to.match(/^releases\/99\.0\.0-/);
    expect(readdirSync(join(prefix, 'releases')).filter((name) => name.includes('99.1.0'))).to.deep.equal([]);
    expect(restarts(), 'a refused release restarts nothing').to.equal(2);

    const rolledBack = await install('--rollback');
    expect(rolledBack.code, rolledBack.stderr).to.equal(0);
    expect(current()).to.equal(`releases/${firstId}`);
    expect(previous()).to.match(/^releases\/99\.0\.0-/);
    expect((await run(wharf, ['--version'])).stdout).to.match(new RegExp(`^wharf ${packageVersion()} `));
    expect(restarts()).to.equal(3);
  });

  it('refuses an unknown argument, and a rollback with nothing to go back to', async () => {
    const unknown = await run(INSTALL, ['--prefixx', '/tmp/nowhere'], { env });
    expect(unknown.code).to.equal(1);
    expect(unknown.stderr).to.contain("unknown argument '--prefixx'");
    const empty = mkdtempSync(join(tmpdir(), 'wharf-install-empty-'));
    const rollback = await run(INSTALL, ['--rollback'], { env: { ...env, WHARF_PREFIX: empty } });
    rmSync(empty, { recursive: true, force: true });
    expect(rollback.code).to.equal(1);
    expect(rollback.stderr).to.contain('no previous release to roll back to');
  });
});
