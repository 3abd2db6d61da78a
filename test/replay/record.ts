/**
 * Records histories for the replay tests:
 *
 *   npx tsx test/replay/record.ts              # all of them
 *   npx tsx test/replay/record.ts fan-out      # only test/replay/histories/fan-out.json
 *
 * Run it only when a workflow change is meant to break replay (and then ship the change behind
 * `patched()` so runs in flight keep replaying), or to add a history for new workflow code. It runs
 * in the time-skipping environment and writes each history as JSON under test/replay/histories/
 * (a history whose commands name its workflow ID — slices' child IDs — needs its ID in
 * `histories/workflow-ids.json`):
 * - `order-triage`: the example, planned by its scripted planner;
 * - `fan-out`: a fan-out of stored items whose partitions fail, park the fan-out, and are re-run
 *   by an operator's retry (children, the count activity, parking and the retry path);
 * - `operator-history`: with patch `weft-10-operator-history`: a rejected attempt re-planned, a
 *   step parked on its labelled timer and skipped by an operator, a gate approved on its timer;
 * - `guarded-validation`: a planner whose first fragment nests 3,000 levels deep (rejected with
 *   FRAGMENT_TOO_DEEP through the `weft-13-validation-guard` patch) and whose second is valid;
 * - `slices` (with `slices-slice-parked`, `slices-slice-fan-out`: two of its child workflows'
 *   histories): a planned DAG and a fan-out past a lowered inline limit running in slices, a step
 *   parked inside a slice and retried through the task (patch `weft-12-slices`);
 * - `continue-as-new-first-run`, `continue-as-new-last-run`: four planning phases in runs of about
 *   30 events (patch `weft-12-continue-as-new`);
 * - `failed-provider-calls`: the Claude planner against the loopback Messages API, which answers
 *   429, then 500 past the activity's retries (charged through `weft-13-failed-call-accounting`),
 *   then a valid fragment on the next attempt;
 * - `issue-12-steps`: with patches `weft-12-heartbeat-timeout` and `weft-12-batched-provenance`:
 *   parallel steps, a fan-out, a step parked and retried by an operator.
 */
import { writeFile } from 'node:fs/promises';
import { historyToJSON } from '@temporalio/common/lib/proto-utils.js';
import type { WorkflowHandle } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { weftTask } from '../../workflows/task.js';
import { gateUpdate, operateUpdate } from '../../workflows/definitions.js';
import { startAnthropicServer } from '../support/anthropic-server.js';
import { anthropicPlanner } from '../../src/planner/anthropic.js';
import { createWeftWorker } from '../../src/worker.js';
import { scriptedPlanner } from '../../src/planner/scripted.js';
import { registry } from '../../examples/registry.js';
import { startTimeSkippingEnv } from '../support/environments.js';
import { bundle, fragment, runTask, step, testTemplate, waitForStep } from '../support/engine.js';
import { failTimes } from '../support/test-handlers.js';

async function save(name: string, handle: WorkflowHandle): Promise<void> {
  const history = await handle.fetchHistory();
  const path = new URL(`./histories/${name}.json`, import.meta.url);
  await writeFile(path, historyToJSON(history) + '\n');
  console.log(`wrote ${path.pathname} (${history.events?.length ?? 0} events)`);
}

