/**
 * scripts/stack itself, on a second set of ports and its own run folder (so the stack the other
 * tests use is untouched): `up` twice is harmless, `status` reports every service, `down` leaves
 * no process and frees every port, and a service that cannot start fails loudly with its log.
 */
import { expect } from 'chai';
import { execFile } from 'node:child_process';
import { chmodSync, mkdtempSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { REPO_ROOT } from '../helpers/local-stack';

const STACK = resolve(REPO_ROOT, 'scripts/stack');
const PORTS = {
  WHARF_ZK_PORT: '12181',
  WHARF_KAFKA_PORT: '19092',
  WHARF_KAFKA_CONTROLLER_PORT: '19093',
  WHARF_KAFKA_SASL_PORT: '19094',
  WHARF_KAFKA_MTLS_PORT: '19095',
  WHARF_ES_PORT: '19200',
  WHARF_ES_TRANSPORT_PORT: '19300',
  WHARF_COUCHDB_PORT: '15984',
};

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function stack(args: string[], env: Record<string, string>): Promise<Run> {
  return new Promise((done) => {
    execFile(STACK, args, { env: { ...process.env, ...env }, timeout: 300_000 }, (err, stdout, stderr) => {
      done({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

function listening(port: string): Promise<boolean> {
  return new Promise((done) => {
    const probe = createServer();
    probe.once('error', () => done(true));
    probe.listen(Number(port), '127.0.0.1', () => probe.close(() => done(false)));
  });
}

function processesMentioning(text: string): Promise<string[]> {
  return new Promise((done) => {
    execFile('ps', ['-eo', 'pid,args'], (_err, stdout) => done(stdout.split('\n').filter((l) => l.includes(text))));
  });
}

function runFolder(): string {
  const dir = mkdtempSync(join(tmpdir(), 'wharf-stack-test-'));
  chmodSync(dir, 0o755);
  return dir;
}

describe('scripts/stack (real services on spare ports)', function () {
  this.timeout(400_000);

  it('brings all four services up, is harmless when run twice, and down stops every process and frees every port', async () => {
    const env = { ...PORTS, WHARF_STACK_RUN: runFolder() };
    try {
      const first = await stack(['up'], env);
      expect(first.code, first.stderr).to.equal(0);

      const second = await stack(['up'], env);
      expect(second.code, second.stderr).to.equal(0);
      for (const service of ['zookeeper', 'kafka', 'elasticsearch', 'couchdb']) {
        expect(second.stderr).to.contain(`${service} already running`);
      }

      const status = await stack(['status'], env);
      expect(status.code, status.stdout).to.equal(0);
      expect(status.stdout.match(/ ready /g)).to.have.length(4);

      const logs = await stack(['logs', 'kafka'], env);
      expect(logs.stdout).to.contain('Kafka Server started');

      // The install step patched pouchdb-server: an unauthenticated PUT /<db> is refused, not fatal.
      const couch = `http://127.0.0.1:${PORTS.WHARF_COUCHDB_PORT}`;
      expect((await fetch(`${couch}/anonymous-put`, { method: 'PUT' })).status).to.equal(401);
      const admin = { authorization: `Basic ${Buffer.from('wharf:wharf-local-dev').toString('base64')}` };
      expect((await fetch(`${couch}/_all_dbs`, { headers: admin })).status).to.equal(200);
    } finally {
      const down = await stack(['down'], env);
      expect(down.code, down.stderr).to.equal(0);
    }
    expect(await processesMentioning(env.WHARF_STACK_RUN)).to.deep.equal([]);
    for (const port of Object.values(PORTS)) expect(await listening(port), `port ${port}`).to.equal(false);
    const after = await stack(['status'], env);
    expect(after.code).to.equal(1);
    expect(after.stdout.match(/ stopped /g)).to.have.length(4);
  });

  it('up --secure starts a service\'s secured variant beside it, status --secure shows it, and down with no service stops both', async () => {
    const env = { ...PORTS, WHARF_COUCHDB_SECURE_PORT: '16984', WHARF_STACK_RUN: runFolder() };
    try {
      const up = await stack(['up', '--secure', 'couchdb'], env);
      expect(up.code, up.stderr).to.equal(0);
      const status = await stack(['status', '--secure'], env);
      expect(status.stdout).to.match(/^couchdb +ready /m).and.match(/^couchdb-secure +ready .*https/m);
      // Without the Elasticsearch node there are no API keys: env --secure says what to do.
      const vars = await stack(['env', '--secure'], env);
      expect(vars.code).to.equal(1);
      expect(vars.stderr).to.contain('run scripts/stack up --secure first');
    } finally {
      const down = await stack(['down'], env);
      expect(down.code, down.stderr).to.equal(0);
    }
    expect(await processesMentioning(env.WHARF_STACK_RUN)).to.deep.equal([]);
    for (const port of [PORTS.WHARF_COUCHDB_PORT, env.WHARF_COUCHDB_SECURE_PORT]) expect(await listening(port), `port ${port}`).to.equal(false);
  });

  it('refuses to start a service whose port another program holds, naming the service and the port', async () => {
    const squatter: Server = createServer();
    await new Promise<void>((done) => squatter.listen(Number(PORTS.WHARF_ZK_PORT), '127.0.0.1', done));
    try {
      const run = await stack(['up', 'zookeeper'], { ...PORTS, WHARF_STACK_RUN: runFolder() });
      expect(run.code).to.equal(1);
      expect(run.stderr).to.match(/zookeeper cannot start: port 12181 is already in use/);
    } finally {
      squatter.close();
    }
  });

  it('fails loudly when a service dies while starting, with the tail of its log', async () => {
    const env = { ...PORTS, WHARF_STACK_RUN: runFolder(), WHARF_ZK_HEAP: 'lots' };
    const run = await stack(['up', 'zookeeper'], env);
    await stack(['down', 'zookeeper'], env);
    expect(run.code).to.equal(1);
    expect(run.stderr).to.contain('zookeeper failed to start: its process exited before it became ready');
    expect(run.stderr).to.match(/Invalid (initial|maximum) heap size/);
  });
});
