import { expect } from 'chai';
import { Registry, Counter, Gauge, Histogram } from 'prom-client';
import { MetricsMerger } from '../../src/metrics/merge';
import type { MetricSnapshot } from '../../src/metrics/process-registry';

/** A fresh process registry with one counter, gauge and histogram, as an actor process has. */
function processRegistry() {
  const registry = new Registry();
  const written = new Counter({ name: 'w_total', help: 'written', labelNames: ['sink'], registers: [registry] });
  const inFlight = new Gauge({ name: 'in_flight', help: 'in flight', registers: [registry] });
  const latency = new Histogram({ name: 'lat_seconds', help: 'latency', labelNames: ['sink'], buckets: [0.1, 1], registers: [registry] });
  return { snapshot: (): Promise<MetricSnapshot> => registry.getMetricsAsJSON(), written, inFlight, latency };
}

function value(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

describe('metrics merge across processes', () => {
  it('sums the same series over slots and the local registry', async () => {
    const merger = new MetricsMerger();
    const a = processRegistry();
    const b = processRegistry();
    const local = processRegistry();
    a.written.inc({ sink: 'es' }, 3);
    b.written.inc({ sink: 'es' }, 4);
    b.written.inc({ sink: 'couch' }, 1);
    local.written.inc({ sink: 'es' }, 10);
    merger.update('consumers-1', 'p1', await a.snapshot());
    merger.update('consumers-2', 'p2', await b.snapshot());
    const text = merger.render(await local.snapshot());
    expect(value(text, 'w_total{sink="es"}')).to.equal(17);
    expect(value(text, 'w_total{sink="couch"}')).to.equal(1);
  });

  it('carries a restarted slot\'s counts forward so counters never go backwards, and drops its gauges', async () => {
    const merger = new MetricsMerger();
    const first = processRegistry();
    first.written.inc({ sink: 'es' }, 5);
    first.inFlight.set(7);
    first.latency.observe({ sink: 'es' }, 0.05);
    merger.update('consumers-1', 'p1', await first.snapshot());
    merger.gone('consumers-1'); // SIGKILLed
    let text = merger.render([]);
    expect(value(text, 'w_total{sink="es"}')).to.equal(5);
    expect(value(text, 'in_flight')).to.equal(undefined);

    const second = processRegistry(); // the restarted process counts from zero again
    second.written.inc({ sink: 'es' }, 2);
    second.latency.observe({ sink: 'es' }, 0.5);
    merger.update('consumers-1', 'p2', await second.snapshot());
    text = merger.render([]);
    expect(value(text, 'w_total{sink="es"}')).to.equal(7);
    expect(value(text, 'lat_seconds_count{sink="es"}')).to.equal(2);
    expect(value(text, 'lat_seconds_bucket{sink="es",le="0.1"}')).to.equal(1);
    expect(value(text, 'lat_seconds_bucket{sink="es",le="+Inf"}')).to.equal(2);
  });

  it('notices a new incarnation without a gone() in between, and ignores a late answer from the old one', async () => {
    const merger = new MetricsMerger();
    const first = processRegistry();
    first.written.inc({ sink: 'es' }, 5);
    const late = await first.snapshot();
    merger.update('pollers-orders', 'p1', late);
    const second = processRegistry();
    second.written.inc({ sink: 'es' }, 1);
    merger.update('pollers-orders', 'p2', await second.snapshot());
    merger.update('pollers-orders', 'p1', late);
    expect(value(merger.render([]), 'w_total{sink="es"}')).to.equal(6);
  });

  it('renders one HELP and TYPE per family and histogram buckets in le order before sum and count', async () => {
    const merger = new MetricsMerger();
    const a = processRegistry();
    a.latency.observe({ sink: 'x' }, 0.5);
    a.latency.observe({ sink: 'a' }, 2);
    merger.update('s', 'p', await a.snapshot());
    const lines = merger.render([]).split('\n').filter((l) => l.startsWith('lat_seconds') || l.startsWith('# TYPE lat'));
    expect(lines).to.deep.equal([
      '# TYPE lat_seconds histogram',
      'lat_seconds_bucket{sink="a",le="0.1"} 0',
      'lat_seconds_bucket{sink="a",le="1"} 0',
      'lat_seconds_bucket{sink="a",le="+Inf"} 1',
      'lat_seconds_sum{sink="a"} 2',
      'lat_seconds_count{sink="a"} 1',
      'lat_seconds_bucket{sink="x",le="0.1"} 0',
      'lat_seconds_bucket{sink="x",le="1"} 1',
      'lat_seconds_bucket{sink="x",le="+Inf"} 1',
      'lat_seconds_sum{sink="x"} 0.5',
      'lat_seconds_count{sink="x"} 1',
    ]);
  });

  it('escapes label values', async () => {
    const registry = new Registry();
    new Counter({ name: 'e_total', help: 'a "help"\\ line', labelNames: ['v'], registers: [registry] }).inc({ v: 'a"b\\c\nd' });
    const text = new MetricsMerger().render(await registry.getMetricsAsJSON());
    expect(text).to.contain('e_total{v="a\\"b\\\\c\\nd"} 1');
  });
});
