/**
 * `wharf dlq list` against the real broker: every dead letter, once, as JSON lines, streamed;
 * filters, --limit, --follow and the summary by error; nothing committed, no group left behind.
 */
import { expect } from 'chai';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createKafka, KafkaClient, withAdmin } from '../../src/kafka/client';
import { publishDeadLetters } from '../../src/pipeline/dead-letters';
import { RecordProducer } from '../../src/kafka/record-producer';
import { ensureTopics } from '../../src/kafka/topics';
import type { DeadLetter } from '../../src/records/dead-letter';
import { localConfig, quietLogger } from '../helpers/local-stack';
import { uniqueName } from '../helpers/names';
import { WharfProcess } from '../helpers/wharf-process';

const time = '2026-11-26T12:00:00.000Z';
const letter = (n: number, source: string, stage: string, error: string): DeadLetter => ({
  record: { id: `${source}:${n}`, source, payload: { n } },
  recordId: `${source}:${n}`,
  source,
  stage,
  error,
  attempts: 1,
  time,
});

async function cli(...args: string[]): Promise<WharfProcess> {
  const command = new WharfProcess(args);
  await command.exited;
  return command;
}

describe('wharf dlq list (real broker)', function () {
  this.timeout(120_000);
  const base = localConfig();
  const dlqTopic = uniqueName('dlq');
  const client = new KafkaClient(base.kafka, quietLogger, uniqueName('dlq-test'));
  const producer = new RecordProducer(client);
  let file = '';

  before(async () => {
    const admin = createKafka(base.kafka, quietLogger, uniqueName('dlq-test')).admin();
    await admin.connect();
    await ensureTopics(admin, [{ topic: dlqTopic, numPartitions: 1 }], quietLogger);
    await admin.disconnect();
    await producer.connect();
    await publishDeadLetters(producer, dlqTopic, [letter(1, 'orders', 'search', 'mapping conflict'), letter(2, 'orders', 'search', 'mapping conflict'), letter(3, 'users', 'intake', 'no id')]);
    await producer.send(dlqTopic, [{ key: 'x', value: 'not json' }]);
    file = join(mkdtempSync(join(tmpdir(), 'wharf-dlq-')), 'actors.json');
    writeFileSync(file, JSON.stringify({ kafka: { ...base.kafka, dlqTopic }, zookeeper: base.zookeeper, sinks: base.sinks }));
  });

  after(async () => {
    await producer.disconnect();
    await withAdmin(client, (admin) => admin.deleteTopics({ topics: [dlqTopic] })).catch(() => undefined);
  });

  it('prints every dead letter once as a JSON line, in order, then a count by error; run again, the same', async () => {
    for (let run = 0; run < 2; run++) {
      const listed = await cli('dlq', 'list', '--config', file);
      expect(listed.exitCode, listed.stderr).to.equal(0);
      expect(listed.lines.map((l) => [l.recordId, l.stage, l.error, (l.dlq as { offset: string }).offset])).to.deep.equal([
        ['orders:1', 'search', 'mapping conflict', '0'],
        ['orders:2', 'search', 'mapping conflict', '1'],
        ['users:3', 'intake', 'no id', '2'],
        [undefined, undefined, undefined, '3'],
      ]);
      expect(listed.lines[3]).to.deep.include({ unreadable: 'the dead letter itself is not JSON' });
      expect(listed.stderr).to.contain(`4 dead letter(s) read from ${dlqTopic}\nby error:\n  COUNT  STAGE   ERROR\n  2      search  mapping conflict\n`);
      expect(listed.stderr).to.match(/ {2}1 {6}\? {7}the dead letter itself is not JSON\n/);
    }
  });

  it('filters by stage and source, stops at --limit, and gives the summary as JSON with --json', async () => {
    const search = await cli('dlq', 'list', '--stage', 'search', '--json', '--config', file);
    expect(search.exitCode, search.stderr).to.equal(0);
    expect(search.lines.slice(0, -1).map((l) => l.recordId)).to.deep.equal(['orders:1', 'orders:2']);
    expect(search.lines.at(-1)).to.deep.equal({
      summary: { topic: dlqTopic, read: 4, matched: 2, unreadable: 1, errors: [{ stage: 'search', error: 'mapping conflict', count: 2 }], otherErrors: 0, limited: false },
    });

    const users = await cli('dlq', 'list', '--source', 'users', '--config', file);
    expect(users.lines.map((l) => l.recordId)).to.deep.equal(['users:3']);
    expect(users.stderr).to.contain(`4 dead letter(s) read from ${dlqTopic}, 1 matching`);

    const limited = await cli('dlq', 'list', '--limit', '2', '--config', file);
    expect(limited.lines.map((l) => l.recordId)).to.deep.equal(['orders:1', 'orders:2']);
    expect(limited.stderr).to.contain('(stopped at --limit 2)');

    const invalid = await cli('dlq', 'list', '--limit', '0', '--config', file);
    expect(invalid.exitCode).to.equal(2);
    expect(invalid.stderr).to.contain("option '--limit <n>' argument '0' is invalid. expected a whole number of at least 1.");
  });

  it('--follow goes on with letters written later until Ctrl-C, then summarises and leaves no consumer group', async () => {
    const follow = new WharfProcess(['dlq', 'list', '--follow', '--stage', 'search', '--config', file]);
    await follow.waitForLog((l) => l.recordId === 'orders:2', 30_000);
    await publishDeadLetters(producer, dlqTopic, [letter(4, 'orders', 'search', 'too deep')]);
    await follow.waitForLog((l) => l.recordId === 'orders:4', 30_000);
    follow.signal('SIGINT');
    expect(await follow.exited, follow.stderr).to.equal(0);
    expect(follow.lines.map((l) => l.recordId)).to.deep.equal(['orders:1', 'orders:2', 'orders:4']);
    expect(follow.stderr).to.contain(`5 dead letter(s) read from ${dlqTopic}, 3 matching`);
    const groups = await withAdmin(client, (admin) => admin.listGroups());
    expect(groups.groups.map((g) => g.groupId).filter((g) => g.includes(`-dlq-list-${follow.pid}-`))).to.deep.equal([]);
  });
});
