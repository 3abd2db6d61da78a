/**
 * Vitest wiring shared by the engine test files: one environment and one workflow bundle per file,
 * started before its tests and torn down after. (Kept apart from engine.ts, which scripts outside
 * vitest — benchmarks, the replay recorder — import too.)
 */
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { afterAll, beforeAll } from 'vitest';
import { bundle } from './engine.js';
import { startDevServerEnv, startTimeSkippingEnv } from './environments.js';

/** What `runTask` needs of the environment; filled in before the file's first test. */
export interface EngineHarness {
  env: TestWorkflowEnvironment;
  workflowBundle: WorkflowBundleWithSourceMap;
}

/**
 * Starts the time-skipping environment and bundle for this test file; pass the result to
 * `runTask({ ...engine, … })`.
 * @example
 * const engine = useTimeSkippingEngine();
 * it('runs', async () => { await runTask({ ...engine, template, planner }); });
 */
export function useTimeSkippingEngine(): EngineHarness {
  return useEngine(startTimeSkippingEnv);
}

/**
 * Starts a dev server (the real Temporal server, real time) for the tests that stop activities
 * while they run — fail_fast fan-outs, the wall-time watchdog, a failed step stopping its slice.
 * The time-skipping test server cannot host them: when a workflow task cancels an activity that
 * completed while the task ran, the test server rejects the task's completion (ACTIVITY_UNKNOWN)
 * and the workflow hangs (temporalio/sdk-java#2391, temporalio/sdk-typescript#1058). Such tests should run
 * their handlers for milliseconds, not seconds: nothing skips time here.
 */
export function useDevServerEngine(): EngineHarness {
  return useEngine(startDevServerEnv);
}

function useEngine(start: () => Promise<TestWorkflowEnvironment>): EngineHarness {
  const harness = {} as EngineHarness;
  beforeAll(async () => {
    [harness.env, harness.workflowBundle] = await Promise.all([start(), bundle()]);
  });
  afterAll(async () => {
    await harness.env?.teardown();
  });
  return harness;
}
