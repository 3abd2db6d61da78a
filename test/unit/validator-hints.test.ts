/**
 * Hints that only suggest what fits the intent. An "obedient" scripted planner does exactly what
 * a hint says — reads the first value it names, adds the transform it describes, removes or adds
 * the dependency it names — and the repaired fragment must validate and still mean what was asked:
 * a hint that offers a type-correct but unrelated field (`errors` where `valid` was read), or a
 * step of the rejected fragment that cannot run, fails these tests.
 */
import { describe, expect, it } from 'vitest';
import { orderTriageFragment } from '../../examples/order-triage/plan.js';
import { registry } from '../../examples/registry.js';
import { fragmentContext, planningStepOf } from '../../src/cli/validation-context.js';
import type { Diagnostic } from '../../src/core/diagnostics.js';
import type { Fragment, FragmentStep } from '../../src/core/fragment.js';
import { validateFragment } from '../../src/core/validator/index.js';
import { compileAll } from '../../src/worker.js';

const [plan] = compileAll(registry.templates, registry.handlers).filter((p) => p.name === 'order-triage');
if (!plan) throw new Error('examples/registry.ts does not serve order-triage');
const ctx = fragmentContext(plan, planningStepOf(plan, 'plan_processing'), 1);

const REFERENCE = /\$\{[^}]+\}/g;

/** Step `name` of `f`. */
function stepOf(f: Fragment, name: string): FragmentStep {
  const s = f.steps.find((x) => x.name === name);
  if (!s) throw new Error(`no step ${name}`);
  return s;
}

/** The step a diagnostic's path points into. */
function stepAt(f: Fragment, d: Diagnostic): FragmentStep {
  const i = Number(/^\/steps\/(\d+)/.exec(d.path)?.[1]);
  return f.steps[i]!;
}

/** Does what each hint says, literally, and nothing else. */
function obey(f: Fragment, diagnostics: readonly Diagnostic[]): Fragment {
  const out = structuredClone(f) as Fragment & { steps: FragmentStep[] };
  for (const d of diagnostics) {
    const step = stepAt(out, d);
    const input = d.path.split('/')[4] ?? '';
    if (d.code === 'REFERENCE_TYPE_MISMATCH') {
      const current = step.inputs[input] as string; // the mismatched value is an exact reference
      if (d.hint.startsWith('If you meant the same value under another name, read ')) {
        step.inputs[input] = d.hint.match(REFERENCE)![0]; // the first value it names
      } else if (d.hint.startsWith('Add a transform step')) {
        const name = `${step.name}_${input}`;
        out.steps.push({ name, handler: 'transform', reasoning: `adapt ${current}`, dependencies: [...step.dependencies], inputs: { data: current, expression: '[$]' } });
        step.inputs[input] = `\${steps.${name}.output.result}`;
        step.dependencies = [name];
      }
    } else if (d.code === 'DEPENDENCY_FORBIDDEN') {
      const dep = /^Remove '([^']+)'/.exec(d.hint)?.[1];
      step.dependencies = step.dependencies.filter((x) => x !== dep);
    } else if (d.code === 'DEPENDENCY_UNKNOWN') {
      // "Use one of: a, b": the dependency at the path becomes the first
      const j = Number(d.path.split('/')[4]);
      const choice = /^Use one of: ([a-z0-9_]+)/.exec(d.hint)?.[1];
      if (choice) step.dependencies = [...new Set(step.dependencies.map((x, k) => (k === j ? choice : x)))];
    } else if (d.code === 'REFERENCE_NOT_UPSTREAM') {
      const add = /^Add '([^']+)' to the dependencies/.exec(d.hint)?.[1];
      if (add && !step.dependencies.includes(add)) step.dependencies.push(add);
    }
  }
  return out;
}

describe('REFERENCE_TYPE_MISMATCH hints', () => {
  it("do not send a planner from validate's `valid` to `errors` or `flagged`: it adapts `valid` with a transform instead", () => {
    const f = structuredClone(orderTriageFragment);
    // aggregate wants an array; `valid` is an array of rows for array data, an object or null otherwise
    stepOf(f, 'orders_by_status').inputs['data'] = '${steps.valid_orders.output.valid}';
    stepOf(f, 'orders_by_status').dependencies = ['valid_orders'];
    const first = validateFragment(f, ctx);
    expect(first.diagnostics.map((d) => d.code)).toEqual(['REFERENCE_TYPE_MISMATCH']);
    const [d] = first.diagnostics;
    expect(d!.hint).not.toMatch(/errors|flagged|invalid_count/);
    const repaired = obey(f, first.diagnostics);
    const again = validateFragment(repaired, ctx);
    expect(again.diagnostics).toEqual([]);
    // it still counts the valid orders by status: through a transform of `valid`, nothing else
    const adapted = stepOf(repaired, 'orders_by_status_data');
    expect(adapted.inputs['data']).toBe('${steps.valid_orders.output.valid}');
    expect(stepOf(repaired, 'orders_by_status').inputs['data']).toBe('${steps.orders_by_status_data.output.result}');
    expect(JSON.stringify(repaired)).not.toMatch(/output\.(errors|flagged)/);
  });
});

describe('dependency hints', () => {
  it("list only steps that could be depended on: not a step with an unknown handler, not one that depends on the step", () => {
    const f = structuredClone(orderTriageFragment) as Fragment & { steps: FragmentStep[] };
    // a step the planner cannot run, and a dependency on the finalization step instead of valid_orders
    f.steps.push({ name: 'publish_rates', handler: 'http_get', reasoning: 'fetch', dependencies: [], inputs: {} });
    stepOf(f, 'mismatched_totals').dependencies = ['publish_report'];
    const first = validateFragment(f, ctx);
    const forbidden = first.diagnostics.find((d) => d.code === 'DEPENDENCY_FORBIDDEN')!;
    expect(forbidden.hint).toMatch(/^Remove 'publish_report'/);
    expect(forbidden.hint).not.toContain('publish_rates'); // closest by name, but its handler is unknown
    expect(forbidden.hint).toContain('valid_orders');
    expect(forbidden.hint).not.toContain('mismatch_count'); // depends on mismatched_totals: a cycle
    // the obedient planner removes the forbidden dependency, adds the one it reads from, and drops
    // the step it cannot run (HANDLER_UNKNOWN says so): what remains means what was asked
    const repaired = obey(f, first.diagnostics);
    repaired.steps.splice(repaired.steps.findIndex((s) => s.name === 'publish_rates'), 1);
    expect(validateFragment(repaired, ctx).diagnostics).toEqual([]);
    expect(stepOf(repaired, 'mismatched_totals').dependencies).toEqual(['valid_orders']);
  });

  it('DEPENDENCY_UNKNOWN offers the closest dependable step, which the obedient planner takes', () => {
    const f = structuredClone(orderTriageFragment);
    stepOf(f, 'order_rows').dependencies = ['valid_order'];
    const first = validateFragment(f, ctx);
    expect(first.diagnostics.map((d) => d.code)).toContain('DEPENDENCY_UNKNOWN');
    expect(first.diagnostics.find((d) => d.code === 'DEPENDENCY_UNKNOWN')!.hint).toMatch(/^Use one of: valid_orders, /);
    const repaired = obey(f, first.diagnostics);
    expect(stepOf(repaired, 'order_rows').dependencies).toEqual(['valid_orders']);
    expect(validateFragment(repaired, ctx).ok).toBe(true);
  });
});
