/**
 * What a fragment may depend on at planning time: every frame and earlier-phase step, with its
 * output schema and whether it is complete (usable), pending (a parallel branch not done yet) or
 * forbidden (the planning step, its convergence step and everything after it). One rule, used by
 * the workflow (from live step records) and by `weft validate` / `weft eval` (from the plan alone).
 */
import type { CompiledPlan, PlanPlanningStep, StepKind } from './plan.js';
import { PLANNING_OUTPUT_SCHEMA } from './planning-output.js';
import type { KnownStep } from './validation.js';

/** What the rule needs to know of a step. */
export interface StepSummary {
  readonly name: string;
  readonly kind: StepKind;
  /** Handler name; null for planning steps. */
  readonly handler: string | null;
  /** True when it finished with an output (completed or skipped). */
  readonly complete: boolean;
}

/** Frame steps downstream of `start`, including `start`, by dependencies. */
export function frameDescendants(plan: CompiledPlan, start: string): Set<string> {
  const out = new Set<string>([start]);
  let grew = true;
  while (grew) {
    grew = false;
    for (const s of plan.steps) {
      if (!out.has(s.name) && s.dependencies.some((d) => out.has(d))) {
        out.add(s.name);
        grew = true;
      }
    }
  }
  return out;
}

/** Known steps for validating a fragment of planning step `ps`. */
export function knownStepsFor(plan: CompiledPlan, ps: PlanPlanningStep, steps: Iterable<StepSummary>): Record<string, KnownStep> {
  const forbidden = frameDescendants(plan, ps.convergence);
  forbidden.add(ps.name);
  const out: Record<string, KnownStep> = {};
  for (const s of steps) {
    out[s.name] = {
      name: s.name,
      kind: s.kind,
      outputSchema: s.kind === 'planning' ? PLANNING_OUTPUT_SCHEMA : (plan.catalog[s.handler ?? '']?.outputSchema ?? true),
      availability: forbidden.has(s.name) ? 'forbidden' : s.complete ? 'complete' : 'pending',
    };
  }
  return out;
}
