/**
 * Release tarballs for the packaging tests: `npm pack` of this checkout (already built by the
 * test run, so WHARF_PREBUILT=1 skips the second build), and copies of it under another version,
 * optionally with a changed file, as a later release would be.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO_ROOT } from './local-stack';

export interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

export function run(file: string, args: string[], options: { env?: NodeJS.ProcessEnv; cwd?: string; timeoutMs?: number } = {}): Promise<Run> {
  return new Promise((done) => {
    execFile(file, args, { env: { ...process.env, ...options.env }, cwd: options.cwd, timeout: options.timeoutMs ?? 240_000 }, (err, stdout, stderr) => {
      done({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

async function ok(file: string, args: string[], options: { env?: NodeJS.ProcessEnv; cwd?: string } = {}): Promise<Run> {
  const result = await run(file, args, options);
  if (result.code !== 0) throw new Error(`${file} ${args.join(' ')} failed (${result.code}): ${result.stderr}`);
  return result;
}

/** `npm pack` of the checkout into `dir`; the tarball's path. */
export async function packCheckout(dir: string): Promise<string> {
  const packed = await ok('npm', ['pack', '--pack-destination', dir], { cwd: REPO_ROOT, env: { WHARF_PREBUILT: '1' } });
  return join(dir, packed.stdout.trim().split('\n').pop()!);
}

/** A copy of `tarball` as `version`, with `edit` applied to the unpacked package. */
export async function repack(tarball: string, version: string, dir: string, edit: (packageDir: string) => void = () => {}): Promise<string> {
  const work = mkdtempSync(join(tmpdir(), 'wharf-repack-'));
  try {
    await ok('tar', ['-xzf', tarball, '-C', work]);
    const pkg = join(work, 'package');
    for (const file of ['package.json', 'dist/build-info.json']) {
      const json = JSON.parse(readFileSync(join(pkg, file), 'utf8')) as { version: string };
      writeFileSync(join(pkg, file), `${JSON.stringify({ ...json, version }, null, 2)}\n`);
    }
    edit(pkg);
    const out = join(dir, `wharf-${version}.tgz`);
    await ok('tar', ['-czf', out, '-C', work, 'package']);
    return out;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

export function packageVersion(): string {
  return (JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { version: string }).version;
}
