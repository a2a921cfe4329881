/** What `wharf cursor set` refuses before storing a cursor: sources/registry.ts cursorProblem. */
import { expect } from 'chai';
import { cursorProblem, type SourceConfig } from '../../src/sources/registry';

const httpJson = { id: 'orders', type: 'http-json', url: 'http://127.0.0.1:1/orders' } as SourceConfig;
const ndjson = { id: 'files', type: 'ndjson-files', path: '/var/spool/app', pattern: '*.ndjson' } as SourceConfig;

describe('cursor set: which cursors a source type refuses', () => {
  it('refuses an empty cursor for every type, pointing at cursor reset', () => {
    for (const config of [httpJson, ndjson]) expect(cursorProblem(config, '  ')).to.match(/^an empty cursor: use `wharf cursor reset`/);
  });

  it('takes any other cursor for a type whose upstream alone interprets it', () => {
    expect(cursorProblem(httpJson, '2026-11-30T00:00:00Z')).to.equal(undefined);
  });

  it('takes an ndjson-files cursor of either stored version, and refuses anything else', () => {
    expect(cursorProblem(ndjson, '{"v":2,"seq":1,"files":{"9f86d081884c7d65":{"name":"app.ndjson","offset":1024,"ino":"2049-131","tail":"x"}}}')).to.equal(undefined);
    expect(cursorProblem(ndjson, '{"v":1,"files":{"2049-131-9f86d081884c7d65":{"name":"app.ndjson","offset":10}}}')).to.equal(undefined);
    for (const bad of ['10', '{"v":2}', '{"v":2,"files":{"k":{"name":"a","offset":-1}}}', '{"v":3,"files":{}}']) {
      expect(cursorProblem(ndjson, bad), bad).to.match(/^not an ndjson-files cursor/);
    }
  });
});
