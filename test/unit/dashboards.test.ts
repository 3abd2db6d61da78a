/**
 * The shipped dashboards: generated from TypeScript (stale files fail), every panel the essay
 * lists is there, every query parses as PromQL and uses only weft's metric families.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DASHBOARDS, dashboardFile } from '../../src/telemetry/dashboards/weft.js';
import { METRIC_FAMILIES } from '../../src/telemetry/metrics.js';
import { REPO_ROOT } from '../support/paths.js';
import { concreteQuery, metricNames, promqlErrors } from '../support/promql.js';

const HISTOGRAMS = Object.keys(METRIC_FAMILIES).filter((n) => !n.endsWith('_total') && n !== 'weft_parked_steps');
const SERIES = new Set([...Object.keys(METRIC_FAMILIES), ...HISTOGRAMS.flatMap((h) => [`${h}_bucket`, `${h}_sum`, `${h}_count`])]);

describe('dashboards', () => {
  it('are current: observability/dashboards/ is what npm run dashboards writes', () => {
    for (const { file, spec } of DASHBOARDS) {
      const committed = readFileSync(join(REPO_ROOT, 'observability/dashboards', file), 'utf8');
      expect(committed, `${file} is stale: run npm run dashboards`).toBe(dashboardFile(spec));
    }
  });

  it("have every panel of the essay's three dashboards", () => {
    const titles = (uid: string) => DASHBOARDS.find((d) => d.spec.uid === uid)!.spec.panels.map((p) => p.title);
    expect(titles('weft-tasks')).toEqual(expect.arrayContaining(['Task completion rate by planning phases', 'Steps per task: static vs planned', 'Budget utilization at task end', 'Planning success rate']));
    expect(titles('weft-planning')).toEqual(
      expect.arrayContaining(['LLM call volume by outcome', 'LLM call latency (p50, p95)', 'Most used handlers in planned fragments', 'Fragment validation failure rate by rejection reason', 'Cost per planning phase', 'Planning depth distribution']),
    );
    expect(titles('weft-handlers')).toEqual(expect.arrayContaining(['Handler usage distribution', 'Handler success rate', 'Latency by handler', 'Configuration patterns: handler by kind and provenance']));
  });

  it('query only weft metric families, in PromQL that parses', () => {
    for (const { spec } of DASHBOARDS) {
      for (const p of spec.panels) {
        expect(p.description.length, `${spec.uid}/${p.title}: description`).toBeGreaterThan(10);
        for (const query of p.queries) {
          const expr = concreteQuery(query.expr);
          expect(promqlErrors(expr), `${spec.uid}/${p.title}: ${expr}`).toEqual([]);
          const names = metricNames(expr);
          expect(names.length, `${spec.uid}/${p.title}: selects no metric`).toBeGreaterThan(0);
          for (const n of names) expect(SERIES.has(n), `${spec.uid}/${p.title}: unknown series ${n}`).toBe(true);
        }
      }
    }
  });

  it('import as-is: a datasource variable, unique panel ids, panels on the 24-column grid', () => {
    for (const { file } of DASHBOARDS) {
      const d = JSON.parse(readFileSync(join(REPO_ROOT, 'observability/dashboards', file), 'utf8')) as {
        uid: string;
        templating: { list: { name: string; type: string }[] };
        panels: { id: number; gridPos: { x: number; w: number }; datasource: { uid: string } }[];
      };
      expect(d.templating.list.find((v) => v.name === 'datasource')?.type).toBe('datasource');
      expect(new Set(d.panels.map((p) => p.id)).size).toBe(d.panels.length);
      for (const p of d.panels) {
        expect(p.gridPos.x + p.gridPos.w).toBeLessThanOrEqual(24);
        expect(p.datasource.uid).toBe('${datasource}');
      }
    }
  });
});

describe('promqlErrors', () => {
  it('finds a syntax error', () => {
    expect(promqlErrors('sum by (handler (rate(weft_steps_total[1m]))')).not.toEqual([]);
    expect(promqlErrors('sum by (handler) (rate(weft_steps_total[1m]))')).toEqual([]);
  });
});
