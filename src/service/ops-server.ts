/**
 * The operator's HTTP listener (default 127.0.0.1:9464):
 *   GET /metrics   Prometheus exposition of every wharf process, merged;
 *   GET /healthz   200 while the process is alive (a liveness probe: it never checks servers),
 *                  with the version and commit, so a rolling upgrade can be followed host by host;
 *   GET /readyz    200 when every actor runs and every server answers, else 503 with the reasons;
 *   GET /topology  the live supervision tree as JSON.
 * Handlers never throw to the client: a failing one answers 500 with its error.
 *
 * With a token (`metrics.token`, required to bind anything but loopback unless
 * `metrics.insecure`), every endpoint but /healthz answers 401 unless the request carries
 * `Authorization: Bearer <token>`; the comparison takes the same time whatever the guess.
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
}

export class OpsServer {
  private constructor(
    private readonly server: Server,
    readonly url: string,
  ) {}

  static async listen(host: string, port: number, handlers: OpsHandlers, log: Logger, token?: string): Promise<OpsServer> {
    const started = Date.now();
    const authorized = bearerCheck(token);
    const server = createServer((req, res) => void route(req, res, handlers, started, log, authorized));
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

async function route(req: IncomingMessage, res: ServerResponse, handlers: OpsHandlers, started: number, log: Logger, authorized: (req: IncomingMessage) => boolean): Promise<void> {
  const path = new URL(req.url ?? '/', 'http://localhost').pathname;
  if (req.method !== 'GET' && req.method !== 'HEAD') return send(res, 405, 'application/json', { error: 'only GET' });
  if (path !== '/healthz' && !authorized(req)) {
    res.setHeader('www-authenticate', 'Bearer realm="wharf"');
    return send(res, 401, 'application/json', { error: 'missing or wrong bearer token (metrics.token)' });
  }
  try {
    switch (path) {
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
        return send(res, 404, 'application/json', { error: `no such endpoint: ${path}`, endpoints: ['/metrics', '/healthz', '/readyz', '/topology'] });
    }
  } catch (err) {
    log.warn({ path, err: describeError(err) }, 'ops endpoint failed');
    return send(res, 500, 'application/json', { error: describeError(err) });
  }
}

function send(res: ServerResponse, status: number, type: string, body: unknown): void {
  const text = typeof body === 'string' ? body : `${JSON.stringify(body, null, 2)}\n`;
  res.writeHead(status, { 'content-type': type, 'content-length': Buffer.byteLength(text) });
  res.end(text);
}
