/**
 * The monitoring files in deploy/ as data: the alert rules (YAML) and the Grafana dashboard
 * (JSON), and the PromQL expressions in both, for the tests that check them against the metric
 * catalogue and promtool.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parse } from 'yaml';
import { REPO_ROOT } from './local-stack';

export const ALERTS_FILE = resolve(REPO_ROOT, 'deploy/prometheus/wharf-alerts.yml');
export const PROMETHEUS_CONFIG_FILE = resolve(REPO_ROOT, 'deploy/prometheus/prometheus.yml');
export const DASHBOARD_FILE = resolve(REPO_ROOT, 'deploy/grafana/wharf-dashboard.json');

export interface AlertRule {
  alert: string;
  expr: string;
  for?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}

export interface DashboardPanel {
  id: number;
  type: string;
  title?: string;
  datasource?: { type: string; uid: string };
  gridPos?: { h: number; w: number; x: number; y: number };
  targets?: { expr?: string; refId?: string; datasource?: { uid: string } }[];
}

export interface Dashboard {
  schemaVersion: number;
  title: string;
  uid: string;
  __inputs: { name: string; type: string; pluginId: string }[];
  panels: DashboardPanel[];
  templating: { list: { name: string; query: { query: string } }[] };
}

export interface RecordingRule {
  record: string;
  expr: string;
  labels?: Record<string, string>;
}

/** Every rule of the rules file, alerting and recording. */
export function allRules(): Array<AlertRule | RecordingRule> {
  const doc = parse(readFileSync(ALERTS_FILE, 'utf8')) as { groups: { rules: Array<AlertRule | RecordingRule> }[] };
  return doc.groups.flatMap((g) => g.rules);
}

export function alertRules(): AlertRule[] {
  return allRules().filter((r): r is AlertRule => 'alert' in r);
}

/** The recording rule whose `url` label is where the runbooks live (set once, used by every alert). */
export const RUNBOOK_BASE_RULE = 'wharf:runbook_base_url:info';

export function dashboard(): Dashboard {
  return JSON.parse(readFileSync(DASHBOARD_FILE, 'utf8')) as Dashboard;
}

/** Every PromQL expression of the dashboard (panel targets and template variables), by where it is. */
export function dashboardExpressions(board = dashboard()): { where: string; expr: string }[] {
  const targets = board.panels.flatMap((p) => (p.targets ?? []).map((t) => ({ where: `panel ${p.id} "${p.title}" ${t.refId}`, expr: t.expr ?? '' })));
  const variables = board.templating.list.map((v) => ({ where: `variable $${v.name}`, expr: v.query.query }));
  return [...targets, ...variables];
}

/** A dashboard expression as plain PromQL: Grafana's variables replaced by typical values. */
export function asPlainPromql(expr: string): string {
  return expr
    .replace(/\$__rate_interval/g, '1m')
    .replace(/\$(instance|source|sink)\b/g, '.*')
    .replace(/^label_values\((.+), *\w+\)$/, '$1');
}
