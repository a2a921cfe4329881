/** `wharf dlq list` against the real broker: every dead letter, once, as JSON lines; nothing committed. */
import { expect } from 'chai';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createKafka, KafkaClient } from '../../src/kafka/client';
import { publishDeadLetters } from '../../src/pipeline/dead-letters';
import { RecordProducer } from '../../src/kafka/record-producer';
import { ensureTopics } from '../../src/kafka/topics';
import { localConfig, quietLogger } from '../helpers/local-stack';
import { uniqueName } from '../helpers/names';
import { WharfProcess } from '../helpers/wharf-process';

describe('wharf dlq list (real broker)', function () {
  this.timeout(60_000);

  it('prints every dead letter once as a JSON line, in order, and can be run again with the same result', async () => {
    const base = localConfig();
    const dlqTopic = uniqueName('dlq');
    const kafka = createKafka(base.kafka, quietLogger, uniqueName('dlq-test'));
    const admin = kafka.admin();
    await admin.connect();
    await ensureTopics(admin, [{ topic: dlqTopic, numPartitions: 1 }], quietLogger);
    await admin.disconnect();
    const producer = new RecordProducer(new KafkaClient(base.kafka, quietLogger, uniqueName('dlq-test')));
    await producer.connect();
    const time = '2026-11-26T12:00:00.000Z';
    await publishDeadLetters(
      producer,
      dlqTopic,
      [1, 2, 3].map((n) => ({ record: { id: `orders:${n}`, source: 'orders', payload: { n } }, recordId: `orders:${n}`, source: 'orders', stage: 'search', error: `bad ${n}`, attempts: 1, time })),
    );
    await producer.disconnect();

    const file = join(mkdtempSync(join(tmpdir(), 'wharf-dlq-')), 'actors.json');
    writeFileSync(file, JSON.stringify({ kafka: { ...base.kafka, dlqTopic }, zookeeper: base.zookeeper, sinks: base.sinks }));
    for (let run = 0; run < 2; run++) {
      const cli = new WharfProcess(['dlq', 'list', '--config', file]);
      expect(await cli.exited).to.equal(0);
      expect(cli.lines.map((l) => [l.recordId, l.stage, l.error])).to.deep.equal([
        ['orders:1', 'search', 'bad 1'],
        ['orders:2', 'search', 'bad 2'],
        ['orders:3', 'search', 'bad 3'],
      ]);
      expect(cli.stderr).to.contain(`3 dead letter(s) in ${dlqTopic}`);
    }
  });
});
