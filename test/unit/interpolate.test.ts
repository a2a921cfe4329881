import { expect } from 'chai';
import type { ConfigIssue } from '../../src/errors';
import { interpolate } from '../../src/config/interpolate';

describe('config environment interpolation', () => {
  const env = { PORT: '9093', EMPTY: '', SECRET: 's3cret' };

  it('replaces ${NAME} and ${NAME:-default} in nested strings and leaves other values alone', () => {
    const issues: ConfigIssue[] = [];
    const out = interpolate(
      { a: ['host:${PORT}', 'x:${MISSING:-1}'], b: { c: '${EMPTY:-fallback}', d: 3, e: true, f: null } },
      env,
      issues,
    );
    expect(out).to.deep.equal({ a: ['host:9093', 'x:1'], b: { c: 'fallback', d: 3, e: true, f: null } });
    expect(issues).to.deep.equal([]);
  });

  it('keeps $${...} as a literal ${...}', () => {
    expect(interpolate('cost $${PORT}', env, [])).to.equal('cost ${PORT}');
  });

  it('reports a missing variable without default with the key path that used it', () => {
    const issues: ConfigIssue[] = [];
    interpolate({ sinks: [{ password: '${NOPE}' }] }, env, issues);
    expect(issues).to.deep.equal([
      { path: 'sinks[0].password', message: 'environment variable NOPE is not set and "${NOPE}" gives no default' },
    ]);
  });
});
