/**
 * The alert rules and the Grafana dashboard reference only metrics wharf exports: names from
 * src/metrics/catalog.ts, or prom-client's default process metrics (read from a fresh registry,
 * not from a list kept here), each with labels it really has. The dashboard is well formed, and
 * every alert has a severity and a runbook that exists in the README.
 */
import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { collectDefaultMetrics, Registry } from 'prom-client';
import { METRICS, PROCESS_METRIC_RENAMES } from '../../src/metrics/catalog';
import { REPO_ROOT } from '../helpers/local-stack';
import { ALERTS_FILE, allRules, alertRules, dashboard, dashboardExpressions, RUNBOOK_BASE_RULE, type RecordingRule } from '../helpers/monitoring';

interface Known {
  type: string;
  labels: Set<string>;
}

/** Labels every series has once scraped, whatever the metric. */
const TARGET_LABELS = ['job', 'instance'];
/** wharf labels every process metric with the actor whose process it is. */
const PROCESS_LABELS = ['actor'];
const HISTOGRAM_SERIES = /_(bucket|sum|count)$/;

async function knownMetrics(): Promise<Map<string, Known>> {
  const known = new Map<string, Known>();
  for (const m of Object.values(METRICS)) known.set(m.name, { type: m.type, labels: new Set([...m.labelNames, ...TARGET_LABELS]) });
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  for (const m of await registry.getMetricsAsJSON()) {
    const labels = new Set([...TARGET_LABELS, ...PROCESS_LABELS, ...m.values.flatMap((v) => Object.keys(v.labels))]);
    known.set(PROCESS_METRIC_RENAMES[m.name] ?? m.name, { type: String(m.type), labels });
  }
  return known;
}

/** Metric names in a PromQL expression (wharf's own and the process metrics). */
function metricNames(expr: string): string[] {
  return [...new Set(expr.match(/\b(?:wharf|process|nodejs)_[a-z0-9_]+/g) ?? [])];
}

/** The metric a series name belongs to: a histogram's _bucket/_sum/_count series map to it. */
function metricOf(series: string, known: Map<string, Known>): string {
  const base = series.replace(HISTOGRAM_SERIES, '');
  return base !== series && known.get(base)?.type === 'histogram' ? base : series;
}

/** Label names used in `by (...)`, `without (...)` and `{label="..."}` matchers. */
function labelNames(expr: string): string[] {
  const grouped = [...expr.matchAll(/\b(?:by|without)\s*\(([^)]*)\)/g)].flatMap((m) => m[1].split(','));
  const matched = [...expr.matchAll(/\{([^}]*)\}/g)].flatMap((m) => m[1].split(',').map((part) => part.split(/=~|!~|!=|=/)[0]));
  return [...new Set([...grouped, ...matched].map((l) => l.trim()).filter((l) => l !== ''))];
}

function problems(where: string, expr: string, known: Map<string, Known>): string[] {
  const found: string[] = [];
  const metrics = metricNames(expr).map((series) => metricOf(series, known));
  const allowed = new Set(TARGET_LABELS);
  for (const metric of metrics) {
    const entry = known.get(metric);
    if (!entry) {
      found.push(`${where}: unknown metric ${metric}`);
      continue;
    }
    entry.labels.forEach((l) => allowed.add(l));
    if (entry.type === 'histogram') allowed.add('le');
  }
  for (const label of labelNames(expr)) {
    if (!allowed.has(label)) found.push(`${where}: label "${label}" is not a label of ${metrics.join(', ') || 'any metric'}`);
  }
  return found;
}

describe('monitoring files reference only metrics wharf exports', () => {
  it('the alert rules', async () => {
    const known = await knownMetrics();
    const rules = alertRules();
    expect(rules.length).to.be.greaterThan(0);
    expect(rules.flatMap((r) => problems(`alert ${r.alert}`, r.expr, known))).to.deep.equal([]);
  });

  it('the dashboard', async () => {
    const known = await knownMetrics();
    const expressions = dashboardExpressions();
    expect(expressions.flatMap(({ where, expr }) => problems(where, expr, known))).to.deep.equal([]);
    const used = new Set(expressions.flatMap(({ expr }) => metricNames(expr).map((s) => metricOf(s, known))));
    for (const metric of ['process_resident_memory_bytes', 'process_cpu_seconds_total', 'nodejs_eventloop_lag_p99_seconds']) {
      expect([...used]).to.include(metric);
    }
  });

  it('catches an unknown metric, a histogram suffix on a non-histogram and a wrong label (the checker itself)', async () => {
    const known = await knownMetrics();
    expect(problems('x', 'rate(wharf_sink_writes_total[5m])', known)).to.deep.equal(['x: unknown metric wharf_sink_writes_total']);
    expect(problems('x', 'wharf_dead_letters_total_count', known)).to.deep.equal(['x: unknown metric wharf_dead_letters_total_count']);
    expect(problems('x', 'sum by (sinks) (wharf_sink_errors_total)', known)).to.deep.equal(['x: label "sinks" is not a label of wharf_sink_errors_total']);
    expect(problems('x', 'histogram_quantile(0.99, sum by (le, sink) (rate(wharf_record_age_seconds_bucket[1m])))', known)).to.deep.equal([]);
  });
});

