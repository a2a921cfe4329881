/**
 * The http-json source adapter against a real local HTTP upstream: paging by cursor, ETags for
 * idle polling that never hide a page whose handling failed, Retry-After, and malformed answers
 * (HTML, truncated JSON, 500, a hang) reported as retriable errors with what was wrong.
 */
import { expect } from 'chai';
import { createServer, type Server } from 'node:http';
import { HttpJsonSourceSchema } from '../../src/sources/http-json/config';
import { DemoUpstream } from '../../src/demo/upstream-server';
import { parseRetryAfter } from '../../src/http/response';
import { HttpJsonSource } from '../../src/sources/http-json/source';
import { SourceUnavailableError } from '../../src/sources/source-adapter';

function source(url: string, extra: object = {}): HttpJsonSource {
  return new HttpJsonSource(HttpJsonSourceSchema.parse({ id: 'orders', type: 'http-json', url, ...extra }));
}

async function serve(handler: Parameters<typeof createServer>[1]): Promise<{ url: string; server: Server }> {
  const server = createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address() as { port: number };
  return { url: `http://127.0.0.1:${address.port}/feed`, server };
}

describe('http-json source (real local HTTP upstream)', function () {
  this.timeout(30_000);

  it('pages by cursor, and answers an idle feed with 304s but never hides a page that was already served', async () => {
    const upstream = new DemoUpstream({ port: 0, pageSize: 2 });
    upstream.add(3);
    await upstream.start();
    try {
      const feed = source(upstream.url);
      const first = await feed.fetch(null);
      expect(first.records.map((r) => r.upstreamId)).to.deep.equal(['1', '2']);
      expect(first.nextCursor).to.equal('2');
      // The same page again (as after a failed produce) comes back whole.
      expect((await feed.fetch(null)).records).to.have.length(2);
      const last = await feed.fetch('3');
      expect(last).to.deep.equal({ records: [], malformed: [], nextCursor: '3' });
      const requestsBefore = upstream.requests;
      expect(await feed.fetch('3')).to.deep.equal({ records: [], malformed: [], nextCursor: '3' });
      expect(upstream.requests).to.equal(requestsBefore + 1);
      upstream.add(1);
      expect((await feed.fetch('3')).records.map((r) => r.upstreamId)).to.deep.equal(['4']);
    } finally {
      await upstream.stop();
    }
  });

  it('reports HTML, truncated JSON, a 500, a 429 with Retry-After and a hang as retriable errors saying what was wrong', async () => {
    const answers: Array<(res: import('node:http').ServerResponse) => void> = [
      (res) => res.writeHead(200, { 'content-type': 'text/html' }).end('<html>maintenance</html>'),
      (res) => res.writeHead(200, { 'content-type': 'application/json' }).end('{"items":[{"id":1'),
      (res) => res.writeHead(500).end('oops'),
      (res) => res.writeHead(429, { 'retry-after': '7' }).end(),
      () => undefined, // never answers
    ];
    let n = 0;
    const { url, server } = await serve((_req, res) => answers[n++](res));
    try {
      const feed = source(url, { requestTimeoutMs: 500 });
      const errors: SourceUnavailableError[] = [];
      for (let i = 0; i < answers.length; i++) errors.push((await feed.fetch(null).then(() => undefined, (e: unknown) => e)) as SourceUnavailableError);
      errors.forEach((e) => {
        expect(e).to.be.instanceOf(SourceUnavailableError);
        expect(e.retriable).to.equal(true);
      });
      expect(errors[0].message).to.match(/^source orders: response is not JSON \(text\/html, 24 bytes\)/);
      expect(errors[1].message).to.match(/^source orders: response is not JSON \(application\/json, 17 bytes\)/);
      expect(errors[2].message).to.equal('source orders: HTTP 500');
      expect(errors[3]).to.deep.include({ retryAfterMs: 7000 });
      expect(errors[4].message, errors[4].message).to.match(/^source orders: GET http:\/\/127\.0\.0\.1:\d+\/feed failed: .*(timeout|aborted)/i);
    } finally {
      server.closeAllConnections();
      server.close();
    }
  });

  it('stops reading a response over maxResponseBytes, declared or streamed, with a retriable error naming the cap', async () => {
    const big = JSON.stringify({ items: Array.from({ length: 200 }, (_, id) => ({ id, text: 'x'.repeat(100) })), next: null });
    let chunked = false;
    const { url, server } = await serve((_req, res) => {
      if (!chunked) return res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(big) }).end(big);
      // No Content-Length: the body streams on (without end) until the reader stops.
      res.writeHead(200, { 'content-type': 'application/json' });
      const timer = setInterval(() => res.write('x'.repeat(1024)), 5);
      res.on('close', () => clearInterval(timer));
    });
    try {
      const feed = source(url, { maxResponseBytes: 4096 });
      for (const streamed of [false, true]) {
        chunked = streamed;
        const err = (await feed.fetch(null).then(() => undefined, (e: unknown) => e)) as SourceUnavailableError;
        expect(err, String(err)).to.be.instanceOf(SourceUnavailableError).with.property('retriable', true);
        expect(err.message).to.match(/^source orders: response to GET http:\/\/127\.0\.0\.1:\d+\/feed is over maxResponseBytes \(4096 bytes\)/);
      }
      chunked = false;
      expect((await source(url).fetch(null)).records).to.have.length(200);
    } finally {
      server.closeAllConnections();
      server.close();
    }
  });

  it('returns items without an id as malformed, and reads Retry-After as seconds or a date', async () => {
    const { url, server } = await serve((_req, res) => res.writeHead(200).end(JSON.stringify({ items: [{ id: 1 }, { name: 'no id' }, 7], next: null })));
    try {
      const page = await source(url).fetch(null);
      expect(page.records).to.deep.equal([{ upstreamId: '1', payload: { id: 1 } }]);
      expect(page.malformed.map((m) => m.reason)).to.deep.equal(['item has no string or number "id"', 'item is not a JSON object']);
      expect(page.nextCursor).to.equal(null);
    } finally {
      server.close();
    }
    expect(parseRetryAfter('120')).to.equal(120_000);
    expect(parseRetryAfter(new Date(Date.UTC(2026, 0, 1, 0, 1)).toUTCString(), Date.UTC(2026, 0, 1))).to.equal(60_000);
    expect(parseRetryAfter('soon')).to.equal(undefined);
  });
});
