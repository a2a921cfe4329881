/** The pid file through which `wharf reload` finds the running instance. */
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const DEFAULT_PID_FILE = process.env.WHARF_PID_FILE ?? join(tmpdir(), 'wharf.pid');

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
