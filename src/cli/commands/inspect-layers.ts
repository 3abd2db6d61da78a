/**
 * The four layers of `weft inspect`, read from the task's history, memo and visibility record
 * (`WeftClient.read`): no query, so no worker is needed, and finished tasks read the same.
 */
import type { TaskSummary, WeftClient } from '../../client.js';
import { countByOrigin } from '../../core/steps.js';
import type { StepView, StepViewRecord, StepViewState, TaskView } from '../../history/task-view.js';
import type { BudgetView, PlanningAttempt, TaskState } from '../../../workflows/definitions.js';

/** Layer 1: what every task shows, static or planned. */
export interface OverviewLayer {
  readonly layer: 1;
  readonly workflowId: string;
  readonly ui: string;
  readonly task: TaskSummary;
  readonly state: TaskState;
  readonly overview: string;
  readonly budget: BudgetView | null;
  readonly steps: StepViewRecord[];
  /** For each planning step: time in planning calls, apart from its fragments' execution. */
  readonly planningMs: Readonly<Record<string, number>>;
  /** Runs of the task's workflow ID (more than one when it continued as new). */
  readonly runs: number;
  /** Slices (child workflows) that ran part of its steps; the steps are shown as the task's. */
  readonly slices: number;
}

/** Layer 2: every planning attempt. */
export interface PlanningLayer {
  readonly layer: 2;
  readonly workflowId: string;
  readonly attempts: Omit<PlanningAttempt, 'fragment' | 'output'>[];
}

/** Layer 3: the fragments, accepted and rejected. */
export interface FragmentLayer {
  readonly layer: 3;
  readonly workflowId: string;
  readonly accepted: PlanningAttempt[];
  readonly rejected: PlanningAttempt[];
}

/** Layer 4: steps with input, output, timing and attempts. */
export interface ExecutionLayer {
  readonly layer: 4;
  readonly workflowId: string;
  /** The task's latest run: an execution elsewhere (an earlier run, a slice) says where it ran. */
  readonly runId: string;
  readonly steps: StepView[];
}

/** "3 planning phases, 14 steps (4 from the template, 10 planned)". */
export function overviewLine(view: TaskView, task: TaskSummary): string {
  const records = view.steps.map((s) => s.record);
  const { template, planned, spawned } = countByOrigin(records);
  const phases = view.budget?.ledger.used.planningPhases ?? 0;
  const status = task.status.toLowerCase();
  return (
    `${task.template ?? view.plan?.name ?? '?'} · ${status}${status === view.state ? '' : ` (${view.state})`} · ${phases} planning phase${phases === 1 ? '' : 's'}, ` +
    `${records.length} steps (${template} from the template, ${planned} planned${spawned > 0 ? `, ${spawned} of them spawned by fan-outs` : ''})` +
    (view.budget ? ` · ${view.budget.line}` : '')
  );
}

/** Reads the task once; every layer is a projection of it. */
export async function readLayers(weft: WeftClient, workflowId: string): Promise<{ view: TaskView; task: TaskSummary }> {
  const [view, task] = await Promise.all([weft.read(workflowId), weft.describe(workflowId)]);
  return { view, task };
}

/** Layer 1. */
export function overviewLayer(weft: WeftClient, view: TaskView, task: TaskSummary): OverviewLayer {
  const planningMs: Record<string, number> = {};
  for (const s of view.steps) if (s.planningMs !== null) planningMs[s.record.name] = s.planningMs;
  return {
    layer: 1,
    workflowId: view.workflowId,
    ui: weft.uiUrl(view.workflowId),
    task,
    state: view.state,
    overview: overviewLine(view, task),
    budget: view.budget,
    steps: view.steps.map((s) => s.record),
    planningMs,
    runs: view.runIds.length,
    slices: view.slices.length,
  };
}

/** Layer 2. */
export function planningLayer(view: TaskView): PlanningLayer {
  return { layer: 2, workflowId: view.workflowId, attempts: view.planning.map(({ fragment: _f, output: _o, ...rest }) => rest) };
}

/** Layer 3. */
export function fragmentLayer(view: TaskView): FragmentLayer {
  return { layer: 3, workflowId: view.workflowId, accepted: view.planning.filter((a) => a.accepted), rejected: view.planning.filter((a) => !a.accepted) };
}

/** Layer 4, all steps or the named ones. */
export function executionLayer(view: TaskView, only?: readonly string[]): ExecutionLayer {
  return { layer: 4, workflowId: view.workflowId, runId: view.runId, steps: view.steps.filter((s) => !only || only.includes(s.record.name)) };
}

/** True for states a closed task's steps can no longer leave. */
export function isSettled(state: StepViewState): boolean {
  return state !== 'pending' && state !== 'running' && state !== 'parked';
}
