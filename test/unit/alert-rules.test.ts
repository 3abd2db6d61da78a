/**
 * The shipped alert rules: promtool checks them and runs their unit tests (series that must fire
 * and series that must not, for every rule); every alert names its template in the summary and
 * links a runbook that exists.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../support/paths.js';
import { prometheusPaths } from '../support/prometheus.js';

const RULES = join(REPO_ROOT, 'observability/alerts/weft.rules.yml');
const TESTS = join(REPO_ROOT, 'observability/alerts/weft.rules.test.yml');

function promtool(...args: string[]) {
  const r = spawnSync(prometheusPaths().promtool, args, { encoding: 'utf8', cwd: join(REPO_ROOT, 'observability/alerts') });
  return { code: r.status, output: `${r.stdout}${r.stderr}` };
}

/** Alert names and their annotations, read from the YAML without a parser (the file is ours and regular). */
function alerts(): { name: string; block: string }[] {
  const text = readFileSync(RULES, 'utf8');
  return [...text.matchAll(/- alert: (\w+)\n([\s\S]*?)(?=\n {6}- alert:|\n*$)/g)].map((m) => ({ name: m[1] as string, block: m[2] as string }));
}

describe('alert rules', () => {
  it('pass promtool check rules', () => {
    const r = promtool('check', 'rules', RULES);
    expect(r.output).toContain('SUCCESS');
    expect(r.code).toBe(0);
  });

  it('pass their promtool unit tests', { timeout: 60_000 }, () => {
    const r = promtool('test', 'rules', TESTS);
    expect(r.output, r.output).toContain('SUCCESS');
    expect(r.code).toBe(0);
  });

  it("cover the essay's five alerts, each tested, with a summary naming the template and a runbook that exists", () => {
    const found = alerts();
    const names = found.map((a) => a.name);
    expect(names).toEqual(expect.arrayContaining(['WeftPlanningStepTimeout', 'WeftFragmentValidationFailureRate', 'WeftBudgetConsumptionAnomaly', 'WeftCatalogHandlerErrorSpike', 'WeftPlanningDepthAnomaly']));
    const tests = readFileSync(TESTS, 'utf8');
    for (const { name, block } of found) {
      expect(tests, `${name} has no promtool test`).toContain(`alertname: ${name}`);
      expect(block, `${name}: summary`).toMatch(/summary: "Template \{\{ \$labels\.template \}\}/);
      const runbook = /runbook_url: (\S+)/.exec(block)?.[1];
      expect(runbook, `${name}: runbook_url`).toBeDefined();
      expect(existsSync(join(REPO_ROOT, runbook!)), `${name}: ${runbook} exists`).toBe(true);
    }
  });
});
