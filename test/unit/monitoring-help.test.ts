/**
 * Help texts say what is emitted: every kind a failed poll or a sink failure is counted under
 * is named in its metric's help, and nothing else; an error wharf does not recognise is `other`.
 * Log levels map to journald's priorities.
 */
import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import zookeeper from 'node-zookeeper-client';
import { POLL_ERROR_KINDS, pollErrorKind } from '../../src/actors/poll-error-kind';
import { CorruptCursorError } from '../../src/coordination/cursor-store';
import { ServiceUnavailableError } from '../../src/errors';
import { KafkaUnavailableError } from '../../src/kafka/record-producer';
import { SYSLOG_PRIORITY, withSyslogPriority } from '../../src/log';
import { METRICS } from '../../src/metrics/catalog';
import { InvalidCursorError, SourceUnavailableError } from '../../src/sources/source-adapter';

const SRC = resolve(__dirname, '../../../src');
/** The kinds named in a help text "…, by kind: a (…), b, c (…)." */
const helpKinds = (help: string) => [...help.slice(help.indexOf('by kind:')).replace(/\([^)]*\)/g, '').matchAll(/(?:: |, )([a-z-]+)/g)].map((m) => m[1]);

describe('poll error kinds', () => {
  it('file each failure under the server it points at, and what wharf does not recognise under other', () => {
    expect(pollErrorKind(new SourceUnavailableError('o', 'HTTP 502'))).to.equal('upstream');
    expect(pollErrorKind(new SourceUnavailableError('o', 'HTTP 429', { retryAfterMs: 1000 }))).to.equal('upstream-throttled');
    expect(pollErrorKind(new KafkaUnavailableError('producing', 'timeout'))).to.equal('kafka');
    const zkException = (zookeeper.Exception as unknown as { create(code: number): Error }).create(zookeeper.Exception.CONNECTION_LOSS);
    expect(pollErrorKind(zkException)).to.equal('cursor-store');
    expect(pollErrorKind(new ServiceUnavailableError('zookeeper', 'no answer'))).to.equal('cursor-store');
    expect(pollErrorKind(new InvalidCursorError('o', 'not a cursor'))).to.equal('cursor-invalid');
    expect(pollErrorKind(new CorruptCursorError('o', '/p', 'not JSON', 1))).to.equal('other');
    expect(pollErrorKind(new TypeError('undefined is not a function'))).to.equal('other');
    expect(pollErrorKind(new ServiceUnavailableError('sink:search', 'down'))).to.equal('other');
  });

  it('are exactly the kinds the help of wharf_source_poll_errors_total names', () => {
    expect(helpKinds(METRICS.sourcePollErrors.help)).to.deep.equal([...POLL_ERROR_KINDS]);
  });
});

describe('sink error kinds', () => {
  it('are exactly the kinds the delivery path emits, as the help of wharf_sink_errors_total names them', () => {
    const delivery = readFileSync(resolve(SRC, 'pipeline/delivery.ts'), 'utf8');
    const emitted = [...delivery.matchAll(/METRICS\.sinkErrors\)\.inc\(\{ sink: sink\.id, kind: '([a-z-]+)' \}/g)].map((m) => m[1]);
    expect(emitted.length).to.be.greaterThan(0);
    expect(helpKinds(METRICS.sinkErrors.help).sort()).to.deep.equal([...new Set(emitted)].sort());
  });
});

describe('log levels and journald', () => {
  it('prefix each line with its level\'s syslog priority: error and fatal are what journalctl -p err shows', () => {
    expect(withSyslogPriority('{"level":"error","msg":"x"}\n')).to.equal('<3>{"level":"error","msg":"x"}\n');
    expect(withSyslogPriority('{"level":"fatal"}')).to.equal('<2>{"level":"fatal"}');
    expect(withSyslogPriority('{"level":"warn"}')).to.equal('<4>{"level":"warn"}');
    expect(withSyslogPriority('{"level":"debug"}')).to.equal('<7>{"level":"debug"}');
    expect(withSyslogPriority('not json')).to.equal('<6>not json');
    expect(Object.entries(SYSLOG_PRIORITY).filter(([, p]) => p <= 3).map(([level]) => level)).to.deep.equal(['fatal', 'error']);
  });
});
