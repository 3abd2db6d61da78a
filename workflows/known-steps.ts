/**
 * What a fragment may depend on at planning time, from the run's live step records (the rule
 * itself is `knownStepsFor` in src/core/known-steps.ts, shared with `weft validate`).
 */
import { knownStepsFor } from '../src/core/known-steps.js';
import type { PlanPlanningStep } from '../src/core/plan.js';
import type { KnownStep } from '../src/core/validation.js';
import type { TaskRun } from './run-state.js';

/**
 * Known steps for validating a fragment of planning step `ps`. A fan-out's children are not among
 * them: their names cannot be referenced, and their results are the fan-out's output.
 */
export function knownSteps(run: TaskRun, ps: PlanPlanningStep): Record<string, KnownStep> {
  return knownStepsFor(
    run.plan,
    ps,
    run
      .records()
      .filter((r) => r.spawnedBy === null)
      .map((r) => ({ name: r.name, kind: r.kind, handler: r.handler, complete: r.state === 'completed' || r.state === 'skipped' })),
  );
}
