/**
 * `systemd-analyze verify` on wharf's unit, as faithfully as a machine without a booted systemd
 * allows. Found by experiment (systemd 252, not PID 1): verify parses the unit and its
 * dependencies; an unknown key or an unparsable value is only a warning on stderr (exit code
 * still 0); an Exec*= command that is not an executable file fails it (exit 1); it checks
 * neither User= nor any argument of a command, so not the script given to node.
 * `systemd-analyze --root=DIR` would resolve paths inside a staging root, but it also wants a
 * whole systemd unit tree there (sysinit.target, ...), so instead the unit is verified as a copy
 * in which only the install paths are replaced by existing ones (the node running the tests, a
 * directory holding the built code), and:
 *   - any stderr line naming the unit is a failure, as well as a non-zero exit;
 *   - the script in ExecStart is checked separately by the callers.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { REPO_ROOT } from './local-stack';

export const UNIT_FILE = resolve(REPO_ROOT, 'deploy/wharf.service');
const UNIT_NAME = 'wharf.service';

export interface VerifyResult {
  code: number;
  stderr: string;
  /** stderr lines about wharf's unit (other lines concern units of the host). */
  unitWarnings: string[];
}

/** The unit text with each path prefix replaced (every occurrence, so none is missed). */
export function rewritePaths(unit: string, paths: Record<string, string>): string {
  return Object.entries(paths).reduce((text, [from, to]) => text.split(from).join(to), unit);
}

export function verifyUnit(unit: string): Promise<VerifyResult> {
  const file = join(mkdtempSync(join(tmpdir(), 'wharf-unit-')), UNIT_NAME);
  writeFileSync(file, unit);
  return new Promise((done) => {
    execFile('/usr/bin/systemd-analyze', ['verify', file], { timeout: 60_000 }, (err, _stdout, stderr) => {
      const code = err ? ((err as { code?: number }).code ?? 1) : 0;
      const unitWarnings = stderr.split('\n').filter((line) => line.includes(UNIT_NAME));
      done({ code, stderr, unitWarnings });
    });
  });
}

/** Every value of `key=` in the unit, comments ignored, in order. */
export function unitValues(unit: string, key: string): string[] {
  return unit
    .split('\n')
    .filter((line) => line.startsWith(`${key}=`))
    .map((line) => line.slice(key.length + 1).trim());
}

/** ExecStart's command line as arguments (wharf's has no quoting). */
export function execStartArgs(unit: string): string[] {
  const [execStart, ...more] = unitValues(unit, 'ExecStart');
  if (execStart === undefined || more.length > 0) throw new Error('expected exactly one ExecStart=');
  return execStart.split(/\s+/);
}
