/**
 * Runs an accepted fragment: ready-set scheduling (a step starts as soon as all its dependencies
 * are complete, not level by level) bounded by the planning step's concurrency, with the
 * wall-time budget watched by one timer. Each step runs exactly like a frame step.
 */
import { CancellationScope, isCancellation, patched, sleep } from '@temporalio/workflow';
import { charge, exhaust, remaining, wallTimeExhaustion, type BudgetExhaustion } from '../src/core/budget.js';
import type { Fragment } from '../src/core/fragment.js';
import type { PlanPlanningStep } from '../src/core/plan.js';
import type { TaskRun } from './run-state.js';
import { executeHandlerStep } from './step-exec.js';
import { runReadySet } from './ready-set.js';
import type { DagNode } from '../src/core/dag.js';
import { needsSlices, sliceDag, stepsPerSlice } from '../src/core/slices.js';
import { taskFailure } from './failures.js';
import { runSlices, SLICES_PATCH } from './slices.js';

/** How a fragment run ended. */
export interface FragmentOutcome {
  /** Steps no other step of the fragment depends on. */
  readonly terminal: readonly string[];
  /** Set when the budget stopped the fragment before all its steps ran. */
  readonly stopped: BudgetExhaustion | null;
  /** True when its steps ran in slices (child workflows). */
  readonly sliced: boolean;
}

/** Executes the fragment's steps; a step failure that fails the task propagates. */
export async function runFragment(run: TaskRun, ps: PlanPlanningStep, fragment: Fragment): Promise<FragmentOutcome> {
  const names = new Set(fragment.steps.map((s) => s.name));
  const nodes = fragment.steps.map((s) => ({ name: s.name, dependencies: s.dependencies.filter((d) => names.has(d)) }));
  const dependedOn = new Set(nodes.flatMap((n) => n.dependencies));
  const terminal = nodes.map((n) => n.name).filter((n) => !dependedOn.has(n));
  const byName = new Map(fragment.steps.map((s) => [s.name, s]));

  let stopped: BudgetExhaustion | null = null;
  const work = new CancellationScope();
  const watchdog = new CancellationScope();
  const wallMs = remaining(run.ledger, Date.now()).wallTimeMs;
  watchdog
    .run(() =>
      run.operatorHistory
        ? sleep(Math.max(1, wallMs), { summary: `wall-time budget watchdog of ${ps.name}: stops its fragment if the task's time budget runs out first` })
        : sleep(Math.max(1, wallMs)),
    )
    .then(
      () => {
        stopped = wallTimeExhaustion(run.ledger, Date.now()) ?? { dimension: 'wall_time', message: 'The wall-time budget is spent.' };
        work.cancel();
      },
      () => undefined, // the watchdog is cancelled when the fragment finishes first
    );
  // A fragment larger than one history should hold runs in slices (child workflows).
  const sliced = needsSlices(nodes.length, run.limits) && patched(SLICES_PATCH);
  try {
    if (sliced) await work.run(() => runFragmentInSlices(run, ps, fragment, nodes));
    else await work.run(() =>
      runReadySet(nodes, ps.concurrency, async (name) => {
        const step = byName.get(name)!;
        const entry = run.plan.catalog[step.handler];
        if (entry && entry.estimatedCostUsd > 0) run.ledger = charge(run.ledger, { costUsd: entry.estimatedCostUsd });
        await executeHandlerStep(run, run.step(name), step.inputs, ps.stepFailure);
      }),
    );
  } catch (err) {
    if (!(stopped && isCancellation(err))) throw err;
  } finally {
    watchdog.cancel();
  }
  if (stopped) {
    run.ledger = exhaust(run.ledger, stopped);
    for (const n of nodes) {
      const r = run.step(n.name);
      if (r.state === 'pending' || r.state === 'running') {
        r.state = 'cancelled';
        r.error = { type: 'BUDGET_WALL_TIME', message: (stopped as BudgetExhaustion).message };
      }
    }
    run.publish();
  }
  return { terminal, stopped, sliced };
}

/** Runs the fragment's steps in slices; a step failure fails the task, as in the task itself. */
async function runFragmentInSlices(run: TaskRun, ps: PlanPlanningStep, fragment: Fragment, nodes: readonly DagNode[]): Promise<void> {
  const byName = new Map(fragment.steps.map((s) => [s.name, s]));
  const { failed } = await runSlices(run, {
    owner: run.step(ps.name),
    slices: sliceDag(nodes, ps.name, stepsPerSlice(run.limits)),
    stepsOf: (spec) => spec.steps.map((name) => ({ record: run.step(name), inputs: byName.get(name)?.inputs ?? {} })),
    concurrency: ps.concurrency,
    failure: ps.stepFailure,
    onStepFailure: 'stop',
  });
  const first = failed[0];
  if (!first) return;
  const record = run.step(first.step);
  throw taskFailure(
    'STEP_FAILED',
    `Step '${record.name}' (${record.handler ?? 'planner'}, ${record.provenance.createdBy}) failed: ${first.error.type}: ${first.error.message.replace(/\.+$/, '')}.`,
    { step: record.name, error: first.error },
  );
}
