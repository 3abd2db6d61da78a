/**
 * "Would today's weft accept yesterday's tasks?" — two checks on recorded histories:
 *
 * 1. **Re-validation**: every planner output the history recorded is validated twice, against the
 *    plan the task pinned (what it was judged by then) and against today's template of the same
 *    name with today's catalog and validator. An output valid then and rejected now is a finding,
 *    with today's diagnostics: the same planner answer would now be re-planned.
 * 2. **Replay**: the histories replay against today's workflow code with Temporal's replayer; a
 *    determinism error (or any replay failure) is a finding: deploying today's code would break
 *    those runs if they were still open.
 *
 * Both contexts are built as `weft validate` builds them (frame steps upstream of the planning
 * step complete, the budget at the start of the phase), plus the steps of the fragments the
 * task accepted in earlier phases of the same planning step (the first output of a phase that
 * was valid then), complete, with their handlers' output schemas. The budget is the one at the
 * start of the phase without a task's spending, so budget codes are not reproduced exactly.
 */
import type { temporal } from '@temporalio/proto';
import type { Diagnostic } from '../core/diagnostics.js';
import type { Fragment } from '../core/fragment.js';
import type { CompiledPlan, PlanPlanningStep } from '../core/plan.js';
import type { ValidationContext } from '../core/validation.js';
import { validateFragment } from '../core/validator/index.js';
import { fragmentContext } from '../cli/validation-context.js';
import { readRecorded } from './recorded.js';

/** One problem found in one history. */
export type ReplayFinding =
  | {
      readonly kind: 'now_rejected';
      readonly planningStep: string;
      readonly phase: number;
      readonly attempt: number;
      readonly diagnostics: readonly Diagnostic[];
    }
  | { readonly kind: 'template_gone'; readonly template: string; readonly message: string }
  | { readonly kind: 'step_gone'; readonly planningStep: string; readonly message: string }
  | { readonly kind: 'not_replayable'; readonly error: string; readonly message: string };

/** The verdict on one history. */
export interface HistoryReport {
  /** The workflow ID, or the file the history came from. */
  readonly source: string;
  readonly template: string | null;
  /** Planner outputs re-validated. */
  readonly fragments: number;
  readonly replayed: boolean;
  readonly findings: readonly ReplayFinding[];
}

/** A history and where it came from. */
export interface NamedHistory {
  readonly source: string;
  readonly history: temporal.api.history.v1.IHistory;
}

function planningStep(plan: CompiledPlan, name: string): PlanPlanningStep | undefined {
  return plan.steps.find((s): s is PlanPlanningStep => s.kind === 'planning' && s.name === name);
}

/** `ctx` with the steps of earlier phases' accepted fragments known and complete. */
function withEarlierPhases(ctx: ValidationContext, plan: CompiledPlan, earlier: readonly Fragment[]): ValidationContext {
  if (earlier.length === 0) return ctx;
  const knownSteps = { ...ctx.knownSteps };
  for (const f of earlier) {
    for (const s of f.steps) knownSteps[s.name] = { name: s.name, kind: 'planned', outputSchema: plan.catalog[s.handler]?.outputSchema ?? true, availability: 'complete' };
  }
  return { ...ctx, knownSteps };
}

/** Re-validates the planner outputs a history recorded against today's compiled templates. */
export function revalidate(h: NamedHistory, today: readonly CompiledPlan[]): { template: string | null; fragments: number; findings: ReplayFinding[] } {
  const recorded = readRecorded(h.history);
  const then = recorded.plan;
  if (!then) return { template: null, fragments: 0, findings: [] };
  const now = today.find((p) => p.name === then.name);
  if (!now) {
    const message = `template '${then.name}' (version ${then.version}) is not registered today: its tasks could not be started again and their fragments cannot be re-validated.`;
    return { template: then.name, fragments: 0, findings: [{ kind: 'template_gone', template: then.name, message }] };
  }
  const findings: ReplayFinding[] = [];
  let fragments = 0;
  // the fragment each phase of each planning step accepted: the first output valid then
  const accepted = new Map<string, Map<number, Fragment>>();
  const earlier = (step: string, phase: number) => [...(accepted.get(step) ?? new Map<number, Fragment>())].filter(([p]) => p < phase).map(([, f]) => f);
  for (const o of recorded.outputs) {
    const stepThen = planningStep(then, o.planningStep);
    if (!stepThen) continue;
    fragments++;
    const stepNow = planningStep(now, o.planningStep);
    const before = earlier(o.planningStep, o.phase);
    const judgedThen = validateFragment(o.output, withEarlierPhases(fragmentContext(then, stepThen, o.phase), then, before));
    if (!judgedThen.ok) continue; // rejected then too: re-planning was already its fate
    const phases = accepted.get(o.planningStep) ?? new Map<number, Fragment>();
    if (!phases.has(o.phase)) phases.set(o.phase, judgedThen.fragment);
    accepted.set(o.planningStep, phases);
    if (!stepNow) {
      findings.push({ kind: 'step_gone', planningStep: o.planningStep, message: `today's template '${now.name}' has no planning step '${o.planningStep}'.` });
      continue;
    }
    const judgedNow = validateFragment(o.output, withEarlierPhases(fragmentContext(now, stepNow, o.phase), now, before));
    if (!judgedNow.ok) findings.push({ kind: 'now_rejected', planningStep: o.planningStep, phase: o.phase, attempt: o.attempt, diagnostics: judgedNow.diagnostics });
  }
  return { template: then.name, fragments, findings };
}
