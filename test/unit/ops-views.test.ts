/** What the operator commands compute: lag per partition, the dead-letter summary, `wharf top`'s view. */
import { expect } from 'chai';
import { renderTop, type TopRead } from '../../src/cli/top-view';
import { partitionLags } from '../../src/kafka/consumer-lag';
import { parseExposition } from '../../src/metrics/exposition';
import { isKeyOfSource } from '../../src/records/wire-record';
import { ErrorSummary } from '../../src/replay/dlq-list';

describe('consumer lag per partition', () => {
  it('is the end minus the committed offset, from the partition\'s start when never committed, never negative', () => {
    const ends = [
      { partition: 1, low: '0', high: '10' },
      { partition: 0, low: '5', high: '20' },
      { partition: 2, low: '0', high: '3' },
    ];
    const rows = partitionLags('g', 't', ends, [{ partition: 1, offset: '4' }, { partition: 2, offset: '7' }]);
    expect(rows.map((r) => [r.partition, r.committed, r.end, r.lag])).to.deep.equal([
      [0, null, 20n, 15n],
      [1, 4n, 10n, 6n],
      [2, 7n, 3n, 0n],
    ]);
  });
});

describe('records of one source, by message key', () => {
  it('matches `<source>:` keys only', () => {
    expect(isKeyOfSource(Buffer.from('orders:1'), 'orders')).to.equal(true);
    expect(isKeyOfSource(Buffer.from('orders2:1'), 'orders')).to.equal(false);
    expect(isKeyOfSource(Buffer.from('orders:'), 'orders')).to.equal(false);
    expect(isKeyOfSource(null, 'orders')).to.equal(false);
  });
});

describe('the dead-letter summary', () => {
  it('counts letters by stage and error, most frequent first', () => {
    const summary = new ErrorSummary();
    for (const [stage, error] of [['search', 'mapping'], ['intake', 'no id'], ['search', 'mapping']]) summary.add(stage, error);
    expect(summary.result().errors).to.deep.equal([
      { stage: 'search', error: 'mapping', count: 2 },
      { stage: 'intake', error: 'no id', count: 1 },
    ]);
  });

  it('keeps its memory bounded: 100 distinct errors, the rest counted together, long errors cut', () => {
    const summary = new ErrorSummary();
    for (let i = 0; i < 250; i++) summary.add('search', `error ${i}`);
    summary.add('search', 'x'.repeat(500));
    const result = summary.result();
    expect(result.errors).to.have.length(100);
    expect(result.otherErrors).to.equal(151);
    const fresh = new ErrorSummary();
    fresh.add('search', 'x'.repeat(500));
    expect(fresh.result().errors[0].error).to.have.length(201);
  });
});

describe('Prometheus exposition, read back', () => {
  it('reads names, labels (escaped values too) and values; skips comments and junk', () => {
    const text = ['# HELP a_total x', '# TYPE a_total counter', 'a_total{source="o\\"rd\\\\ers",kind="x"} 12', 'b 3.5', 'garbage line here', 'c{bad} 1', ''].join('\n');
    expect(parseExposition(text)).to.deep.equal([
      { name: 'a_total', labels: { source: 'o"rd\\ers', kind: 'x' }, value: 12 },
      { name: 'b', labels: {}, value: 3.5 },
    ]);
  });
});

describe('wharf top\'s view', () => {
  const metrics = (polled: number, written: number) =>
    parseExposition(
      [
        `wharf_source_records_polled_total{source="orders"} ${polled}`,
        `wharf_source_records_produced_total{source="orders"} ${polled}`,
        'wharf_source_poll_errors_total{source="orders",kind="upstream"} 2',
        'wharf_source_last_success_timestamp_seconds{source="orders"} 1000',
        `wharf_sink_records_written_total{sink="search"} ${written}`,
        'wharf_sink_errors_total{sink="search",kind="unavailable"} 1',
        'wharf_sink_errors_total{sink="search",kind="rejected"} 3',
        'wharf_dead_letters_total{stage="search"} 3',
        'wharf_service_up{service="sink:search"} 1',
        'wharf_service_up{service="sink:docs"} 0',
        'wharf_consumer_lag_records{group="g",topic="t",partition="1"} 4',
        'wharf_consumer_lag_records{group="g",topic="t",partition="0"} 6',
      ].join('\n'),
    );
  const tree = {
    id: 'wharf',
    kind: 'supervisor' as const,
    state: 'running' as const,
    restarts: 0,
    children: [
      { id: 'pollers', kind: 'supervisor' as const, state: 'running' as const, restarts: 0, children: [{ id: 'pollers-orders', kind: 'worker' as const, actor: 'source-poller', state: 'running' as const, pid: 7, restarts: 2 }] },
      { id: 'consumers', kind: 'supervisor' as const, state: 'running' as const, restarts: 0, children: [{ id: 'consumers-1', kind: 'worker' as const, actor: 'partition-consumer', state: 'restarting' as const, restarts: 1, lastError: 'boom' }] },
    ],
  };
  const read = (at: number, polled: number, written: number): TopRead => ({ at, samples: metrics(polled, written), tree, readiness: { ready: true, reasons: [] } });

  it('shows totals, rates since the previous read, errors, restarts, lag and actors', () => {
    const lines = renderTop(read(1_000_000, 100, 90), read(1_002_000, 110, 96), 'http://h:1');
    expect(lines[0]).to.equal('wharf top  http://h:1  1970-01-01 00:16:42  ready');
    const row = (first: string) => lines.find((l) => l.startsWith(`${first} `))?.split(/ {2,}/);
    expect(row('orders')).to.deep.equal(['orders', 'running', '110', '5.0', '110', '5.0', '2', '0.0', '2s', '2']);
    expect(row('search')).to.deep.equal(['search', 'up', '96', '3.0', '0', '4', '0.0', '3', '1']);
    expect(row('docs')).to.deep.equal(['docs', 'DOWN', '0', '0.0', '0', '0', '0.0', '0', '1']);
    expect(lines).to.include('kafka  group g  lag 10  (p0 6, p1 4)  consumed/s 0.0');
    expect(row('consumers-1')).to.deep.equal(['consumers-1', 'partition-consumer', 'restarting', '-', '1', 'boom']);
  });

  it('shows no rates on the first read, and says when the instance cannot be read', () => {
    expect(renderTop(undefined, read(1_000_000, 1, 1), 'u').find((l) => l.startsWith('orders '))).to.match(/^orders +running +1 +- +1 +- +2 +- /);
    const down = renderTop(undefined, { at: 0, samples: [], error: 'fetch failed: ECONNREFUSED' }, 'u');
    expect(down[0]).to.equal('wharf top  u  1970-01-01 00:00:00  not reachable: fetch failed: ECONNREFUSED');
  });
});
