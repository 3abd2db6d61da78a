/**
 * Testing templates and handlers in Temporal's time-skipping environment, from the Temporal
 * servers weft builds into its cache (`npx weft dev-server build`; built on first use when
 * missing). Needs `@temporalio/testing` beside weft (`npm i -D @temporalio/testing@1.24.0`).
 *
 * @example
 * import { WeftTestEnv, fragment, step } from '@weftworks/weft/testing';
 * import { scriptedPlanner } from '@weftworks/weft/planner';
 * import registry from '../src/registry.js';
 *
 * const env = await WeftTestEnv.create();
 * const run = await env.runTask({ ...registry, template: 'greetings', input: { who: 'Ada' },
 *   planner: scriptedPlanner([fragment([step('hello', 'greet', { who: '${task.input.who}' })])]) });
 * console.log(run.result?.outputs, run.steps.map((s) => `${s.name} ${s.state}`));
 * await env.teardown();
 */
export { WeftTestEnv, runTask } from './run.js';
export type { RunTaskOptions, TaskHandle, TaskRunOutcome } from './run.js';
export { fragment, step } from './fragments.js';
export { startDevServerEnv, startTimeSkippingEnv, TEST_NAMESPACE } from './environments.js';
export { ensureTemporalServer, temporalPaths } from './servers.js';
export type { TemporalPaths, TemporalServer } from './servers.js';
export { scriptedPlanner } from '../planner/scripted.js';
export type { TaskResult, StepDetail, BudgetView, PlanningAttempt } from '../../workflows/definitions.js';
