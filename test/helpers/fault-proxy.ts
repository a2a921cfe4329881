/**
 * An HTTP proxy in front of the real Elasticsearch that can, for a while, make it look loaded:
 * answer `_bulk` requests late, answer some whole with 429 es_rejected_execution_exception, and
 * answer some of the items of others with a per-item 429 (those items are taken out of the
 * request: the real node never sees them, as when its write queue refuses them). Everything
 * else, and every request while no fault is on, is forwarded unchanged.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Faults {
  /** Delay added before forwarding each bulk request, ms. */
  delayMs?: number;
  /** The next this many bulk requests: one in three refused whole with 429, one item in three of the others refused with a 429 item. */
  throttledRequests?: number;
}

const REJECTED = { type: 'es_rejected_execution_exception', reason: 'rejected execution of coordinating operation (injected by the test proxy)' };

export class FaultProxy {
  faults: Faults = {};
  /** Bulk requests answered 429 whole, and items answered 429 inside a bulk response. */
  readonly injected = { requests: 0, items: 0 };
  private bulkRequests = 0;
  private readonly server: Server;

  private constructor(private readonly target: string) {
    this.server = createServer((req, res) => {
      this.handle(req)
        .then(({ status, headers, body }) => res.writeHead(status, headers).end(body))
        .catch((err: unknown) => res.writeHead(502).end(String(err)));
    });
  }

  static async start(target: string): Promise<FaultProxy> {
    const proxy = new FaultProxy(target.replace(/\/$/, ''));
    await new Promise<void>((resolve) => proxy.server.listen(0, '127.0.0.1', resolve));
    return proxy;
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private async handle(req: IncomingMessage): Promise<{ status: number; headers: Record<string, string>; body: Buffer }> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks);
    if (!/\/_bulk(\?|$)/.test(req.url ?? '')) return this.forward(req, body);
    if (this.faults.delayMs) await new Promise((resolve) => setTimeout(resolve, this.faults.delayMs));
    if (!this.faults.throttledRequests) return this.forward(req, body);
    this.faults.throttledRequests--;
    if (this.bulkRequests++ % 3 === 0) {
      this.injected.requests++;
      return json(429, { error: { root_cause: [REJECTED], ...REJECTED }, status: 429 });
    }
    return this.withItemRejections(req, body);
  }

  /** Forwards the bulk without one item in three, and answers those with a 429 item in their place. */
  private async withItemRejections(req: IncomingMessage, body: Buffer) {
    const lines = body.toString().split('\n').filter((l) => l !== '');
    const pairs = Array.from({ length: lines.length / 2 }, (_, i) => [lines[2 * i], lines[2 * i + 1]]);
    const refused = new Set(pairs.map((_, i) => i).filter((i) => i % 3 === 1));
    const kept = pairs.filter((_, i) => !refused.has(i));
    const answer = await this.forward(req, Buffer.from(kept.flat().join('\n') + '\n'));
    const parsed = JSON.parse(answer.body.toString()) as { items: unknown[] };
    const items = [...parsed.items];
    const merged = pairs.map((pair, i) => {
      if (!refused.has(i)) return items.shift();
      this.injected.items++;
      const { index } = JSON.parse(pair[0]) as { index: { _index: string; _id: string } };
      return { index: { _index: index._index, _id: index._id, status: 429, error: REJECTED } };
    });
    return json(200, { ...parsed, errors: true, items: merged }, answer.headers);
  }

  private async forward(req: IncomingMessage, body: Buffer) {
    const headers = Object.fromEntries(Object.entries(req.headers).filter(([k]) => !['host', 'content-length', 'connection'].includes(k))) as Record<string, string>;
    const response = await fetch(`${this.target}${req.url}`, { method: req.method, headers, body: ['GET', 'HEAD'].includes(req.method ?? 'GET') ? undefined : body });
    const answer = Buffer.from(await response.arrayBuffer());
    const kept = Object.fromEntries([...response.headers].filter(([k]) => !['content-length', 'transfer-encoding', 'connection', 'content-encoding'].includes(k)));
    return { status: response.status, headers: kept, body: answer };
  }
}

function json(status: number, value: unknown, headers: Record<string, string> = {}) {
  return { status, headers: { ...headers, 'content-type': 'application/json', 'x-elastic-product': 'Elasticsearch' }, body: Buffer.from(JSON.stringify(value)) };
}
