import { expect } from 'chai';
import { Writable } from 'node:stream';
import { createLogger, safeUrl } from '../../src/log';

function capture(): { lines: string[]; stream: Writable } {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(chunk.toString());
      done();
    },
  });
  return { lines, stream };
}

describe('log redaction', () => {
  it('redacts passwords and tokens at any depth of a logged object', () => {
    const { lines, stream } = capture();
    const log = createLogger({ level: 'info', destination: stream });
    log.info({ sink: { id: 'docs', password: 'hunter2' }, config: { sinks: { a: { token: 't0k' } } }, password: 'p' }, 'hello');
    const text = lines.join('');
    expect(text).not.to.match(/hunter2|t0k|"p"/);
    expect(JSON.parse(text)).to.deep.include({ password: '[redacted]', sink: { id: 'docs', password: '[redacted]' } });
  });

  it('redacts every kind of configuration secret: API keys, SASL settings, ZooKeeper digests, headers, tokens', () => {
    const { lines, stream } = capture();
    const log = createLogger({ level: 'info', destination: stream });
    const sink = { id: 'search', apiKey: 'es-key-1', tls: { caFile: '/etc/ca.pem' } };
    log.info({ sink, kafka: { sasl: { mechanism: 'PLAIN', password: 'sasl-pw-2' } }, zookeeper: { digest: 'wharf:zk-3' }, source: { headers: { authorization: 'Bearer h-4' } }, metrics: { token: 't-5' } }, 'config');
    const text = lines.join('');
    expect(text).not.to.match(/es-key-1|sasl-pw-2|zk-3|h-4|t-5/);
    expect((JSON.parse(text) as { sink: unknown }).sink).to.deep.equal({ id: 'search', apiKey: '[redacted]', tls: { caFile: '/etc/ca.pem' } });
  });

  it('drops credentials from URLs before they are logged', () => {
    expect(safeUrl('http://wharf:s3cret@127.0.0.1:5984/db')).to.equal('http://127.0.0.1:5984/db');
    expect(safeUrl('not a url')).to.equal('[unparseable url]');
  });
});
