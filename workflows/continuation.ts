/**
 * Continue-as-new: a long multi-phase task starts a fresh run (same workflow ID, empty history)
 * at a safe point — between two planning phases, with nothing else running — carrying its step
 * table, outputs (stored ones by reference), ledger, planning records and where its planning
 * step stood. Budgets hold across runs: the ledger, its start time included, is carried.
 */
import { allHandlersFinished, condition, continueAsNew, patched, workflowInfo } from '@temporalio/workflow';
import { jsonByteLength } from '../src/core/json.js';
import type { CarriedState, PlanningAttempt, PlanningResume, TaskInput } from './definitions.js';
import type { TaskRun } from './run-state.js';
import type { weftTask } from './task.js';

/** Patch ID of continuing a long task as new between planning phases. */
export const CONTINUE_AS_NEW_PATCH = 'weft-12-continue-as-new';

/**
 * When a run continues as new, unless the task says otherwise (`TaskInput.limits`): at about 40%
 * of Temporal's 51,200-event and 50 MB limits, leaving the rest for a phase that is already
 * under way when the limit is passed.
 */
export const DEFAULT_RUN_LIMITS = { eventsPerRun: 20_000, bytesPerRun: 20 * 1024 * 1024 } as const;

/**
 * The carried state must fit one payload (Temporal refuses payloads over 2 MB). A task whose
 * state is larger keeps running in its current run.
 */
const MAX_CARRIED_BYTES = 1_800_000;

/** True when this run's history is past its limits (or the server suggests a new run). */
function historyIsLong(run: TaskRun): boolean {
  const info = workflowInfo();
  const events = run.limits.eventsPerRun ?? DEFAULT_RUN_LIMITS.eventsPerRun;
  const bytes = run.limits.bytesPerRun ?? DEFAULT_RUN_LIMITS.bytesPerRun;
  return info.continueAsNewSuggested || info.historyLength >= events || info.historySize >= bytes;
}

/**
 * At a planning step's phase boundary: true when the run should continue as new — its history
 * is long and nothing but this planning step is running (no other frame step, gate or parked
 * step) — and the carried state fits a payload. Synchronous on purpose: an `await` here when
 * the answer is no would let a queued publish run first and reorder commands of recorded runs.
 */
export function shouldContinue(run: TaskRun, resume: PlanningResume): boolean {
  if (!historyIsLong(run)) return false;
  const busy = run.records().some((r) => r.name !== resume.step && (r.state === 'running' || r.state === 'parked')) || run.waitingGates.size > 0;
  if (busy || !patched(CONTINUE_AS_NEW_PATCH)) return false;
  return jsonByteLength(carry(run, resume)) <= MAX_CARRIED_BYTES;
}

/** Continues the task as new from this phase boundary, once update handlers in flight are done. Never returns. */
export async function continueNow(run: TaskRun, resume: PlanningResume): Promise<never> {
  await condition(allHandlersFinished);
  run.publishNow();
  const next: TaskInput = { plan: run.plan, input: run.taskInput, limits: run.limits, carried: carry(run, resume) };
  return continueAsNew<typeof weftTask>(next);
}

/** The state the next run starts from. */
function carry(run: TaskRun, resume: PlanningResume): CarriedState {
  return {
    continuations: (run.carried?.continuations ?? 0) + 1,
    records: run.records(),
    outputs: Object.fromEntries(run.outputs),
    ledger: run.ledger,
    planning: run.planning.map(lean),
    children: Object.fromEntries(run.children),
    blockedBy: Object.fromEntries(run.blockedBy),
    summaries: Object.fromEntries(run.summaries),
    sliceChunks: Object.fromEntries(run.sliceChunks),
    slicedSteps: [...run.slicedSteps],
    validationFailures: run.validationFailures,
    partial: run.partial,
    reason: run.reason,
    resume,
  };
}

/** A planning attempt without what only layer 3 shows (prompt, raw output, thinking): those stay in the earlier run's history. */
function lean(a: PlanningAttempt): PlanningAttempt {
  return { ...a, prompt: null, output: null, context: null, ...(a.thinking ? { thinking: null } : {}) };
}

/** Restores a run from what the previous run carried. */
export function restore(run: TaskRun, carried: CarriedState): void {
  run.carried = carried;
  for (const r of carried.records) {
    if (run.steps.has(r.name)) Object.assign(run.step(r.name), r);
    else run.add({ ...r });
  }
  for (const [k, v] of Object.entries(carried.outputs)) run.outputs.set(k, v);
  run.ledger = carried.ledger;
  run.planning.push(...carried.planning);
  for (const [k, v] of Object.entries(carried.children)) run.children.set(k, v);
  for (const [k, v] of Object.entries(carried.blockedBy)) run.blockedBy.set(k, v);
  for (const [k, v] of Object.entries(carried.summaries)) run.summaries.set(k, v);
  for (const [k, v] of Object.entries(carried.sliceChunks)) run.sliceChunks.set(k, [...v]);
  for (const s of carried.slicedSteps) run.slicedSteps.add(s);
  run.validationFailures = carried.validationFailures;
  run.partial = carried.partial;
  run.reason = carried.reason;
}
