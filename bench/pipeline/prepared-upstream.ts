/**
 * The benchmark's http-json upstream: the records' pages rendered once, before any window opens
 * (kcat's input file is written before its run too), so that the upstream's own JSON rendering
 * does not share the cores with the tool measured. GET <path>?since=<n> answers the page of
 * `pageSize` records after record n, `{"items": [...], "next": "<n + count>"}`, the format of the
 * demo upstream (src/demo/upstream-server.ts) and of the http-json source's defaults; until
 * `open()`, and past the last record, an empty page with `next` = n.
 */
import { createServer, type Server } from 'node:http';

export class PreparedUpstream {
  private readonly pages: Buffer[];
  private opened = false;
  private server?: Server;

  constructor(
    private readonly records: ReadonlyArray<Record<string, unknown>>,
    private readonly pageSize: number,
    private readonly path = '/records',
  ) {
    this.pages = Array.from({ length: Math.ceil(records.length / pageSize) }, (_, i) => this.render(i * pageSize));
  }

  /** The records become visible. */
  open(): void {
    this.opened = true;
  }

  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      if (url.pathname !== this.path) {
        res.writeHead(404, { 'content-type': 'application/json' }).end('{"error":"not found"}');
        return;
      }
      const since = Number(url.searchParams.get('since') ?? 0);
      const body = !this.opened || since >= this.records.length ? Buffer.from(JSON.stringify({ items: [], next: String(since) })) : (since % this.pageSize === 0 ? this.pages[since / this.pageSize] : this.render(since));
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': body.length }).end(body);
    });
    await new Promise<void>((resolve, reject) => {
      this.server!.once('error', reject);
      this.server!.listen(0, '127.0.0.1', () => resolve());
    });
  }

  get url(): string {
    const address = this.server?.address();
    if (typeof address !== 'object' || !address) throw new Error('the upstream is not listening');
    return `http://127.0.0.1:${address.port}${this.path}`;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  private render(since: number): Buffer {
    const items = this.records.slice(since, since + this.pageSize);
    return Buffer.from(JSON.stringify({ items, next: String(since + items.length) }));
  }
}
