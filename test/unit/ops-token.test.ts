/** The ops listener's bearer token: every endpoint but /healthz wants it; the token is compared whole. */
import { expect } from 'chai';
import { OpsServer } from '../../src/service/ops-server';
import { createLogger } from '../../src/log';

describe('ops listener bearer token', () => {
  const handlers = {
    metrics: () => Promise.resolve('wharf_up 1\n'),
    readiness: () => Promise.resolve({ ready: true, reasons: [] }),
    topology: () => ({ id: 'wharf' }),
    reload: () => Promise.resolve({ outcome: 'applied' as const, restarted: ['pollers-orders'] }),
  };
  const log = createLogger({ level: 'silent' });

  it('answers 401 without the token or with another, 200 with it, and leaves /healthz open', async () => {
    const ops = await OpsServer.listen('127.0.0.1', 0, handlers, log, 'ops-token-1');
    try {
      const status = (path: string, authorization?: string) => fetch(`${ops.url}${path}`, { headers: authorization ? { authorization } : {} }).then((r) => r.status);
      for (const path of ['/metrics', '/readyz', '/topology']) {
        expect(await status(path), `${path} without a token`).to.equal(401);
        expect(await status(path, 'Bearer ops-token'), `${path} with a prefix of the token`).to.equal(401);
        expect(await status(path, 'Bearer ops-token-12'), `${path} with a longer token`).to.equal(401);
        expect(await status(path, 'Bearer ops-token-1'), `${path} with the token`).to.equal(200);
      }
      expect(await status('/healthz')).to.equal(200);
      const refused = await fetch(`${ops.url}/metrics`);
      expect(refused.headers.get('www-authenticate')).to.equal('Bearer realm="wharf"');
      expect(await refused.text()).not.to.include('ops-token-1');

      // POST /reload changes state: the token too, and POST only.
      const json = { 'content-type': 'application/json' };
      const post = (authorization?: string) => fetch(`${ops.url}/reload`, { method: 'POST', headers: authorization ? { ...json, authorization } : json });
      expect((await post()).status, 'POST /reload without a token').to.equal(401);
      expect((await post('Bearer ops-token')).status, 'POST /reload with a prefix of the token').to.equal(401);
      const applied = await post('Bearer ops-token-1');
      expect(applied.status).to.equal(200);
      expect(await applied.json()).to.deep.equal({ outcome: 'applied', restarted: ['pollers-orders'] });
      expect(await status('/reload', 'Bearer ops-token-1'), 'GET /reload').to.equal(405);
      expect(await fetch(`${ops.url}/metrics`, { method: 'POST', headers: { authorization: 'Bearer ops-token-1' } }).then((r) => r.status), 'POST /metrics').to.equal(405);
    } finally {
      await ops.close();
    }
  });

  it('wants no token when none is configured (loopback)', async () => {
    const ops = await OpsServer.listen('127.0.0.1', 0, handlers, log);
    try {
      expect(await fetch(`${ops.url}/topology`).then((r) => r.status)).to.equal(200);
      expect(await fetch(`${ops.url}/reload`, { method: 'POST', headers: { 'content-type': 'application/json' } }).then((r) => r.status)).to.equal(200);
      // A web page's form post (no JSON content type) cannot reload it.
      const form = { 'content-type': 'application/x-www-form-urlencoded' };
      expect(await fetch(`${ops.url}/reload`, { method: 'POST', headers: form, body: 'a=1' }).then((r) => r.status)).to.equal(415);
    } finally {
      await ops.close();
    }
  });
});
