/**
 * Smoke test of the time-skipping environment built by temporal-dev.sh: a workflow with an
 * activity, a one-day timer and the activity again completes in about a second of wall time.
 */
import { randomUUID } from 'node:crypto';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSmokeActivities } from '../../activities/smoke.js';
import { smokeActivityDayTimer } from '../../workflows/smoke.js';
import { bundlerOptions } from '../../src/bundler.js';
import { startTimeSkippingEnv, workflowsPath } from '../support/environments.js';

const ONE_DAY_MS = 24 * 60 * 60 * 1000;
// A real day would never pass; 3 s leaves room for a loaded 2-core machine.
const WALL_CLOCK_BOUND_MS = 3_000;

describe('time-skipping environment (cached test server)', () => {
  let env: TestWorkflowEnvironment | undefined;

  beforeAll(async () => {
    env = await startTimeSkippingEnv();
  });

  afterAll(async () => {
    await env?.teardown();
  });

  it('runs an activity, sleeps one day and runs it again, in well under a real day', async () => {
    if (env === undefined) throw new Error('the time-skipping environment did not start');
    const { client, nativeConnection } = env;
    const taskQueue = `smoke-${randomUUID()}`;
    const worker = await Worker.create({
      connection: nativeConnection,
      taskQueue,
      workflowsPath: workflowsPath('smoke.ts'),
      bundlerOptions,
      activities: createSmokeActivities(),
    });

    const { result, wallMs } = await worker.runUntil(async () => {
      const started = performance.now();
      const result = await client.workflow.execute(smokeActivityDayTimer, {
        args: ['weft'],
        taskQueue,
        workflowId: `smoke-day-timer-${randomUUID()}`,
      });
      return { result, wallMs: performance.now() - started };
    });

    expect(result.first).toBe('hello, weft (call 1)');
    expect(result.second).toBe('hello, weft (call 2)');
    expect(result.timerElapsedMs).toBeGreaterThanOrEqual(ONE_DAY_MS);
    expect(result.timerElapsedMs).toBeLessThan(2 * ONE_DAY_MS);
    expect(wallMs).toBeLessThan(WALL_CLOCK_BOUND_MS);
  });
});
