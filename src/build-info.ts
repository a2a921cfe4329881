/**
 * Which wharf this is: the version of package.json and the commit it was built from. A release
 * tarball (`npm pack`) carries dist/build-info.json, written by scripts/prepack, since it has no
 * .git; a git checkout asks git; otherwise the commit is "unknown". Read once per process.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

export interface BuildInfo {
  version: string;
  commit: string;
  /** When the package was built; absent in a checkout. */
  builtAt?: string;
  node: string;
}

/** The package's root: package.json beside dist/ (this file runs as dist/src/build-info.js). */
export const PACKAGE_ROOT = resolve(__dirname, '../..');

/** A git checkout (a .git directory, or a worktree's .git file), as opposed to an installed package. */
export function isCheckout(): boolean {
  return existsSync(join(PACKAGE_ROOT, '.git'));
}

let cached: BuildInfo | undefined;

export function buildInfo(): BuildInfo {
  if (cached) return cached;
  const { version } = JSON.parse(readFileSync(join(PACKAGE_ROOT, 'package.json'), 'utf8')) as { version: string };
  // In a checkout, git knows better than a dist/build-info.json left by an earlier `npm pack`.
  const commit = checkoutCommit();
  const packaged = commit ? undefined : readPackaged();
  cached = { version, commit: commit ?? packaged?.commit ?? 'unknown', builtAt: packaged?.builtAt, node: process.versions.node };
  return cached;
}

/** `wharf --version`: "0.1.0 (commit 0123456789ab, built 2026-11-30T18:00:00Z, node 20.19.5)". */
export function versionLine(info: BuildInfo = buildInfo()): string {
  return `${info.version} (commit ${info.commit}${info.builtAt ? `, built ${info.builtAt}` : ''}, node ${info.node})`;
}

function readPackaged(): { commit?: string; builtAt?: string } | undefined {
  try {
    return JSON.parse(readFileSync(join(PACKAGE_ROOT, 'dist/build-info.json'), 'utf8')) as { commit?: string; builtAt?: string };
  } catch {
    return undefined;
  }
}

function checkoutCommit(): string | undefined {
  if (!isCheckout()) return undefined;
  try {
    return execFileSync('git', ['rev-parse', '--short=12', 'HEAD'], { cwd: PACKAGE_ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], timeout: 5000 }).trim() || undefined;
  } catch {
    return undefined;
  }
}
