/**
 * The validation context of a planning step, built from a compiled plan alone (no running task),
 * the way the workflow builds it when the planning step runs: frame steps upstream of the planning
 * step are complete, the planning step, its convergence step and everything after are forbidden,
 * other frame steps are pending; the budget is what remains at the start of the given phase.
 * `weft validate` and the example's tests check fragments against it.
 */
import type { CompiledPlan, PlanPlanningStep } from '../core/plan.js';
import { ancestorsOf } from '../core/dag.js';
import { knownStepsFor } from '../core/known-steps.js';
import type { ValidationContext } from '../core/validation.js';
import { listChoices } from '../core/diagnostics.js';
import { CliError } from './command.js';

/** The planning step named `name`, or the template's only one; fails naming the choices. */
export function planningStepOf(plan: CompiledPlan, name?: string): PlanPlanningStep {
  const planning = plan.steps.filter((s): s is PlanPlanningStep => s.kind === 'planning');
  if (planning.length === 0) throw new CliError(`template ${plan.name} has no planning step, so no fragment can be validated against it`);
  if (name === undefined) {
    if (planning.length > 1) {
      throw new CliError(`template ${plan.name} has ${planning.length} planning steps: choose one with --step (${listChoices(planning.map((s) => s.name))})`);
    }
    return planning[0]!;
  }
  const found = planning.find((s) => s.name === name);
  if (!found) throw new CliError(`template ${plan.name} has no planning step '${name}': use one of ${listChoices(planning.map((s) => s.name))}`);
  return found;
}

/**
 * The context for validating a fragment of `planningStep` in `phase` (from 1). Earlier phases'
 * steps are unknown without a task, so for phase > 1 the step budget is an upper bound.
 */
export function fragmentContext(plan: CompiledPlan, planningStep: PlanPlanningStep, phase = 1): ValidationContext {
  // Without a task, the steps upstream of the planning step are the ones complete when it runs.
  const upstream = new Set(ancestorsOf(plan.steps, planningStep.name));
  const knownSteps = knownStepsFor(
    plan,
    planningStep,
    plan.steps.map((s) => ({ name: s.name, kind: s.kind, handler: s.kind === 'planning' ? null : s.handler, complete: upstream.has(s.name) })),
  );
  const budget = plan.budget;
  return {
    planningStep: planningStep.name,
    allowedHandlers: planningStep.allowedHandlers,
    maxSteps: planningStep.maxSteps,
    maxDepth: planningStep.maxDepth,
    maxFragmentBytes: planningStep.maxFragmentBytes,
    catalog: plan.catalog,
    taskInputSchema: plan.inputSchema,
    knownSteps,
    mutationPolicy: planningStep.mutations,
    remaining: {
      steps: Math.max(0, budget.maxSteps - plan.steps.length),
      // phases that may follow this one, as the workflow computes it when `phase` is being planned
      phases: Math.max(0, Math.min(budget.maxPlanningPhases - phase, planningStep.maxPhases - phase)),
      costUsd: budget.maxCostUsd,
    },
  };
}
