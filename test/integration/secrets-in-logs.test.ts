/**
 * Secrets in the configuration never reach the log, whatever happens: a run at trace level
 * with a source that keeps failing (its URL carries credentials, its header a token) and a
 * CouchDB sink with a password.
 */
import { expect } from 'chai';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { localConfig, localCouchdb } from '../helpers/local-stack';
import { freePort, uniqueName } from '../helpers/names';
import { WharfProcess } from '../helpers/wharf-process';

describe('secrets in the configuration (real stack)', function () {
  this.timeout(120_000);

  it('never appear in the log of any wharf process, at trace level, through failures and a stop', async () => {
    const name = uniqueName('secrets');
    const closedPort = await freePort();
    const base = localConfig();
    const couch = localCouchdb();
    const file = join(mkdtempSync(join(tmpdir(), 'wharf-secrets-')), 'actors.json');
    writeFileSync(
      file,
      JSON.stringify({
        log: { level: 'trace', redact: ['customerKey'] },
        kafka: { ...base.kafka, topic: `${name}.records`, dlqTopic: `${name}.dlq` },
        zookeeper: { ...base.zookeeper, root: `/wharf-test/${name}` },
        metrics: { port: 0 },
        sources: [
          // Nothing listens there: every poll fails and is logged.
          { id: 'failing', type: 'http-json', url: `http://reader:url-secret-7731@127.0.0.1:${closedPort}/feed`, headers: { authorization: 'Bearer header-secret-7731' }, intervalMs: 200 },
        ],
        sinks: [{ ...couch, db: name }],
        pipeline: { consumers: { count: 1, groupId: `${name}-sinks` } },
      }),
    );
    const wharf = new WharfProcess(['run', '--config', file]);
    await wharf.waitForLog((l) => l.msg === 'wharf healthy', 60_000);
    await wharf.waitForLog((l) => l.msg === 'poll failed, retrying' && Number(l.attempt) >= 3, 30_000);
    const check = new WharfProcess(['check-config', file]);
    await check.exited;
    wharf.signal('SIGTERM');
    expect(await wharf.exited).to.equal(0);

    const everything = `${wharf.stdout}\n${wharf.stderr}\n${check.stdout}\n${check.stderr}`;
    expect(wharf.lines.some((l) => l.level === 'trace' || l.level === 'debug'), 'trace/debug lines were written').to.equal(true);
    for (const secret of ['url-secret-7731', 'header-secret-7731', couch.password!]) {
      const leaks = everything.split('\n').filter((line) => line.includes(secret));
      expect(leaks, `log lines containing ${secret}`).to.deep.equal([]);
    }
    const failure = wharf.lines.find((l) => l.msg === 'poll failed, retrying')!;
    expect(failure.err).to.contain(`GET http://127.0.0.1:${closedPort}/feed failed: fetch failed: connect ECONNREFUSED`);
  });
});
