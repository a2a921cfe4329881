/**
 * `wharf reload` against a running pipeline (shared Kafka, ZooKeeper, Elasticsearch, CouchDB;
 * unique names): a change to one source restarts only that source's poller, an added source
 * starts only its poller, and neither touches the consumers; a sink change restarts the
 * consumers (and the health checker), not the pollers; an invalid file is refused with its key
 * paths (by the command, exit 1, and by the instance, 422); the reload metrics count both; the POST needs the ops token; an instance
 * that is not there is one clear line, exit 1.
 */
import { expect } from 'chai';
import { freePort } from '../helpers/names';
import { localStack, PipelineRun } from '../helpers/pipeline';
import { cli, type LogLine } from '../helpers/wharf-process';

const TOKEN = 'reload-test-token';

/** Children started after the `from`-th log line. */
function startedSince(lines: LogLine[], from: number): string[] {
  return lines
    .slice(from)
    .filter((l) => l.event === 'child_started')
    .map((l) => String(l.child));
}

function stoppedSince(lines: LogLine[], from: number): string[] {
  return lines
    .slice(from)
    .filter((l) => l.event === 'child_stopped')
    .map((l) => String(l.child));
}


describe('wharf reload (ops endpoint POST /reload)', function () {
  this.timeout(240_000);
  const run = new PipelineRun({ ...localStack(), sections: { metrics: { token: TOKEN } } });
  let url = '';

  before(async () => {
    await run.start({ moreSources: [{ id: 'returns', type: 'http-json', url: run.upstream.url, intervalMs: 300 }] });
    url = await run.wharf!.opsUrl();
  });

  after(() => run.stop());

  const reload = (...args: string[]) => cli('reload', '--config', run.configFile, '--url', url, ...args);
  const sources = () => run.config.sources as Array<Record<string, unknown>>;

  it('a changed source restarts only its poller, an added one starts only its own; the consumers stay', async () => {
    const mark = run.wharf!.lines.length;
    run.config.sources = [sources()[0], { ...sources()[1], intervalMs: 700 }, { id: 'refunds', type: 'http-json', url: run.upstream.url, intervalMs: 300 }];
    run.writeConfig();
    const done = await reload();
    expect(done.exitCode, done.stderr).to.equal(0);
    expect(done.stdout).to.equal('applied: restarted pollers-returns; started pollers-refunds; unchanged health, consumers, pollers-orders\n');
    expect(startedSince(run.wharf!.lines, mark)).to.deep.equal(['pollers-returns', 'pollers-refunds']);
    expect(stoppedSince(run.wharf!.lines, mark)).to.deep.equal(['pollers-returns']);
  });

  it('a removed source stops only its poller; a sink change restarts the consumers and the health checker, not the pollers', async () => {
    let mark = run.wharf!.lines.length;
    run.config.sources = sources().slice(0, 2);
    run.writeConfig();
    let done = await reload('--json');
    expect(done.exitCode, done.stderr).to.equal(0);
    expect(JSON.parse(done.stdout)).to.deep.include({ outcome: 'applied', removed: ['pollers-refunds'], restarted: [], added: [] });
    expect(stoppedSince(run.wharf!.lines, mark)).to.deep.equal(['pollers-refunds']);

    mark = run.wharf!.lines.length;
    const sinks = run.config.sinks as Array<Record<string, unknown>>;
    run.config.sinks = [{ ...sinks[0], requestTimeoutMs: 25_000 }, sinks[1]];
    run.writeConfig();
    done = await reload();
    expect(done.exitCode, done.stderr).to.equal(0);
    expect(done.stdout).to.equal('applied: restarted consumers, health-1; unchanged pollers\n');
    const started = startedSince(run.wharf!.lines, mark);
    expect(started.filter((id) => id.startsWith('pollers'))).to.deep.equal([]);
    expect(started).to.include.members(['consumers', 'consumers-1', 'consumers-2', 'health-1']);
  });

  it('refuses an invalid file with one line per problem and its key path, exit 1; the metrics count both outcomes', async () => {
    const mark = run.wharf!.lines.length;
    const valid = run.config.sources;
    run.config.sources = [sources()[0], { ...sources()[1], intervalMs: 'soon' }];
    run.writeConfig();
    // The command reads the file too (for the endpoint and token): it refuses it without asking.
    const done = await reload();
    expect(done.exitCode).to.equal(1);
    expect(done.stdout).to.equal(`refused: ${run.configFile} is invalid (checked here; the instance was not asked)\n  sources[1].intervalMs: expected number, got "soon"\n`);
    // The instance refuses it the same way when asked directly.
    const asked = await fetch(`${url}/reload`, { method: 'POST', headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' } });
    expect(asked.status).to.equal(422);
    expect(await asked.json()).to.deep.equal({ outcome: 'refused', reasons: ['sources[1].intervalMs: expected number, got "soon"'] });
    expect(startedSince(run.wharf!.lines, mark)).to.deep.equal([]);
    run.config.sources = valid;
    run.writeConfig();

    const metrics = await (await fetch(`${url}/metrics`, { headers: { authorization: `Bearer ${TOKEN}` } })).text();
    expect(metrics).to.match(/^wharf_config_reloads_total\{outcome="applied"\} 3$/m);
    expect(metrics).to.match(/^wharf_config_reloads_total\{outcome="refused"\} 1$/m);
    expect(metrics).to.match(/^wharf_config_last_reload_successful 0$/m);
    expect(metrics).to.match(/^wharf_config_last_reload_timestamp_seconds\{outcome="refused"\} \d+(\.\d+)?$/m);
  });

  it('wants the ops token (exit 2 without it); an instance that does not answer is one line, exit 1', async () => {
    const noToken = await cli('reload', '--url', url);
    expect(noToken.exitCode).to.equal(2);
    expect(noToken.stderr).to.contain('refused the request (401)');

    const port = await freePort();
    const gone = await cli('reload', '--url', `http://127.0.0.1:${port}`);
    expect(gone.exitCode).to.equal(1);
    expect(gone.stderr).to.match(new RegExp(`^wharf: cannot reach the instance at 127\\.0\\.0\\.1:${port} \\(ECONNREFUSED\\)[^\\n]*\\n$`));
  });
});
