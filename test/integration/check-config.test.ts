/** `wharf check-config`: every error with its key path and exit 2, or the topology and exit 0. */
import { expect } from 'chai';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_CONFIG_FILE } from '../helpers/local-stack';
import { WharfProcess } from '../helpers/wharf-process';

function file(content: string): string {
  const path = join(mkdtempSync(join(tmpdir(), 'wharf-check-')), 'actors.json');
  writeFileSync(path, content);
  return path;
}

async function checkConfig(...args: string[]): Promise<WharfProcess> {
  const command = new WharfProcess(['check-config', ...args]);
  await command.exited;
  return command;
}

describe('wharf check-config', () => {
  it('prints the topology a good file starts and exits 0', async () => {
    const result = await checkConfig(DEFAULT_CONFIG_FILE);
    expect(result.exitCode).to.equal(0);
    expect(result.stdout).to.contain(`${DEFAULT_CONFIG_FILE}: valid`);
    expect(result.stdout).to.contain('sinks: search (elasticsearch), docs (couchdb), archive (hdfs)');
    for (const line of ['wharf  supervisor one-for-one', '├─ consumers  supervisor', '│  ├─ consumers-1  partition-consumer  forked', '└─ pollers-orders  source-poller  forked']) {
      expect(result.stdout).to.contain(line);
    }
  });

  it('prints every error of a broken file with its key path and exits 2', async () => {
    const broken = file(
      JSON.stringify({
        kafka: { brokers: ['nohost'], partitions: 0 },
        zookeeper: { connect: 'x' },
        sources: [{ id: 'files', type: 'ndjson-files' }],
        sinks: [{ id: 's', type: 'elasticsearch', node: 'ftp://x', index: 'A' }],
        metrics: { port: 70000 },
        surprise: true,
      }),
    );
    const result = await checkConfig(broken);
    expect(result.exitCode).to.equal(2);
    expect(result.stdout).to.equal('');
    for (const expected of [
      'kafka.brokers[0]: expected host:port',
      'kafka.partitions: too small',
      'zookeeper.connect: expected host:port',
      'sources[0].path',
      'sinks[0].node: expected an http:// or https:// URL, got "ftp://x"',
      'sinks[0].index: expected a lowercase Elasticsearch index name, got "A"',
      'metrics.port: too big',
      'surprise',
    ]) {
      expect(result.stderr).to.contain(expected);
    }
  });

  it('says where a file that is not JSON breaks, and exits 2', async () => {
    const result = await checkConfig(file('{ "kafka": '));
    expect(result.exitCode).to.equal(2);
    expect(result.stderr).to.match(/JSON/);
  });
});
