/**
 * Vitest wiring shared by the engine test files: one time-skipping environment and one workflow
 * bundle per file, started before its tests and torn down after. (Kept apart from engine.ts, which
 * scripts outside vitest — benchmarks, the replay recorder — import too.)
 */
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { afterAll, beforeAll } from 'vitest';
import { bundle } from './engine.js';
import { startTimeSkippingEnv } from './environments.js';

/** What `runTask` needs of the environment; filled in before the file's first test. */
export interface EngineHarness {
  env: TestWorkflowEnvironment;
  workflowBundle: WorkflowBundleWithSourceMap;
}

/**
 * Starts the environment and bundle for this test file; pass the result to `runTask({ ...engine, … })`.
 * @example
 * const engine = useTimeSkippingEngine();
 * it('runs', async () => { await runTask({ ...engine, template, planner }); });
 */
export function useTimeSkippingEngine(): EngineHarness {
  const harness = {} as EngineHarness;
  beforeAll(async () => {
    [harness.env, harness.workflowBundle] = await Promise.all([startTimeSkippingEnv(), bundle()]);
  });
  afterAll(async () => {
    await harness.env?.teardown();
  });
  return harness;
}
