/**
 * deploy/prometheus/ and the dashboard's queries, checked by Prometheus' own promtool (Debian's
 * prometheus package; scripts/test installs it): the rules load, the sample configuration loads
 * them, the alert unit tests (wharf-alerts.test.yml) pass, and every PromQL expression of the
 * Grafana dashboard parses.
 */
import { expect } from 'chai';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { stringify } from 'yaml';
import { REPO_ROOT } from '../helpers/local-stack';
import { ALERTS_FILE, allRules, alertRules, asPlainPromql, dashboardExpressions, PROMETHEUS_CONFIG_FILE } from '../helpers/monitoring';

function promtool(args: string[]): Promise<{ code: number; output: string }> {
  return new Promise((done, fail) => {
    execFile('promtool', args, { timeout: 60_000 }, (err, stdout, stderr) => {
      const code = (err as { code?: number | string } | null)?.code;
      if (code === 'ENOENT') fail(new Error("promtool not found: install Debian's prometheus package (scripts/test does)"));
      else done({ code: err ? Number(code ?? 1) : 0, output: stdout + stderr });
    });
  });
}

describe('Prometheus files (promtool)', function () {
  this.timeout(120_000);

  it('promtool check rules accepts the alert rules', async () => {
    const result = await promtool(['check', 'rules', ALERTS_FILE]);
    expect(result.code, result.output).to.equal(0);
    expect(result.output).to.contain(`SUCCESS: ${allRules().length} rules found`);
    expect(alertRules().length).to.be.greaterThan(5);
  });

  it('promtool check config accepts the sample configuration, which loads the rules', async () => {
    const result = await promtool(['check', 'config', PROMETHEUS_CONFIG_FILE]);
    expect(result.code, result.output).to.equal(0);
    expect(result.output).to.contain('SUCCESS: 1 rule files found');
  });

  it('the alerts fire, and stay quiet, as wharf-alerts.test.yml states', async () => {
    const result = await promtool(['test', 'rules', resolve(REPO_ROOT, 'deploy/prometheus/wharf-alerts.test.yml')]);
    expect(result.code, result.output).to.equal(0);
  });

  it('every runbook link follows the one base URL: changed there, every alert links to the new place', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'wharf-runbooks-'));
    const [defaultBase, movedBase] = ['https://wharf.example.com/README.md', 'https://git.example.org/ops/wharf/-/blob/main/README.md'];
    const rules = readFileSync(ALERTS_FILE, 'utf8');
    expect(rules.split(defaultBase), 'the base appears once in the rules').to.have.length(2);
    writeFileSync(join(dir, 'wharf-alerts.yml'), rules.replace(defaultBase, movedBase));
    const tests = readFileSync(resolve(REPO_ROOT, 'deploy/prometheus/wharf-alerts.test.yml'), 'utf8');
    writeFileSync(join(dir, 'wharf-alerts.test.yml'), tests.replaceAll(`${defaultBase}#`, `${movedBase}#`));
    const result = await promtool(['test', 'rules', join(dir, 'wharf-alerts.test.yml')]);
    expect(result.code, result.output).to.equal(0);
  });

  it('every PromQL expression of the Grafana dashboard parses', async () => {
    // promtool has no "check this expression", so the expressions become recording rules.
    const expressions = dashboardExpressions();
    const rules = expressions.map(({ expr }, i) => ({ record: `wharf_dashboard:expr_${i}`, expr: asPlainPromql(expr) }));
    const file = join(mkdtempSync(join(tmpdir(), 'wharf-dashboard-')), 'dashboard-queries.yml');
    writeFileSync(file, stringify({ groups: [{ name: 'dashboard', rules }] }));
    const result = await promtool(['check', 'rules', file]);
    expect(result.code, `${result.output}\n${expressions.map((e, i) => `expr_${i}: ${e.where}`).join('\n')}`).to.equal(0);
    expect(result.output).to.contain(`SUCCESS: ${rules.length} rules found`);
  });
});
