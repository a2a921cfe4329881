/**
 * The pid file through which `wharf reload --signal` finds the running instance. The default is
 * the systemd unit's (/run/wharf/wharf.pid, its RuntimeDirectory) where that directory exists,
 * else one in the temporary directory (a checkout); WHARF_PID_FILE overrides both.
 */
import { readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const UNIT_RUNTIME_DIR = '/run/wharf';

export const DEFAULT_PID_FILE = process.env.WHARF_PID_FILE ?? join(isDirectory(UNIT_RUNTIME_DIR) ? UNIT_RUNTIME_DIR : tmpdir(), 'wharf.pid');

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

export function writePidFile(file: string): void {
  writeFileSync(file, `${process.pid}\n`);
}

export function removePidFile(file: string): void {
  try {
    if (readFileSync(file, 'utf8').trim() === String(process.pid)) rmSync(file);
  } catch {
    /* already gone */
  }
}

export function readPidFile(file: string): number {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    throw new Error(`no running wharf found: cannot read pid file ${file} (use --pid-file or WHARF_PID_FILE)`);
  }
  const pid = Number(text.trim());
  if (!Number.isInteger(pid) || pid <= 0) throw new Error(`pid file ${file} does not hold a process id`);
  try {
    process.kill(pid, 0);
  } catch {
    throw new Error(`no running wharf found: process ${pid} from ${file} is gone`);
  }
  return pid;
}
