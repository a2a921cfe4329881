/** The command line's shared pieces: numeric flags, points in time, progress with an ETA, tables. */
import { expect } from 'chai';
import { InvalidArgumentError } from 'commander';
import { intOption } from '../../src/cli/common';
import { formatDuration, progressText } from '../../src/cli/progress';
import { renderTable } from '../../src/cli/render-table';
import { parseDuration, parsePointInTime } from '../../src/util/duration';

describe('numeric flags', () => {
  it('accept whole numbers within the bounds', () => {
    expect(['1', '5', ' 42 '].map(intOption(1))).to.deep.equal([1, 5, 42]);
    expect(intOption(0, 65535)('65535')).to.equal(65535);
  });

  it('refuse anything else with a message naming what is expected (commander adds the flag and exits 2)', () => {
    for (const bad of ['0', '-1', '1.5', '1e3', 'abc', '', '12abc']) {
      expect(() => intOption(1)(bad), bad).to.throw(InvalidArgumentError, 'expected a whole number of at least 1.');
    }
    expect(() => intOption(200, 60_000)('100')).to.throw(InvalidArgumentError, 'expected a whole number from 200 to 60000.');
  });
});

describe('points in time', () => {
  const now = Date.parse('2026-11-30T12:00:00Z');

  it('take a time ago as a duration before now', () => {
    expect(parsePointInTime('2h', now)?.toISOString()).to.equal('2026-11-30T10:00:00.000Z');
    expect(parsePointInTime('30m', now)?.toISOString()).to.equal('2026-11-30T11:30:00.000Z');
    expect(parsePointInTime('1d', now)?.toISOString()).to.equal('2026-11-29T12:00:00.000Z');
  });

  it('take ISO times as they are, and nothing else', () => {
    expect(parsePointInTime('2026-11-26T08:00:00Z', now)?.toISOString()).to.equal('2026-11-26T08:00:00.000Z');
    expect(parsePointInTime('2026-11-26', now)?.toISOString()).to.equal('2026-11-26T00:00:00.000Z');
    for (const bad of ['yesterday', '2h ago', '1w', '12', '2026-13-45']) expect(parsePointInTime(bad, now), bad).to.equal(undefined);
    expect(parseDuration('90m')).to.equal(5_400_000);
  });
});

describe('progress with an ETA', () => {
  it('estimates the time left from the rate so far, and says how long it took at the end', () => {
    expect(progressText(250, 1000, 'records', 10_000, false)).to.equal('250/1000 records (25%), 25 records/s, ETA 30 s');
    expect(progressText(100, 10_000, 'records', 10_000, false)).to.equal('100/10000 records (1%), 10 records/s, ETA 16 min 30 s');
    expect(progressText(0, 10, 'letters', 1000, false)).to.equal('0/10 letters (0%), 0 letters/s, ETA unknown');
    expect(progressText(1000, 1000, 'records', 95_000, true)).to.equal('1000/1000 records (100%), 11 records/s, took 1 min 35 s');
  });

  it('writes durations as an operator reads them', () => {
    expect([0, 1499, 59_000, 61_000, 3_600_000, 7_380_000].map(formatDuration)).to.deep.equal(['0 s', '1 s', '59 s', '1 min 1 s', '1 h 0 min', '2 h 3 min']);
  });
});

describe('tables', () => {
  it('align columns under their headers, the last column unpadded', () => {
    expect(renderTable(['A', 'LONGER', 'C'], [['xyz', '1', 'last'], ['', '22', '']])).to.deep.equal(['A    LONGER  C', 'xyz  1       last', '     22']);
  });
});
