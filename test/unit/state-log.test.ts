import { expect } from 'chai';
import { Writable } from 'node:stream';
import { createLogger } from '../../src/log';
import { duration, failureReason, StateLog } from '../../src/util/state-log';
import { describeError } from '../../src/errors';

/** A logger writing into an array, and a clock the test moves. */
function harness(level: 'info' | 'debug' = 'info') {
  type Line = { level: string; msg: string; [key: string]: unknown };
  const lines: Line[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(JSON.parse(chunk.toString()) as Line);
      done();
    },
  });
  let now = 1_000_000;
  const clock = { now: () => now, advance: (ms: number) => (now += ms) };
  const log = createLogger({ level, destination });
  return { lines, clock, log };
}

describe('StateLog: a failure state logged once when it starts, at most once a minute, once when it ends', () => {
  it('logs the start, swallows repeats for a minute, reports them with a count, then logs the end with its duration', () => {
    const { lines, clock, log } = harness();
    const state = new StateLog(log, { subject: 'Kafka 127.0.0.1:9999', now: clock.now, fields: { broker: '127.0.0.1:9999' } });
    state.succeeded();
    expect(lines).to.deep.equal([]);
    state.failed('ECONNREFUSED', { retryInMs: 5000 });
    for (let i = 0; i < 100; i++) {
      clock.advance(500);
      state.failed('ECONNREFUSED');
    }
    expect(lines.map((l) => l.msg)).to.deep.equal(['Kafka 127.0.0.1:9999 unreachable (ECONNREFUSED); retrying in 5 s']);
    clock.advance(10_000);
    state.failed('ETIMEDOUT');
    clock.advance(1000);
    state.failed('ETIMEDOUT');
    clock.advance(2000);
    state.succeeded();
    state.succeeded();
    expect(lines.map((l) => [l.level, l.msg])).to.deep.equal([
      ['warn', 'Kafka 127.0.0.1:9999 unreachable (ECONNREFUSED); retrying in 5 s'],
      ['warn', 'Kafka 127.0.0.1:9999 still unreachable after 60 s (ETIMEDOUT); 101 failures since the last line'],
      ['info', 'Kafka 127.0.0.1:9999 reachable again after 63 s'],
    ]);
    expect(lines[2]).to.deep.include({ broker: '127.0.0.1:9999', downMs: 63_000, failures: 103 });
  });

  it('starts afresh after a recovery, with its own words and level', () => {
    const { lines, clock, log } = harness();
    const state = new StateLog(log, { subject: 'sink search', failing: 'refusing writes', recovered: 'writing again', level: 'error', now: clock.now });
    state.failed('401');
    clock.advance(3000);
    state.succeeded();
    clock.advance(1000);
    state.failed('503');
    expect(lines.map((l) => [l.level, l.msg])).to.deep.equal([
      ['error', 'sink search refusing writes (401); retrying'],
      ['info', 'sink search writing again after 3 s'],
      ['error', 'sink search refusing writes (503); retrying'],
    ]);
  });

  it('puts stack traces at debug only', () => {
    const info = harness('info');
    new StateLog(info.log, { subject: 'ZooKeeper 127.0.0.1:1', now: info.clock.now }).failed('ECONNREFUSED', { err: new Error('connect ECONNREFUSED') });
    expect(JSON.stringify(info.lines)).not.to.contain('at ');
    const debug = harness('debug');
    new StateLog(debug.log, { subject: 'ZooKeeper 127.0.0.1:1', now: debug.clock.now }).failed('ECONNREFUSED', { err: new Error('connect ECONNREFUSED') });
    expect(debug.lines.filter((l) => l.level === 'debug').map((l) => String(l.stack))[0]).to.match(/^Error: connect ECONNREFUSED\n\s+at /);
  });

  it('keeps a start message that is searched for, with the attempt\'s fields; every attempt is a debug line with them', () => {
    const { lines, clock, log } = harness('debug');
    const state = new StateLog(log, { subject: 'sink search', message: 'sink unavailable; partition waits and retries', fields: { sink: 'search' }, now: clock.now });
    state.failed('ECONNREFUSED', { retryInMs: 200, detail: { attempt: 1, partition: 3 } });
    clock.advance(200);
    state.failed('ECONNREFUSED', { retryInMs: 400, detail: { attempt: 2, partition: 3 } });
    expect(lines.map((l) => [l.level, l.msg, l.attempt])).to.deep.equal([
      ['debug', 'sink unavailable; partition waits and retries', 1],
      ['warn', 'sink unavailable; partition waits and retries', 1],
      ['debug', 'sink unavailable; partition waits and retries', 2],
    ]);
    expect(lines[1]).to.deep.include({ sink: 'search', partition: 3, reason: 'ECONNREFUSED', retryInMs: 200 });
  });

  it('names a failure by its network code when it has one, else by its first line', () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:9'), { code: 'ECONNREFUSED' });
    expect(failureReason(refused, describeError)).to.equal('ECONNREFUSED');
    expect(failureReason(new TypeError('fetch failed', { cause: refused }), describeError)).to.equal('ECONNREFUSED');
    expect(failureReason(new Error('Connection error: connect EHOSTUNREACH 10.0.0.1:9092'), describeError)).to.equal('EHOSTUNREACH');
    expect(failureReason(new Error('HTTP 503 Service Unavailable\nbody'), describeError)).to.equal('HTTP 503 Service Unavailable');
    expect([duration(250), duration(5000), duration(72_400)]).to.deep.equal(['250 ms', '5 s', '72 s']);
  });
});
