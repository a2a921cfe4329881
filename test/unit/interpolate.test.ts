import { expect } from 'chai';
import { parseConfigText } from '../../src/config/config-text';

describe('config environment interpolation', () => {
  const env = { PORT: '9093', EMPTY: '', SECRET: 's3cret' };
  const interpolate = (value: unknown) => parseConfigText(JSON.stringify(value), 'json', env);

  it('replaces ${NAME} and ${NAME:-default} in nested strings and leaves other values alone', () => {
    const { raw, issues } = interpolate({ a: ['host:${PORT}', 'x:${MISSING:-1}'], b: { c: '${EMPTY:-fallback}', d: 3, e: true, f: null } });
    expect(raw).to.deep.equal({ a: ['host:9093', 'x:1'], b: { c: 'fallback', d: 3, e: true, f: null } });
    expect(issues).to.deep.equal([]);
  });

  it('keeps $${...} as a literal ${...}', () => {
    expect(interpolate({ a: 'cost $${PORT}' }).raw).to.deep.equal({ a: 'cost ${PORT}' });
  });

  it('reports a missing variable without default with the key path that used it', () => {
    const { issues } = interpolate({ sinks: [{ password: '${NOPE}' }] });
    expect(issues).to.deep.equal([
      { path: 'sinks[0].password', message: 'environment variable NOPE is not set and "${NOPE}" gives no default' },
    ]);
  });
});
