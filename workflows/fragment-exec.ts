/**
 * Runs an accepted fragment: ready-set scheduling (a step starts as soon as all its dependencies
 * are complete, not level by level) bounded by the planning step's concurrency, with the
 * wall-time budget watched by one timer. Each step runs exactly like a frame step.
 */
import { CancellationScope, isCancellation, sleep } from '@temporalio/workflow';
import { charge, exhaust, remaining, wallTimeExhaustion, type BudgetExhaustion } from '../src/core/budget.js';
import type { Fragment } from '../src/core/fragment.js';
import type { PlanPlanningStep } from '../src/core/plan.js';
import type { TaskRun } from './run-state.js';
import { executeHandlerStep } from './step-exec.js';
import { runReadySet } from './ready-set.js';

/** How a fragment run ended. */
export interface FragmentOutcome {
  /** Steps no other step of the fragment depends on. */
  readonly terminal: readonly string[];
  /** Set when the budget stopped the fragment before all its steps ran. */
  readonly stopped: BudgetExhaustion | null;
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
  try {
    await work.run(() =>
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
  return { terminal, stopped };
}
