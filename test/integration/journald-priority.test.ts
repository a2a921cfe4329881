/**
 * Log levels reach journald's priority: with stdout the journal's stream (JOURNAL_STREAM names
 * its device:inode, as systemd sets it), every line of every wharf process starts with its
 * level's syslog priority, which journald (SyslogLevelPrefix=, set in deploy/wharf.service)
 * files the line under and strips; anywhere else the lines stay plain JSON. No journald runs
 * here, so the journal's stream is a file whose device:inode goes into JOURNAL_STREAM, exactly
 * the check wharf makes.
 */
import { expect } from 'chai';
import { spawn } from 'node:child_process';
import { closeSync, fstatSync, mkdtempSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { SYSLOG_PRIORITY } from '../../src/log';
import { localConfig, REPO_ROOT } from '../helpers/local-stack';
import { CLI } from '../helpers/wharf-process';

/** `wharf run` with Elasticsearch unreachable (it warns, retries, then logs fatal and exits 1), stdout into a file. */
async function runInto(journalStream: (stat: { dev: number; ino: number }) => string): Promise<string[]> {
  const dir = mkdtempSync(join(tmpdir(), 'wharf-journal-'));
  const config = localConfig();
  const file = join(dir, 'actors.json');
  writeFileSync(
    file,
    JSON.stringify({ ...config, sinks: config.sinks.map((s) => (s.type === 'elasticsearch' ? { ...s, node: 'http://127.0.0.1:1' } : s)), startup: { waitForServicesMs: 3000, healthIntervalMs: 30_000 } }),
  );
  const out = join(dir, 'stdout');
  const fd = openSync(out, 'w');
  const stat = fstatSync(fd);
  const child = spawn(process.execPath, [CLI, 'run', '--config', file, '--pid-file', join(dir, 'pid')], {
    stdio: ['ignore', fd, 'ignore'],
    env: { ...process.env, JOURNAL_STREAM: journalStream(stat) },
  });
  closeSync(fd);
  const code = await new Promise<number | null>((done) => child.on('exit', done));
  expect(code).to.equal(1);
  return readFileSync(out, 'utf8').split('\n').filter((l) => l !== '');
}

describe('log levels reach journald priorities (wharf run)', function () {
  this.timeout(60_000);

  it('prefixes every line with its level\'s priority when stdout is the journal: <4> warn, <2> fatal, <6> info', async () => {
    const lines = await runInto((stat) => `${stat.dev}:${stat.ino}`);
    expect(lines.length).to.be.greaterThan(2);
    for (const line of lines) {
      const match = /^<(\d)>(\{.*\})$/.exec(line);
      expect(match, line).to.not.equal(null);
      const { level } = JSON.parse(match![2]) as { level: string };
      expect(Number(match![1]), line).to.equal(SYSLOG_PRIORITY[level]);
    }
    expect(lines.some((l) => l.startsWith('<4>{"level":"warn"'))).to.equal(true);
    expect(lines.some((l) => l.startsWith('<2>{"level":"fatal"') && l.includes('wharf could not start'))).to.equal(true);
    // Forked actor processes' lines too, not only the root's.
    expect(lines.some((l) => l.startsWith('<') && (JSON.parse(l.slice(3)) as { actor?: string }).actor !== undefined)).to.equal(true);
    // What `journalctl -p err` (priorities 0 to 3) would show: errors and the fatal line, no warning or info.
    const errorOrWorse = new Set(lines.filter((l) => Number(l[1]) <= 3).map((l) => (JSON.parse(l.slice(3)) as { level: string }).level));
    expect(errorOrWorse.has('fatal')).to.equal(true);
    expect([...errorOrWorse].filter((level) => level !== 'error' && level !== 'fatal')).to.deep.equal([]);
  });

  it('leaves the lines plain JSON when stdout is not the journal (JOURNAL_STREAM names another file)', async () => {
    const lines = await runInto((stat) => `${stat.dev}:${stat.ino + 1}`);
    expect(lines.length).to.be.greaterThan(2);
    for (const line of lines) expect(() => JSON.parse(line) as unknown, line).not.to.throw();
  });

  it('the unit keeps journald reading the prefix', () => {
    const unit = readFileSync(resolve(REPO_ROOT, 'deploy/wharf.service'), 'utf8');
    expect(unit).to.match(/^StandardOutput=journal$/m).and.match(/^SyslogLevelPrefix=yes$/m);
  });
});
