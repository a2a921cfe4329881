/**
 * The operator's HTTP listener (default 127.0.0.1:9464):
 *   GET /metrics   Prometheus exposition of every wharf process, merged;
 *   GET /healthz   200 while the process is alive (a liveness probe: it never checks servers),
 *                  with the version and commit, so a rolling upgrade can be followed host by host;
 *   GET /readyz    200 when every actor runs and every server answers, else 503 with the reasons;
 *   GET /topology  the live supervision tree as JSON;
 *   POST /reload   re-reads the configuration file, like SIGHUP, and answers with the outcome:
 *                  200 {outcome: "applied", restarted, ...}, 422 {outcome: "refused", reasons},
 *                  503 while wharf is starting.
 * Handlers never throw to the client: a failing one answers 500 with its error.
 *
 * With a token (`metrics.token`, required to bind anything but loopback unless
 * `metrics.insecure`), every endpoint but /healthz answers 401 unless the request carries
 * `Authorization: Bearer <token>`; the comparison takes the same time whatever the guess.
 * Without a token, POST /reload (it changes state) is refused to any client but loopback.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { buildInfo } from '../build-info';
import { describeError } from '../errors';
import type { Logger } from '../log';

export interface Readiness {
  ready: boolean;
  reasons: string[];
  [detail: string]: unknown;
}

export interface OpsHandlers {
  metrics(): Promise<string>;
  readiness(): Promise<Readiness>;
  topology(): unknown;
  /** undefined while wharf is starting. */
  reload(): Promise<{ outcome: 'applied' | 'refused' } | undefined>;
}

export class OpsServer {
  private constructor(
    private readonly server: Server,
    readonly url: string,
  ) {}

  static async listen(host: string, port: number, handlers: OpsHandlers, log: Logger, token?: string): Promise<OpsServer> {
    const started = Date.now();
    const authorized = bearerCheck(token);
    const server = createServer((req, res) => void route(req, res, handlers, started, log, authorized, token !== undefined));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    const address = server.address() as AddressInfo;
    const url = `http://${address.family === 'IPv6' ? `[${address.address}]` : address.address}:${address.port}`;
    return new OpsServer(server, url);
  }

  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

/** Whether a request may see the endpoints: always without a token, else only with `Bearer <token>`. */
function bearerCheck(token: string | undefined): (req: IncomingMessage) => boolean {
  if (token === undefined) return () => true;
  const digest = (text: string) => createHash('sha256').update(text).digest();
  const expected = digest(`Bearer ${token}`);
  return (req) => timingSafeEqual(digest(req.headers.authorization ?? ''), expected);
}

const ENDPOINTS = ['/metrics', '/healthz', '/readyz', '/topology', 'POST /reload'];

async function route(
  req: IncomingMessage,
  res: ServerResponse,
  handlers: OpsHandlers,
  started: number,
  log: Logger,
  authorized: (req: IncomingMessage) => boolean,
  tokenSet: boolean,
): Promise<void> {
  const path = new URL(req.url ?? '/', 'http://localhost').pathname;
  const method = path === '/reload' ? 'POST' : 'GET';
  if (req.method !== method && !(method === 'GET' && req.method === 'HEAD')) return send(res, 405, 'application/json', { error: `only ${method} on ${path}` });
  if (path !== '/healthz' && !authorized(req)) {
    res.setHeader('www-authenticate', 'Bearer realm="wharf"');
    return send(res, 401, 'application/json', { error: 'missing or wrong bearer token (metrics.token)' });
  }
  if (method === 'POST' && !tokenSet && !isLoopback(req.socket.remoteAddress)) return send(res, 403, 'application/json', { error: 'POST /reload without metrics.token is allowed from loopback only' });
  // A browser page can POST a form to loopback, but not with a JSON content type without a CORS
  // preflight, which this listener never grants: so a web page cannot trigger a reload.
  if (method === 'POST' && !/^application\/json\b/i.test(req.headers['content-type'] ?? '')) return send(res, 415, 'application/json', { error: 'POST /reload wants content-type: application/json' });
  try {
    switch (path) {
      case '/reload': {
        req.resume();
        const outcome = await handlers.reload();
        if (!outcome) return send(res, 503, 'application/json', { error: 'wharf is starting: reload once it is healthy' });
        return send(res, outcome.outcome === 'applied' ? 200 : 422, 'application/json', outcome);
      }
      case '/metrics':
        return send(res, 200, 'text/plain; version=0.0.4; charset=utf-8', await handlers.metrics());
      case '/healthz':
        return send(res, 200, 'application/json', { status: 'alive', pid: process.pid, uptimeSeconds: Math.round((Date.now() - started) / 1000), version: buildInfo().version, commit: buildInfo().commit });
      case '/readyz': {
        const readiness = await handlers.readiness();
        return send(res, readiness.ready ? 200 : 503, 'application/json', readiness);
      }
      case '/topology':
        return send(res, 200, 'application/json', handlers.topology());
      default:
        return send(res, 404, 'application/json', { error: `no such endpoint: ${path}`, endpoints: ENDPOINTS });
    }
  } catch (err) {
    log.warn({ path, err: describeError(err) }, 'ops endpoint failed');
    return send(res, 500, 'application/json', { error: describeError(err) });
  }
}

function isLoopback(address: string | undefined): boolean {
  return address !== undefined && (address === '::1' || address.startsWith('127.') || address.startsWith('::ffff:127.'));
}

function send(res: ServerResponse, status: number, type: string, body: unknown): void {
  const text = typeof body === 'string' ? body : `${JSON.stringify(body, null, 2)}\n`;
  res.writeHead(status, { 'content-type': type, 'content-length': Buffer.byteLength(text) });
  res.end(text);
}
