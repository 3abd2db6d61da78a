/**
 * Bounds: the planning step's limits (LIMIT_STEPS, LIMIT_DEPTH) and what remains of the task's
 * budget (BUDGET_STEPS, BUDGET_COST, BUDGET_PHASES). The template sets these; the planner can
 * only fit inside them, so hints say how to shrink the plan or spread it over phases.
 */
import type { Analysis } from './analysis.js';

// Costs are sums of decimal fractions: 0.1 + 0.2 must not exceed a remaining 0.3.
const COST_EPSILON = 1e-9;

/** Reports limit and budget overruns. */
export function checkLimits(a: Analysis): void {
  const { ctx, stepCount } = a;
  const canReplan = ctx.remaining.phases >= 1;
  const spread = canReplan ? ', or plan the rest in another phase with "next": "replan"' : '';
  if (stepCount > ctx.maxSteps) {
    a.report(
      'LIMIT_STEPS',
      '/steps',
      `The fragment has ${stepCount} steps; planning step '${ctx.planningStep}' allows at most ${ctx.maxSteps}.`,
      `Merge or drop steps to at most ${ctx.maxSteps}${spread}.`,
    );
  }
  if (!a.dag.hasCycle()) {
    const chain = a.dag.longestChain();
    if (chain.length > ctx.maxDepth) {
      a.report(
        'LIMIT_DEPTH',
        '/steps',
        `The longest dependency chain has ${chain.length} steps (${chain.join(' → ')}); planning step '${ctx.planningStep}' allows a depth of at most ${ctx.maxDepth}.`,
        `Run independent steps in parallel instead of in sequence, or merge steps of the chain, to a depth of at most ${ctx.maxDepth}${spread}.`,
      );
    }
  }
  if (stepCount > ctx.remaining.steps) {
    a.report(
      'BUDGET_STEPS',
      '/steps',
      `The fragment has ${stepCount} steps, but only ${ctx.remaining.steps} remain in the task's step budget.`,
      `Plan at most ${ctx.remaining.steps} steps: keep the ones that matter most for the goal.`,
    );
  }
  let cost = 0;
  for (const view of a.steps) cost += a.catalogEntry(view.step.handler)?.estimatedCostUsd ?? 0;
  if (cost > ctx.remaining.costUsd + COST_EPSILON) {
    const costly = [...new Set(a.steps.map((v) => v.step.handler).filter((h) => (a.catalogEntry(h)?.estimatedCostUsd ?? 0) > 0))];
    a.report(
      'BUDGET_COST',
      '/steps',
      `The fragment's estimated cost is $${usd(cost)}, but only $${usd(ctx.remaining.costUsd)} remain in the task's cost budget.`,
      `Use fewer steps with costly handlers (${costly.join(', ') || 'none'}) to stay within $${usd(ctx.remaining.costUsd)}.`,
    );
  }
  if (a.next === 'replan' && !canReplan) {
    a.report(
      'BUDGET_PHASES',
      '/next',
      `The fragment asks for another planning phase ("next": "replan"), but no planning phase remains in the task's budget.`,
      'Set "next": "done" and finish the work with the steps of this fragment.',
    );
  }
}

/** Dollars with enough decimals for LLM prices (a fraction of a cent shows). */
function usd(value: number): string {
  const fixed = value.toFixed(value !== 0 && Math.abs(value) < 0.01 ? 4 : 2);
  return fixed;
}