const recordings: Record<string, (env: TestWorkflowEnvironment) => Promise<void>> = {
  async 'order-triage'(env) {
    const taskQueue = 'replay-record';
    const worker = await createWeftWorker({ connection: env.nativeConnection, taskQueue, handlers: registry.handlers, templates: registry.templates, planner: registry.planner! });
    await worker.runUntil(async () => {
      const handle = await env.client.workflow.start(weftTask, { taskQueue, workflowId: 'replay-order-triage', args: [{ template: 'order-triage', input: { report_dir: '.weft/replay-reports' } }] });
      await handle.result();
      await save('order-triage', handle);
    });
  },
  async 'fan-out'(env) {
    const workflowId = 'replay-fan-out';
    failTimes(workflowId, 'fan[1]', 2);
    failTimes(workflowId, 'fan[4]', 2);
    const { handle, error } = await runTask({
      env,
      workflowBundle: await bundle(),
      workflowId,
      template: testTemplate({ stepFailure: { onExhausted: 'park', retry: { maximumAttempts: 2, initialIntervalMs: 10 } } }, { maxSteps: 40 }),
      planner: scriptedPlanner(() =>
        fragment([
          step('make', 'make_rows', { count: 2000 }),
          step('fan', 'fan_out', { items: '${steps.make.output.rows}', handler: 'batch_echo', partition_size: 250, concurrency: 3, on_failure: 'continue' }, ['make']),
          step('after', 'add', { values: ['${steps.fan.output.succeeded}'] }, ['fan']),
        ]),
      ),
      during: async (h) => {
        await waitForStep(h, 'fan', 'parked');
        await h.executeUpdate(operateUpdate, { args: [{ step: 'fan', action: 'retry', by: 'recorder' }] });
      },
    });
    if (error) throw error;
    await save('fan-out', handle);
  },
  async 'operator-history'(env) {
    const workflowId = 'replay-operator-history';
    failTimes(workflowId, 'broken', 100);
    const { handle, error } = await runTask({
      env,
      workflowBundle: await bundle(),
      workflowId,
      template: testTemplate({ stepFailure: { onExhausted: 'park', retry: { maximumAttempts: 1 } } }),
      planner: scriptedPlanner((req) =>
        req.attempt === 1
          ? fragment([step('fetch', 'http_get', { url: 'x' })])
          : fragment([
              step('broken', 'flaky', { label: 'b' }),
              step('approval', 'gate', { prompt: 'go on?' }),
              step('after', 'add', { values: [1, 2] }, ['broken', 'approval']),
            ]),
      ),
      during: async (h) => {
        await waitForStep(h, 'broken', 'parked');
        await h.executeUpdate(operateUpdate, { args: [{ step: 'broken', action: 'skip', output: { ok: true, label: 'given' }, by: 'recorder', reason: 'known bad row' }] });
        await waitForStep(h, 'approval', 'running');
        await h.executeUpdate(gateUpdate, { args: [{ step: 'approval', decision: 'approve', by: 'recorder' }] });
      },
    });
    if (error) throw error;
    await save('operator-history', handle);
  },
  async 'failed-provider-calls'(env) {
    const server = await startAnthropicServer();
    try {
      server.script({ status: 429, headers: { 'retry-after': '1' } }, { status: 500 }, { fragment: fragment([step('double_seed', 'add', { values: ['${steps.seed.output.value}', '${steps.seed.output.value}'] }, ['seed'])]) });
      const { handle, error } = await runTask({
        env,
        workflowBundle: await bundle(),
        workflowId: 'replay-failed-provider-calls',
        template: testTemplate({ failure: { retry: { maximumAttempts: 2, initialIntervalMs: 10 } }, maxAttempts: 2, onExhausted: 'park' }),
        planner: anthropicPlanner({ apiKey: 'sk-test', baseURL: server.baseURL, maxRetries: 0, timeoutMs: 5000, env: {} }),
        during: async (h) => {
          await waitForStep(h, 'plan', 'parked');
          await h.executeUpdate(operateUpdate, { args: [{ step: 'plan', action: 'retry', by: 'recorder' }] });
        },
      });
      if (error) throw error;
      await save('failed-provider-calls', handle);
    } finally {
      await server.close();
    }
  },
  async 'guarded-validation'(env) {
    const workflowId = 'replay-guarded-validation';
    let deep: unknown = [];
    for (let i = 1; i < 3_000; i++) deep = [deep];
    const { handle, error } = await runTask({
      env,
      workflowBundle: await bundle(),
      workflowId,
      template: testTemplate(),
      planner: scriptedPlanner((req) =>
        req.attempt === 1
          ? fragment([step('deep', 'add', { values: deep as number[] })])
          : fragment([step('double_seed', 'add', { values: ['${steps.seed.output.value}', '${steps.seed.output.value}'] }, ['seed'])]),
      ),
    });
    if (error) throw error;
    await save('guarded-validation', handle);
  },
  async slices(env) {
    // Patch weft-12-slices: a planned DAG past the (lowered) inline limit runs in three slices;
    // a step parks inside the second and an operator retries it through the task; a fan-out in
    // the same fragment runs its partitions in slices of its own and joins their results.
    const workflowId = 'replay-slices';
    failTimes(workflowId, 'p12', 100);
    const { handle, error } = await runTask({
      env,
      workflowBundle: await bundle(),
      workflowId,
      limits: { stepsInline: 5, stepsPerSlice: 10 },
      template: testTemplate({ maxSteps: 60, maxDepth: 40, stepFailure: { onExhausted: 'park', retry: { maximumAttempts: 1 } } }, { maxSteps: 100 }),
      planner: scriptedPlanner(() =>
        fragment([
          step('rows', 'make_rows', { count: 50 }),
          ...Array.from({ length: 24 }, (_, i) => step(`p${i}`, 'flaky', { label: `p${i}` })),
          step('fan', 'fan_out', { items: '${steps.rows.output.rows}', handler: 'batch_echo', partition_size: 4, concurrency: 4 }, ['rows']),
          step('sum', 'sum_rows', { rows: '${steps.rows.output.rows}' }, ['rows', 'p23']),
        ]),
      ),
      during: async (h) => {
        await waitForStep(h, 'p12', 'parked');
        failTimes(workflowId, 'p12', 0);
        await h.executeUpdate(operateUpdate, { args: [{ step: 'p12', action: 'retry', by: 'recorder' }] });
      },
    });
    if (error) throw error;
    await save('slices', handle);
    await save('slices-slice-parked', env.client.workflow.getHandle(`${workflowId}/plan#1`));
    await save('slices-slice-fan-out', env.client.workflow.getHandle(`${workflowId}/fan#0`));
  },
  async 'continue-as-new'(env) {
    // Patch weft-12-continue-as-new: four planning phases in runs of about 30 events.
    const workflowId = 'replay-continue-as-new';
    const { handle, error } = await runTask({
      env,
      workflowBundle: await bundle(),
      workflowId,
      limits: { eventsPerRun: 30 },
      template: testTemplate({ maxPhases: 4 }),
      planner: scriptedPlanner((req) => {
        const p = req.phase;
        const prev = p === 1 ? 1 : `\${steps.b${p - 1}.output.value}`;
        return fragment([step(`a${p}`, 'add', { values: [prev, 1] }), step(`b${p}`, 'add', { values: [`\${steps.a${p}.output.value}`, 10] }, [`a${p}`])], p < 4 ? 'replan' : 'done');
      }),
    });
    if (error) throw error;
    const latest = await handle.describe();
    let events = (await env.client.workflow.getHandle(workflowId, latest.runId).fetchHistory()).events ?? [];
    let first = latest.runId;
    for (;;) {
      const previous = events[0]?.workflowExecutionStartedEventAttributes?.continuedExecutionRunId;
      if (!previous) break;
      first = previous;
      events = (await env.client.workflow.getHandle(workflowId, previous).fetchHistory()).events ?? [];
    }
    await save('continue-as-new-first-run', env.client.workflow.getHandle(workflowId, first));
    await save('continue-as-new-last-run', env.client.workflow.getHandle(workflowId, latest.runId));
  },
  async 'issue-12-steps'(env) {
    // Patches weft-12-heartbeat-timeout (a step's own heartbeat timeout) and weft-12-batched-provenance
    // (steps publish only current details): parallel steps, a fan-out, and a step parked and retried.
    const workflowId = 'replay-issue-12-steps';
    failTimes(workflowId, 'shaky', 2);
    const { handle, error } = await runTask({
      env,
      workflowBundle: await bundle(),
      workflowId,
      template: testTemplate({ maxSteps: 20, concurrency: 4, stepFailure: { onExhausted: 'park', heartbeatTimeoutMs: 5_000, retry: { maximumAttempts: 2, initialIntervalMs: 10 } } }, { maxSteps: 40 }),
      planner: scriptedPlanner(() =>
        fragment([
          ...Array.from({ length: 8 }, (_, i) => step(`a${i}`, 'add', { values: [i, 1] })),
          step('shaky', 'flaky', { label: 's' }),
          step('make', 'make_rows', { count: 4 }),
          step('fan', 'fan_out', { items: '${steps.make.output.rows}', handler: 'batch_echo', partition_size: 1, concurrency: 2 }, ['make']),
          step('after', 'add', { values: ['${steps.a0.output.value}', '${steps.fan.output.succeeded}'] }, ['a0', 'fan', 'shaky']),
        ]),
      ),
      during: async (h) => {
        await waitForStep(h, 'shaky', 'parked');
        await h.executeUpdate(operateUpdate, { args: [{ step: 'shaky', action: 'retry', by: 'recorder' }] });
      },
    });
    if (error) throw error;
    await save('issue-12-steps', handle);
  },
};

const wanted = process.argv.slice(2);
for (const name of wanted) if (!(name in recordings)) throw new Error(`No recording '${name}'; choose from ${Object.keys(recordings).join(', ')}.`);
const env = await startTimeSkippingEnv();
try {
  for (const [name, record] of Object.entries(recordings)) if (wanted.length === 0 || wanted.includes(name)) await record(env);
} finally {
  await env.teardown();
}
