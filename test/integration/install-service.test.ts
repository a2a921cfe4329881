/**
 * scripts/install-service into a staging root (WHARF_INSTALL_ROOT): the code with production
 * dependencies only, the configuration and environment file created once and never overwritten,
 * the unit in place and accepted by systemd-analyze, and the installed wharf able to load its
 * configuration. A real install (user, chown, systemctl) differs only by those calls.
 */
import { expect } from 'chai';
import { execFile } from 'node:child_process';
import { appendFileSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { REPO_ROOT } from '../helpers/local-stack';
import { execStartArgs, rewritePaths, verifyUnit } from '../helpers/systemd-unit';

const INSTALL = resolve(REPO_ROOT, 'scripts/install-service');

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function run(file: string, args: string[], env: Record<string, string> = {}): Promise<Run> {
  return new Promise((done) => {
    execFile(file, args, { env: { ...process.env, ...env }, timeout: 240_000 }, (err, stdout, stderr) => {
      done({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

describe('scripts/install-service (staging root)', function () {
  this.timeout(300_000);
  const roots: string[] = [];
  after(() => roots.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

  it('installs code, configuration, environment file and unit; a second run keeps the operator\'s files', async () => {
    const root = mkdtempSync(join(tmpdir(), 'wharf-install-'));
    roots.push(root);
    const first = await run(INSTALL, [], { WHARF_INSTALL_ROOT: root });
    expect(first.code, first.stderr).to.equal(0);

    const app = join(root, 'opt/wharf');
    const etc = join(root, 'etc/wharf');
    const unitFile = join(root, 'etc/systemd/system/wharf.service');
    for (const file of ['dist/src/cli.js', 'package.json', 'package-lock.json', 'README.md', 'node_modules/kafkajs/package.json']) {
      expect(existsSync(join(app, file)), file).to.equal(true);
    }
    expect(existsSync(join(app, 'node_modules/mocha')), 'dev dependencies are left out').to.equal(false);
    expect(existsSync(join(app, 'dist/test')), 'compiled tests are left out').to.equal(false);
    expect(readFileSync(join(etc, 'actors.json'), 'utf8')).to.equal(readFileSync(resolve(REPO_ROOT, 'config/actors.json'), 'utf8'));
    expect(statSync(join(etc, 'wharf.env')).mode & 0o777).to.equal(0o640);
    expect(readFileSync(join(etc, 'wharf.env'), 'utf8')).to.match(/^# WHARF_COUCHDB_PASSWORD=/m);
    expect(statSync(join(etc, 'credentials')).mode & 0o777, 'the secret files\' folder').to.equal(0o700);

    // The installed unit, with its paths pointing into the staging root, passes verify; its
    // ExecStart names an existing script, which loads the installed configuration with the
    // production dependencies alone.
    const unit = rewritePaths(readFileSync(unitFile, 'utf8'), { '/opt/wharf': app, '/etc/wharf': etc });
    const verified = await verifyUnit(unit);
    expect(verified.unitWarnings, verified.stderr).to.deep.equal([]);
    expect(verified.code, verified.stderr).to.equal(0);
    const [node, script, , , config] = execStartArgs(unit);
    const check = await run(node, [script, 'check-config', config]);
    expect(check.code, check.stderr).to.equal(0);

    // Second run: the operator's edits survive, the code is replaced whole.
    const edited = readFileSync(join(etc, 'actors.json'), 'utf8').replace('"level": "info"', '"level": "warn"');
    writeFileSync(join(etc, 'actors.json'), edited);
    appendFileSync(join(etc, 'wharf.env'), 'WHARF_COUCHDB_PASSWORD=secret\n');
    writeFileSync(join(app, 'stray-file'), 'left by an old version');
    const second = await run(INSTALL, ['--root', root]);
    expect(second.code, second.stderr).to.equal(0);
    expect(second.stderr).to.contain(`kept the existing ${etc}/actors.json`).and.to.contain(`kept the existing ${etc}/wharf.env`);
    expect(readFileSync(join(etc, 'actors.json'), 'utf8')).to.equal(edited);
    expect(readFileSync(join(etc, 'wharf.env'), 'utf8')).to.contain('WHARF_COUCHDB_PASSWORD=secret\n');
    expect(existsSync(join(app, 'stray-file'))).to.equal(false);
    expect(existsSync(`${app}.new`) || existsSync(`${app}.old`)).to.equal(false);
    expect(existsSync(unitFile)).to.equal(true);
  });

  it('refuses an unknown argument, saying so', async () => {
    const result = await run(INSTALL, ['--prefixx', '/tmp/nowhere']);
    expect(result.code).to.equal(1);
    expect(result.stderr).to.contain("unknown argument '--prefixx'");
  });
});
