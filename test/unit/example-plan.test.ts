/**
 * The example's scripted plan: it validates against the compiled order-triage template in the
 * context the workflow builds for `plan_processing`, and, run step by step with the real handlers
 * on the shipped data, it produces the triage the example promises.
 */
import { describe, expect, it } from 'vitest';
import { fragmentContext, planningStepOf } from '../../src/cli/validation-context.js';
import { resolveValue } from '../../src/core/references.js';
import type { JsonValue } from '../../src/core/json.js';
import { validateFragment } from '../../src/core/validator/index.js';
import { compileAll } from '../../src/worker.js';
import { registry } from '../../examples/registry.js';
import { orderTriageFragment, orderTriagePlanner } from '../../examples/order-triage/plan.js';
import { DEFAULT_ORDERS_FILE } from '../../examples/order-triage/handlers.js';
import { DEFECT_COUNTS, SCHEMA_DETECTABLE_DEFECTS } from '../../examples/order-triage/data/generate.js';
import type { Fragment } from '../../src/core/fragment.js';
import type { PlanningRequest } from '../../src/planner/types.js';
import { fakeHandlerContext } from '../support/handler-context.js';

const [plan] = compileAll(registry.templates, registry.handlers).filter((p) => p.name === 'order-triage');
if (!plan) throw new Error('examples/registry.ts does not serve order-triage');
const step = planningStepOf(plan, 'plan_processing');
const ctx = fragmentContext(plan, step, 1);

function withStep(f: Fragment, index: number, patch: Partial<Fragment['steps'][number]>): Fragment {
  return { ...f, steps: f.steps.map((s, i) => (i === index ? { ...s, ...patch } : s)) };
}

describe('the validation context of plan_processing', () => {
  it('marks frame steps as the workflow does at planning time', () => {
    expect(ctx.knownSteps['load_orders']?.availability).toBe('complete');
    expect(ctx.knownSteps['plan_processing']?.availability).toBe('forbidden');
    expect(ctx.knownSteps['summarize_results']?.availability).toBe('forbidden');
    expect(ctx.knownSteps['publish_report']?.availability).toBe('forbidden');
    expect([...ctx.allowedHandlers].sort()).toEqual(['aggregate', 'decide', 'transform', 'validate']);
    expect(ctx.remaining).toEqual({ steps: plan.budget.maxSteps - plan.steps.length, phases: 1, costUsd: plan.budget.maxCostUsd });
    expect(fragmentContext(plan, step, 2).remaining.phases).toBe(0);
  });
});

describe('the scripted order-triage fragment', () => {
  it('is valid for plan_processing, phase 1', () => {
    const result = validateFragment(orderTriageFragment, ctx);
    expect(result.diagnostics).toEqual([]);
    expect(result.ok).toBe(true);
    expect(new Set(orderTriageFragment.steps.map((s) => s.handler))).toEqual(new Set(['validate', 'transform', 'aggregate', 'decide']));
  });

  it('is valid as JSON text too (what weft validate reads)', () => {
    expect(validateFragment(JSON.stringify(orderTriageFragment), ctx).ok).toBe(true);
  });

  it('would be rejected if it broke the frame (the check is real)', () => {
    const codes = (f: Fragment) => validateFragment(f, ctx).diagnostics.map((d) => d.code);
    expect(codes(withStep(orderTriageFragment, 0, { dependencies: ['summarize_results'] }))).toContain('DEPENDENCY_FORBIDDEN');
    expect(codes(withStep(orderTriageFragment, 0, { handler: 'write_report' }))).toContain('HANDLER_NOT_ALLOWED');
    expect(codes({ ...orderTriageFragment, next: 'replan' })).toEqual([]);
    expect(validateFragment({ ...orderTriageFragment, next: 'replan' }, fragmentContext(plan, step, 2)).diagnostics.map((d) => d.code)).toContain(
      'BUDGET_PHASES',
    );
  });

  it('is what the scripted planner answers for plan_processing, on every attempt', async () => {
    for (const attempt of [1, 2, 3]) {
      const result = await orderTriagePlanner.plan({ planningStep: 'plan_processing', phase: 1, attempt } as PlanningRequest, new AbortController().signal);
      expect(result.output).toBe(orderTriageFragment);
      expect(result.prompt).toBeNull();
    }
  });

  it('triages the shipped orders when run with the real handlers', async () => {
    const handlers = new Map(registry.handlers.map((h) => [h.name, h]));
    const run = async (name: string, handler: string, inputs: Readonly<Record<string, JsonValue>>, outputs: Record<string, JsonValue>) => {
      const h = handlers.get(handler)!;
      const input = h.input.parse(resolveValue(inputs, { taskInput: {}, stepOutputs: outputs })) as unknown;
      outputs[name] = (await h.run(input, fakeHandlerContext({ stepName: name }))) as JsonValue;
    };
    const outputs: Record<string, JsonValue> = {};
    await run('load_orders', 'load_orders', { path: DEFAULT_ORDERS_FILE }, outputs);
    // Steps are listed in dependency order, so running them in order respects the DAG.
    for (const s of orderTriageFragment.steps) await run(s.name, s.handler, s.inputs, outputs);

    const schemaDefects = SCHEMA_DETECTABLE_DEFECTS.reduce((n, k) => n + DEFECT_COUNTS[k], 0);
    expect(outputs['valid_orders']).toMatchObject({ invalid_count: schemaDefects, valid_count: 360 - schemaDefects });
    expect(outputs['mismatch_count']).toMatchObject({ op: 'count', result: DEFECT_COUNTS.total_mismatch });
    const byStatus = outputs['orders_by_status'] as { result: { key: string; count: number }[] };
    expect(byStatus.result.reduce((n, g) => n + g.count, 0)).toBe(360 - schemaDefects);
    const byCurrency = outputs['totals_by_currency'] as { result: { key: string; sum: number }[] };
    expect(byCurrency.result.every((g) => typeof g.sum === 'number' && g.sum > 0)).toBe(true);
    // (19 invalid + 5 mismatched) / 360 > 5%
    expect(outputs['review_decision']).toEqual({ outcome: 'manual_review', matched_rule: 1 });
    const queue = (outputs['review_queue'] as { result: { priority: string; total: number }[] }).result;
    expect(queue).toHaveLength(10);
    expect(queue.every((o) => o.priority === 'high' || o.priority === 'urgent')).toBe(true);
    expect(queue.map((o) => o.total)).toEqual([...queue.map((o) => o.total)].sort((a, b) => b - a));
  });
});
