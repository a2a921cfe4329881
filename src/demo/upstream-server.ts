/**
 * A small HTTP JSON feed standing in for an upstream system in the demo (scripts/run-local) and
 * in end-to-end tests: GET /<name>?since=<id> answers up to `pageSize` records with ids above
 * `since`, and `next` = the last id returned (or `since` when there is nothing new), with an
 * ETag per answer. Records are numbered from 1; new ones can be appended while it runs.
 */
import { createHash } from 'node:crypto';
import { createServer, type Server } from 'node:http';

export interface UpstreamOptions {
  port: number;
  path?: string;
  pageSize?: number;
  /**
   * Answer a `since` beyond the records held by creating the missing ones (their content is a
   * function of their id): a restarted demo feed then continues where a stored cursor points.
   */
  growOnDemand?: boolean;
}

export class DemoUpstream {
  readonly records: Array<Record<string, unknown>> = [];
  private server?: Server;
  requests = 0;

  constructor(private readonly options: UpstreamOptions) {}

  /** Appends records; `make(n)` gets each new record's number (its id). */
  add(count: number, make: (n: number) => Record<string, unknown> = demoOrder): void {
    for (let i = 0; i < count; i++) {
      const n = this.records.length + 1;
      this.records.push({ id: n, ...make(n) });
    }
  }

  /** Appends a deletion of each id: a record `{ id, deleted: true }` (a source with `deletedField: "deleted"` makes it a tombstone). */
  remove(ids: readonly number[]): void {
    for (const id of ids) this.records.push({ id, deleted: true });
  }

  /** The last record served under each id, by id, leaving out ids whose last record is a deletion (what every sink must hold in the end). */
  latest(): Map<string, Record<string, unknown>> {
    const last = new Map(this.records.map((record) => [String(record.id), record]));
    for (const [id, record] of last) if (record.deleted === true) last.delete(id);
    return last;
  }

  async start(): Promise<void> {
    const path = this.options.path ?? '/orders';
    const pageSize = this.options.pageSize ?? 100;
    this.server = createServer((req, res) => {
      this.requests++;
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      if (url.pathname !== path) {
        res.writeHead(404, { 'content-type': 'application/json' }).end('{"error":"not found"}');
        return;
      }
      const since = Number(url.searchParams.get('since') ?? 0);
      if (this.options.growOnDemand && since > this.records.length) this.add(since - this.records.length);
      const page = this.records.slice(since, since + pageSize);
      const next = page.length > 0 ? since + page.length : since;
      const body = JSON.stringify({ items: page, next: String(next) });
      const etag = `"${createHash('sha1').update(body).digest('hex')}"`;
      if (req.headers['if-none-match'] === etag) {
        res.writeHead(304, { etag }).end();
        return;
      }
      res.writeHead(200, { 'content-type': 'application/json', etag }).end(body);
    });
    await new Promise<void>((resolve, reject) => {
      this.server!.once('error', reject);
      this.server!.listen(this.options.port, '127.0.0.1', () => resolve());
    });
  }

  get url(): string {
    const address = this.server?.address();
    const port = typeof address === 'object' && address ? address.port : this.options.port;
    return `http://127.0.0.1:${port}${this.options.path ?? '/orders'}`;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}

export function demoOrder(n: number): Record<string, unknown> {
  const statuses = ['open', 'paid', 'shipped', 'delivered'];
  return { customer: `customer-${n % 97}`, amount: (n * 37) % 1000, currency: 'EUR', status: statuses[n % statuses.length], createdAt: new Date(Date.UTC(2026, 10, 1) + n * 60_000).toISOString() };
}
