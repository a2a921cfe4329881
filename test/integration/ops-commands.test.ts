/**
 * The operator's everyday commands against a running pipeline (real stack, `wharf run`):
 * `wharf lag`, `wharf cursor get`, `wharf tap --limit 5`, and `wharf top` in a real terminal
 * (tmux), read from its screen.
 */
import { expect } from 'chai';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { KafkaClient, withAdmin } from '../../src/kafka/client';
import { localConfig, quietLogger, REPO_ROOT } from '../helpers/local-stack';
import { eventually, PipelineRun } from '../helpers/pipeline';
import { scrape } from '../helpers/scrape';
import { TmuxTerminal } from '../helpers/tmux';
import { CLI, WharfProcess } from '../helpers/wharf-process';

async function cli(...args: string[]): Promise<WharfProcess> {
  const command = new WharfProcess(args);
  await command.exited;
  return command;
}

interface LagLine {
  group: string;
  topic?: string;
  partition?: number;
  committed?: string | null;
  end?: string;
  lag: number;
  memberId?: string | null;
  clientId?: string | null;
  state?: string;
  members?: number;
}

describe('operator commands on a running pipeline (real stack)', function () {
  this.timeout(300_000);
  const run = new PipelineRun();
  const terminal = new TmuxTerminal();
  const kafka = new KafkaClient(localConfig().kafka, quietLogger, 'ops-commands-test');

  before(async () => {
    run.upstream.add(20);
    await run.start();
    await eventually(() => run.couchCount(), (n) => n === 20, 90_000, '20 documents in CouchDB');
  });

  after(async () => {
    await terminal.close();
    await run.stop();
  });

  it('wharf lag shows every partition of the group with its committed offset, end, lag 0 and the member consuming it', async () => {
    const group = `${run.name}-sinks`;
    const lines = await eventually(
      async () => (await cli('lag', '--json', '--config', run.configFile)).lines as unknown as LagLine[],
      (l) => l.length === 7 && l.at(-1)!.lag === 0 && l.at(-1)!.state === 'Stable',
      60_000,
      'the group caught up and stable',
    );
    const partitions = lines.slice(0, 6);
    expect(partitions.map((p) => [p.group, p.topic, p.partition])).to.deep.equal([0, 1, 2, 3, 4, 5].map((n) => [group, `${run.name}.records`, n]));
    expect(partitions.reduce((sum, p) => sum + Number(p.end), 0), 'the 20 records').to.equal(20);
    for (const p of partitions) {
      expect(p.committed ?? '0', `partition ${p.partition}: committed through its end`).to.equal(p.end);
      expect(p.memberId, `partition ${p.partition} has a consumer`).to.be.a('string');
      expect(p.clientId).to.match(/^wharf-consumers-\d+$/);
    }
    expect(lines[6]).to.deep.equal({ group, state: 'Stable', members: 2, partitions: 6, lag: 0 });

    const table = await cli('lag', '--config', run.configFile);
    expect(table.exitCode, table.stderr).to.equal(0);
    expect(table.stdout).to.contain(`group ${group}: Stable, 2 member(s), lag 0\n`);
    expect(table.stdout).to.match(/TOPIC +PARTITION +CURRENT-OFFSET +LOG-END-OFFSET +LAG +CONSUMER-ID +HOST +CLIENT-ID/);
  });

  it('wharf cursor get shows the stored cursor and the instance holding the lease', async () => {
    const got = await cli('cursor', 'get', 'orders', '--json', '--config', run.configFile);
    expect(got.exitCode, got.stderr).to.equal(0);
    const [cursor] = got.lines as unknown as Array<{ source: string; path: string; cursor: string; version: number; updatedAt: string; holder: { instance: string } }>;
    expect(cursor).to.include({ source: 'orders', path: `/wharf-test/${run.name}/sources/orders/cursor`, cursor: '20' });
    expect(cursor.version).to.be.at.least(1);
    expect(Date.parse(cursor.updatedAt)).to.be.greaterThan(0);
    expect(cursor.holder.instance).to.match(new RegExp(`^${hostname()}:\\d+$`));

    const text = await cli('cursor', 'get', 'orders', '--config', run.configFile);
    expect(text.stdout).to.contain('cursor   "20"\n').and.contain(`lease    held by ${cursor.holder.instance}`);
    const unknown = await cli('cursor', 'get', 'nope', '--config', run.configFile);
    expect(unknown.exitCode).to.equal(2);
    expect(unknown.stderr).to.contain('no source "nope"');
  });

  it('wharf cursor set is refused while the running poller holds the lease; with --force the poller polls from the new cursor', async () => {
    const refused = await cli('cursor', 'set', 'orders', '10', '--config', run.configFile);
    expect(refused.exitCode).to.equal(1);
    expect(refused.stderr).to.match(new RegExp(`cursor of source orders not changed: ${hostname()}:\\d+ \\(since [^)]+\\) holds its lease and polls it`));
    const ends = async () => (await withAdmin(kafka, (admin) => admin.fetchTopicOffsets(`${run.name}.records`))).reduce((sum, p) => sum + Number(p.high), 0);
    expect(await ends()).to.equal(20);

    const forced = await cli('cursor', 'set', 'orders', '10', '--force', '--config', run.configFile);
    expect(forced.exitCode, forced.stderr).to.equal(0);
    expect(forced.stdout).to.contain('cursor of source orders set to "10" (was "20")').and.contain('forced over the lease of');
    // The idle poller reads the cursor again after its interval: records 11 to 20 are produced
    // again (the sinks write them under the same ids), and the cursor is back at "20".
    await eventually(ends, (n) => n === 30, 30_000, 'records 11 to 20 produced again');
    const after = (await cli('cursor', 'get', 'orders', '--json', '--config', run.configFile)).lines[0] as unknown as { cursor: string };
    expect(after.cursor).to.equal('20');
    await run.wharf!.waitForLog((l) => l.msg === 'cursor changed by an operator; polling from it' && l.cursor === '10', 10_000);
    await eventually(() => run.esCount(), (n) => n === 20, 30_000, 'still 20 documents in Elasticsearch');
  });

  it('wharf cursor set refuses, with exit 2 and before anything changes, a cursor its source type would refuse', async () => {
    const empty = await cli('cursor', 'set', 'orders', ' ', '--force', '--config', run.configFile);
    expect(empty.exitCode).to.equal(2);
    expect(empty.stderr).to.contain('cursor of source orders not changed: an empty cursor: use `wharf cursor reset`');
    const files = { id: 'files', type: 'ndjson-files', path: '/tmp/none', pattern: '*.ndjson' };
    const config = { ...JSON.parse(readFileSync(run.configFile, 'utf8')), sources: [files] } as object;
    const configFile = join(mkdtempSync(join(tmpdir(), 'wharf-cursor-')), 'actors.json');
    writeFileSync(configFile, JSON.stringify(config));
    const notNdjson = await cli('cursor', 'set', 'files', '10', '--force', '--config', configFile);
    expect(notNdjson.exitCode).to.equal(2);
    expect(notNdjson.stderr).to.contain('cursor of source files not changed: not an ndjson-files cursor');
    const stored = (await cli('cursor', 'get', 'orders', '--json', '--config', run.configFile)).lines[0] as unknown as { cursor: string };
    expect(stored.cursor).to.equal('20');
  });

  it('wharf tap --limit 5 prints the next 5 records of the source as they flow, then exits and leaves no consumer group', async () => {
    const tap = new WharfProcess(['tap', 'orders', '--limit', '5', '--config', run.configFile]);
    await eventually(() => Promise.resolve(tap.stderr), (s) => s.includes('tapping source orders'), 30_000, 'the tap to start');
    run.upstream.add(8);
    expect(await Promise.race([tap.exited, new Promise((r) => setTimeout(() => r('still running'), 60_000))]), tap.stderr).to.equal(0);
    const records = tap.lines as unknown as Array<{ id: string; source: string; payload: Record<string, unknown>; version: string; offset: string }>;
    expect(records).to.have.length(5);
    const upstream = run.upstream.latest();
    for (const record of records) {
      expect(record.source).to.equal('orders');
      expect(Number(record.id.slice('orders:'.length)), record.id).to.be.within(21, 28);
      expect(record.payload).to.deep.equal(upstream.get(record.id.slice('orders:'.length)));
      expect(record.version).to.equal(record.offset);
    }
    expect(tap.stderr).to.contain('5 record(s) of orders');
    const groups = await withAdmin(kafka, (admin) => admin.listGroups());
    expect(groups.groups.map((g) => g.groupId).filter((g) => g.includes(`-tap-${tap.pid}-`))).to.deep.equal([]);
  });

  it('wharf top draws sources, sinks, lag and actors in a terminal, refreshes them, and q gives the terminal back', async () => {
    const opsUrl = await run.wharf!.opsUrl();
    await terminal.open(170, 45);
    await terminal.send(`cd ${REPO_ROOT} && node ${resolve(CLI)} top --url ${opsUrl}; echo "top exited $?"`, 'Enter');
    const ordersRow = (screen: string) => screen.split('\n').find((l) => /^orders +running /.test(l)) ?? '';
    const polled = (screen: string) => Number(ordersRow(screen).split(/ +/)[2]);
    // What the instance counted so far (the upstream's records, and those polled again after the forced cursor).
    const total = (await scrape(opsUrl)).get('wharf_source_records_polled_total{source="orders"}')!;
    const sinksAt = (n: number) => (s: string) => new RegExp(`^search +up +${n} `, 'm').test(s) && new RegExp(`^docs +up +${n} `, 'm').test(s);
    const first = await terminal.waitForScreen((s) => polled(s) === total && sinksAt(total)(s), 30_000, `top showing orders with ${total} polled and written`);
    expect(await terminal.alternateScreen(), 'top draws on the alternate screen').to.equal(true);
    expect(first).to.match(new RegExp(`^wharf top {2}${opsUrl.replace(/[.[\]]/g, '\\$&')} {2}\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d {2}ready`, 'm'));
    expect(first).to.match(/^SOURCE +POLLER +POLLED +\/S +PRODUCED +\/S +ERRORS +\/S +LAST POLL +RESTARTS$/m);
    expect(first).to.match(new RegExp(`^kafka {2}group ${run.name}-sinks {2}lag 0 {2}\\(p0 \\d+, p1 \\d+`, 'm'));
    expect(first).to.match(/^pollers-orders +source-poller +running +\d+ +0 *$/m);

    // New records upstream: the next redraws count them, with a rate while they arrive.
    run.upstream.add(12);
    const arriving = await terminal.waitForScreen((s) => Number(ordersRow(s).split(/ +/)[3]) > 0, 30_000, 'a polled rate above 0 while they arrive');
    expect(polled(arriving)).to.be.greaterThan(total);
    const later = await terminal.waitForScreen((s) => polled(s) === total + 12 && sinksAt(total + 12)(s), 30_000, 'top counting the 12 new records');
    expect(ordersRow(later)).to.match(new RegExp(`^orders +running +${total + 12} +[\\d.]+ +${total + 12} +[\\d.]+ +0 +[\\d.]+ +\\ds +0$`));

    await terminal.send('q');
    const after = await terminal.waitForScreen((s) => s.includes('top exited 0'), 15_000, 'top to exit on q');
    expect(await terminal.alternateScreen(), 'the terminal is back on its normal screen').to.equal(false);
    expect(after, 'top\'s view is gone with the alternate screen').not.to.contain('SOURCE');
  });
});
