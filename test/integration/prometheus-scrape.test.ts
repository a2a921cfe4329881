/**
 * A real Prometheus server (Debian's package, on loopback, started here) scrapes a running
 * wharf, and PromQL through its HTTP API sees what wharf wrote; promtool lints the exposition.
 */
import { expect } from 'chai';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../helpers/names';
import { eventually, PipelineRun } from '../helpers/pipeline';

function run(command: string, args: string[], input: string): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (c: Buffer) => (output += c.toString()));
    child.stderr.on('data', (c: Buffer) => (output += c.toString()));
    child.on('error', reject);
    child.on('exit', (code) => resolve({ code, output }));
    child.stdin.end(input);
  });
}

interface VectorResult {
  metric: Record<string, string>;
  value: [number, string];
}

describe('Prometheus scraping a running wharf (real Prometheus server)', function () {
  this.timeout(240_000);
  const pipeline = new PipelineRun();
  let prometheus: ChildProcess | undefined;

  after(async () => {
    prometheus?.kill('SIGTERM');
    await pipeline.stop();
  });

  it('lints clean with promtool check metrics', async () => {
    pipeline.upstream.add(500);
    await pipeline.start();
    await eventually(() => pipeline.esCount(), (n) => n === 500, 90_000, '500 in Elasticsearch');
    const text = await (await fetch(`${await pipeline.wharf!.opsUrl()}/metrics`)).text();
    const lint = await run('promtool', ['check', 'metrics'], text);
    expect(lint.output).to.equal('');
    expect(lint.code).to.equal(0);
  });

  it('answers a PromQL query with the records-written series of each sink and the expected totals', async () => {
    await eventually(() => pipeline.couchCount(), (n) => n === 500, 90_000, '500 in CouchDB');
    const target = new URL(await pipeline.wharf!.opsUrl()).host;
    const dir = mkdtempSync(join(tmpdir(), 'wharf-prometheus-'));
    writeFileSync(
      join(dir, 'prometheus.yml'),
      `global:\n  scrape_interval: 1s\nscrape_configs:\n  - job_name: wharf\n    static_configs:\n      - targets: ["${target}"]\n`,
    );
    const port = await freePort();
    prometheus = spawn(
      'prometheus',
      [`--config.file=${join(dir, 'prometheus.yml')}`, `--storage.tsdb.path=${join(dir, 'data')}`, `--web.listen-address=127.0.0.1:${port}`],
      { stdio: 'ignore' },
    );
    const api = `http://127.0.0.1:${port}`;
    await eventually(() => fetch(`${api}/-/ready`).then((r) => r.status), (s) => s === 200, 60_000, 'Prometheus ready');
    const query = async (promql: string) => {
      const body = (await (await fetch(`${api}/api/v1/query?query=${encodeURIComponent(promql)}`)).json()) as { data: { result: VectorResult[] } };
      return body.data.result;
    };
    const written = await eventually(
      () => query('sum by (sink) (wharf_sink_records_written_total{job="wharf"})'),
      (r) => r.length === 2 && r.every((s) => Number(s.value[1]) === 500),
      60_000,
      'both sinks at 500 in Prometheus',
    );
    expect(written.map((s) => s.metric.sink).sort()).to.deep.equal(['docs', 'search']);
    const up = await query('up{job="wharf"}');
    expect(up.map((s) => s.value[1])).to.deep.equal(['1']);
  });
});
