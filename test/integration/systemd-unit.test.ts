/**
 * deploy/wharf.service: `systemd-analyze verify` accepts it without a warning (see
 * test/helpers/systemd-unit.ts for how it is verified without a booted systemd), its ExecStart
 * runs wharf with options the CLI has, and the settings that wharf's behaviour relies on hold.
 */
import { expect } from 'chai';
import { execFile } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { ActorsSchema } from '../../src/config/actors-schema';
import { REPO_ROOT } from '../helpers/local-stack';
import { execStartArgs, rewritePaths, UNIT_FILE, unitValues, verifyUnit } from '../helpers/systemd-unit';

/** How long wharf itself lets a drain overrun actors.drainMs before exiting (src/system.ts). */
const DRAIN_OVERRUN_MS = 5000;

function run(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((done) => {
    execFile(args[0], args.slice(1), { timeout: 60_000 }, (err, stdout, stderr) => {
      done({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

/** The unit with /usr/bin/node, the current release and /etc/wharf pointing at this checkout. */
function localUnit(): string {
  const etc = mkdtempSync(join(tmpdir(), 'wharf-etc-'));
  copyFileSync(resolve(REPO_ROOT, 'config/wharf.example.yaml'), join(etc, 'wharf.yaml'));
  copyFileSync(resolve(REPO_ROOT, 'config/actors.schema.json'), join(etc, 'actors.schema.json'));
  const paths = { '/usr/bin/node': process.execPath, '/opt/wharf/current/lib/node_modules/wharf': REPO_ROOT, '/opt/wharf/current': REPO_ROOT, '/etc/wharf': etc };
  return rewritePaths(readFileSync(UNIT_FILE, 'utf8'), paths);
}

describe('deploy/wharf.service', function () {
  this.timeout(120_000);
  const unit = readFileSync(UNIT_FILE, 'utf8');

  it('passes systemd-analyze verify with no warning about the unit', async () => {
    const result = await verifyUnit(localUnit());
    expect(result.unitWarnings, result.stderr).to.deep.equal([]);
    expect(result.code, result.stderr).to.equal(0);
  });

  it('would be caught by the same check if it had an unknown key, a bad value or a missing program', async () => {
    const local = localUnit();
    const unknownKey = await verifyUnit(local.replace('KillMode=mixed', 'KillMode=mixed\nKillModes=mixed'));
    expect(unknownKey.unitWarnings.join('\n')).to.contain("Unknown key 'KillModes'");
    const badValue = await verifyUnit(local.replace('Restart=on-failure', 'Restart=on-failures'));
    expect(badValue.unitWarnings.join('\n')).to.contain('on-failures');
    const noProgram = await verifyUnit(local.replace(process.execPath, '/nonexistent/node'));
    expect(noProgram.code).to.not.equal(0);
  });

  it('starts the built cli.js with the installed configuration and a pid file in its RuntimeDirectory', async () => {
    expect(execStartArgs(unit)).to.deep.equal([
      '/usr/bin/node', '/opt/wharf/current/lib/node_modules/wharf/dist/src/cli.js', 'run', '--config', '/etc/wharf/wharf.yaml', '--pid-file', '/run/wharf/wharf.pid',
    ]);
    expect(unitValues(unit, 'RuntimeDirectory')).to.deep.equal(['wharf']);

    const [node, script, , , config] = execStartArgs(localUnit());
    expect(existsSync(script), script).to.equal(true);
    const help = await run([node, script, 'run', '--help']);
    expect(help.stdout).to.contain('--config <file>').and.to.contain('--pid-file <file>');
    const check = await run([node, script, 'check-config', config]);
    expect(check.code, check.stderr).to.equal(0);
  });

  it('lets wharf drain before systemd kills it, and never restarts on an invalid configuration', () => {
    expect(unitValues(unit, 'Type')).to.deep.equal(['simple']);
    expect(unitValues(unit, 'KillMode')).to.deep.equal(['mixed']);
    expect(unitValues(unit, 'Restart')).to.deep.equal(['on-failure']);
    expect(unitValues(unit, 'RestartPreventExitStatus')).to.deep.equal(['2']);
    expect(unitValues(unit, 'ExecReload')).to.deep.equal(['/bin/kill -HUP $MAINPID']);
    const [timeoutStop] = unitValues(unit, 'TimeoutStopSec');
    const stopSeconds = Number(/^(\d+)s$/.exec(timeoutStop ?? '')?.[1]);
    const drainMs = ActorsSchema.parse({}).drainMs;
    expect(stopSeconds * 1000, 'TimeoutStopSec must exceed the default drain bound').to.be.greaterThan(drainMs + DRAIN_OVERRUN_MS);
  });

  it('runs as its own user, hardened, without MemoryDenyWriteExecute (V8 needs W+X memory for its JIT)', () => {
    expect(unitValues(unit, 'User')).to.deep.equal(['wharf']);
    expect(unitValues(unit, 'Group')).to.deep.equal(['wharf']);
    for (const [key, value] of [['NoNewPrivileges', 'yes'], ['ProtectSystem', 'strict'], ['ProtectHome', 'yes'], ['PrivateTmp', 'yes']]) {
      expect(unitValues(unit, key), key).to.deep.equal([value]);
    }
    expect(unitValues(unit, 'MemoryDenyWriteExecute')).to.deep.equal([]);
  });

  it('hands the secret files of /etc/wharf/credentials to the service as systemd credentials', () => {
    expect(unitValues(unit, 'LoadCredential')).to.deep.equal(['wharf:/etc/wharf/credentials']);
  });
});
