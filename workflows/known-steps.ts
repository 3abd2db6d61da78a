/**
 * What a fragment may depend on at planning time: the frame's and earlier phases' steps, each
 * with its output schema and whether it is complete, pending or forbidden.
 */
import { PLANNING_OUTPUT_SCHEMA } from '../src/core/planning-output.js';
import type { PlanPlanningStep } from '../src/core/plan.js';
import type { KnownStep } from '../src/core/validation.js';
import type { TaskRun } from './run-state.js';

/** Frame steps downstream of `start` (inclusive), by dependencies. */
export function frameDescendants(run: TaskRun, start: string): Set<string> {
  const out = new Set<string>([start]);
  let grew = true;
  while (grew) {
    grew = false;
    for (const s of run.plan.steps) {
      if (!out.has(s.name) && s.dependencies.some((d) => out.has(d))) {
        out.add(s.name);
        grew = true;
      }
    }
  }
  return out;
}

/** Known steps for validating a fragment of planning step `ps`. */
export function knownSteps(run: TaskRun, ps: PlanPlanningStep): Record<string, KnownStep> {
  const forbidden = frameDescendants(run, ps.convergence);
  forbidden.add(ps.name);
  const out: Record<string, KnownStep> = {};
  for (const record of run.records()) {
    const outputSchema =
      record.kind === 'planning' ? PLANNING_OUTPUT_SCHEMA : (run.plan.catalog[record.handler ?? '']?.outputSchema ?? true);
    const done = record.state === 'completed' || record.state === 'skipped';
    out[record.name] = {
      name: record.name,
      kind: record.kind,
      outputSchema,
      availability: forbidden.has(record.name) ? 'forbidden' : done ? 'complete' : 'pending',
    };
  }
  return out;
}