describe('deploy/grafana/wharf-dashboard.json', () => {
  const board = dashboard();

  it('takes its Prometheus data source as the input DS_PROMETHEUS, and every panel uses it', () => {
    expect(board.schemaVersion).to.be.within(36, 41);
    expect(board.__inputs.map((i) => [i.name, i.type, i.pluginId])).to.deep.equal([['DS_PROMETHEUS', 'datasource', 'prometheus']]);
    for (const panel of board.panels.filter((p) => p.type !== 'row')) {
      expect(panel.datasource?.uid, `panel ${panel.id}`).to.equal('${DS_PROMETHEUS}');
      for (const target of panel.targets ?? []) expect(target.datasource?.uid, `panel ${panel.id}`).to.equal('${DS_PROMETHEUS}');
    }
  });

  it('gives every panel a title, a position and (rows aside) at least one query; ids are unique', () => {
    expect(new Set(board.panels.map((p) => p.id)).size).to.equal(board.panels.length);
    for (const panel of board.panels) {
      expect(panel.title, `panel ${panel.id}`).to.be.a('string').and.not.equal('');
      expect(panel.gridPos, `panel ${panel.id}`).to.include.keys('h', 'w', 'x', 'y');
      if (panel.type === 'row') continue;
      expect(panel.targets, `panel ${panel.id} "${panel.title}"`).to.be.an('array').with.length.greaterThan(0);
      for (const target of panel.targets ?? []) expect(target.expr, `panel ${panel.id} "${panel.title}"`).to.be.a('string').and.not.equal('');
    }
  });

  it('has instance, source and sink variables, and the Intake and Sinks rows follow them', () => {
    expect(board.templating.list.map((v) => v.name)).to.deep.equal(['instance', 'source', 'sink']);
    for (const { where, expr } of dashboardExpressions(board)) {
      if (/wharf_source_/.test(expr) && !where.startsWith('variable')) expect(expr, where).to.contain('source=~"$source"');
      if (/wharf_(sink_|record_age)/.test(expr) && !where.startsWith('variable')) expect(expr, where).to.contain('sink=~"$sink"');
    }
  });

  it('has the rows operators look for', () => {
    const rows = board.panels.filter((p) => p.type === 'row').map((p) => p.title);
    expect(rows).to.include.members(['Intake', 'Kafka', 'Sinks', 'Dead letters', 'Supervision', 'Processes']);
  });
});

describe('deploy/prometheus/wharf-alerts.yml', () => {
  it('gives every alert a severity, a summary, a description and a runbook section that exists in the README', () => {
    const readme = readFileSync(resolve(REPO_ROOT, 'README.md'), 'utf8');
    for (const rule of alertRules()) {
      expect(rule.labels?.severity, rule.alert).to.be.oneOf(['warning', 'critical']);
      expect(rule.annotations?.summary, rule.alert).to.be.a('string').and.not.equal('');
      expect(rule.annotations?.description, rule.alert).to.be.a('string').and.not.equal('');
      // The base from the one recording rule, then GitHub's anchor of a heading "#### WharfDown", "#wharfdown".
      expect(rule.annotations?.runbook_url, rule.alert).to.equal(`{{ with query "${RUNBOOK_BASE_RULE}" }}{{ . | first | label "url" }}{{ end }}#${rule.alert.toLowerCase()}`);
      expect(readme, `README heading for ${rule.alert}`).to.match(new RegExp(`^#+ ${rule.alert}$`, 'm'));
    }
  });

  it('sets the runbook base URL in one place, an http(s) URL, before the alerts that read it', () => {
    const rules = allRules();
    const bases = rules.filter((r) => 'record' in r && r.record === RUNBOOK_BASE_RULE) as RecordingRule[];
    expect(bases).to.have.length(1);
    expect(bases[0].expr).to.equal('vector(1)');
    expect(bases[0].labels?.url).to.match(/^https?:\/\/[^/]+\/\S*README\.md$/);
    expect(rules.indexOf(bases[0]), 'evaluated before every alert of its group').to.equal(0);
    expect(readFileSync(ALERTS_FILE, 'utf8')).not.to.contain('file://');
  });
});
