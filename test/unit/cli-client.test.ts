/**
 * The client's pure edges: Temporal errors translated into messages that say what to do, Web UI
 * links, and the progress and result lines `weft run` prints.
 */
import { ApplicationFailure, NamespaceNotFoundError, WorkflowNotFoundError } from '@temporalio/common';
import { WorkflowExecutionAlreadyStartedError, WorkflowFailedError, WorkflowUpdateFailedError } from '@temporalio/client';
import { describe, expect, it } from 'vitest';
import { translateError } from '../../src/client/errors.js';
import { taskUrl, uiBase } from '../../src/client/ui.js';
import { attemptLine, childrenLine, resultSummary, stepLine } from '../../src/cli/progress.js';
import { loadConfig } from '../../src/config.js';
import { newStepRecord, TEMPLATE_PROVENANCE, type StepRecord } from '../../src/core/steps.js';
import type { PlanningAttempt, TaskResult } from '../../workflows/definitions.js';

const config = loadConfig({ TEMPORAL_ADDRESS: '10.1.2.3:7233', TEMPORAL_NAMESPACE: 'ops', WEFT_TASK_QUEUE: 'q1' });

describe('translateError', () => {
  const ctx = { config, workflowId: 'order-triage-1' };

  it('workflow not found → no task <id> in namespace <ns>', () => {
    const e = translateError(new WorkflowNotFoundError('not found', 'order-triage-1', undefined), ctx);
    expect(e.code).toBe('TASK_NOT_FOUND');
    expect(e.message).toMatch(/^no task order-triage-1 in namespace ops: /);
  });

  it('an update to a closed task says it closed, not that it is missing', () => {
    const e = translateError(new WorkflowNotFoundError('workflow execution already completed', 'order-triage-1', undefined), ctx);
    expect(e.code).toBe('TASK_CLOSED');
    expect(e.message).toContain('has already closed');
  });

  it("an update validator's rejection → its message", () => {
    const cause = ApplicationFailure.create({ type: 'STEP_NOT_PARKED', message: "Step 'x' is completed, not parked. Parked steps: (none)." });
    const e = translateError(new WorkflowUpdateFailedError('Workflow Update failed', cause), ctx);
    expect(e.code).toBe('REJECTED');
    expect(e.message).toBe("STEP_NOT_PARKED: Step 'x' is completed, not parked. Parked steps: (none).");
  });

  it('connection refused → how to start Temporal or where to point it', () => {
    const refused = Object.assign(new Error('14 UNAVAILABLE: No connection established. Last error: connect ECONNREFUSED 10.1.2.3:7233'), { code: 14, details: '', metadata: {} });
    const e = translateError(refused, ctx);
    expect(e.code).toBe('TEMPORAL_UNREACHABLE');
    expect(e.message).toBe('cannot reach Temporal at 10.1.2.3:7233: start one with `npx weft dev-server start`, or set TEMPORAL_ADDRESS to your cluster');
    expect(translateError(new Error('tcp connect error: Connection refused (os error 111)'), ctx).code).toBe('TEMPORAL_UNREACHABLE');
  });

  it('a query deadline → start a worker on the task queue', () => {
    const deadline = Object.assign(new Error('4 DEADLINE_EXCEEDED: Deadline exceeded'), { code: 4, details: 'Deadline exceeded', metadata: {} });
    const e = translateError(deadline, { ...ctx, queryTimeoutMs: 10_000 });
    expect(e.code).toBe('NO_WORKER');
    expect(e.message).toBe('no worker answered for task order-triage-1 within 10s: start one with `weft worker` (task queue q1, namespace ops)');
  });

  it('namespace, duplicate ID and task failure each say what to do', () => {
    expect(translateError(new NamespaceNotFoundError('ops'), ctx).message).toContain('set TEMPORAL_NAMESPACE');
    expect(translateError(new WorkflowExecutionAlreadyStartedError('exists', 'order-triage-1', 'weftTask'), ctx).message).toContain('choose another ID');
    const failed = new WorkflowFailedError('Workflow execution failed', ApplicationFailure.create({ type: 'STEP_FAILED', message: "Step 'load_orders' failed" }), 'NON_RETRYABLE_FAILURE');
    const e = translateError(failed, ctx);
    expect(e.code).toBe('TASK_FAILED');
    expect(e.message).toBe("task order-triage-1 failed: STEP_FAILED: Step 'load_orders' failed");
  });
});

describe('Web UI links', () => {
  it('default to the TEMPORAL_ADDRESS host on port 8233', () => {
    expect(uiBase(config, {})).toBe('http://10.1.2.3:8233');
    expect(uiBase(loadConfig({ TEMPORAL_ADDRESS: '0.0.0.0:7233' }), {})).toBe('http://127.0.0.1:8233');
    expect(uiBase(config, { WEFT_TEMPORAL_UI_PORT: '18233' })).toBe('http://10.1.2.3:18233');
  });

  it('take WEFT_UI_URL, and reject a value that is not an http URL, naming it', () => {
    expect(uiBase(config, { WEFT_UI_URL: 'https://temporal.example.com/ui/' })).toBe('https://temporal.example.com/ui');
    expect(() => uiBase(config, { WEFT_UI_URL: 'temporal:8233' })).toThrow(/WEFT_UI_URL='temporal:8233' must be an http or https URL/);
    expect(() => uiBase(config, { WEFT_UI_URL: 'not a url' })).toThrow(/WEFT_UI_URL='not a url' is not a URL/);
  });

  it('point at the workflow page of the namespace', () => {
    expect(taskUrl('http://127.0.0.1:8233', 'default', 'order-triage-1a2b')).toBe('http://127.0.0.1:8233/namespaces/default/workflows/order-triage-1a2b');
    expect(taskUrl('http://h:1', 'a b', 'x/y')).toBe('http://h:1/namespaces/a%20b/workflows/x%2Fy');
  });
});

describe('progress lines', () => {
  const planned = (patch: Partial<StepRecord>): StepRecord => ({
    ...newStepRecord({
      name: 'valid_orders',
      kind: 'planned',
      handler: 'validate',
      dependencies: [],
      provenance: { createdBy: 'planning_step', planningStep: 'plan_processing', fragmentId: 'plan_processing:p1:abcd', planningPhase: 1, planningReasoning: 'drop malformed rows' },
    }),
    ...patch,
  });

  it('show provenance on a step’s first line, duration and size when it completes', () => {
    expect(stepLine(planned({ state: 'running', startedAtMs: 1000 }), true, 'wf')).toBe(
      'running    validate · planned by plan_processing (phase 1, plan_processing:p1:abcd) · drop malformed rows',
    );
    expect(stepLine(planned({ state: 'completed', startedAtMs: 1000, finishedAtMs: 3500, outputBytes: 2048 }), false, 'wf')).toBe('completed  2.5s, 2.0 KB');
  });

  it('say how to resolve a parked step and a waiting gate', () => {
    const parked = stepLine(planned({ state: 'parked', error: { type: 'VALIDATION_FAILED', message: 'rows do not match' } }), false, 'wf-1');
    expect(parked).toContain('VALIDATION_FAILED: rows do not match');
    expect(parked).toContain('resolve with: weft dlq retry|skip|fail wf-1 valid_orders');
    const gate = newStepRecord({ name: 'approve', kind: 'planned', handler: 'gate', dependencies: [], provenance: TEMPLATE_PROVENANCE });
    expect(stepLine({ ...gate, state: 'running' }, true, 'wf-1')).toContain('weft gate approve|reject wf-1 approve');
  });

  it("count a fan-out's children in one line, in lifecycle order", () => {
    const child = (state: StepRecord['state']): StepRecord => planned({ state, spawnedBy: 'fan' });
    expect(childrenLine([child('completed'), child('running'), child('pending'), child('pending'), child('failed')])).toBe(
      'children  1/5 completed, 1 running, 2 pending, 1 failed',
    );
    expect(childrenLine([child('pending'), child('pending')])).toBe('children  0/2 completed, 2 pending');
  });

  it('summarize planning attempts with their diagnostic codes', () => {
    const base = { planningStep: 'plan_processing', phase: 1, attempt: 2, source: 'planner', planner: 'scripted', diagnostics: [], error: null } as unknown as PlanningAttempt;
    expect(attemptLine({ ...base, accepted: true, fragmentId: 'p:1', fragment: { steps: [{}, {}], next: 'done' } } as unknown as PlanningAttempt)).toBe(
      'fragment accepted: 2 steps, next "done" (scripted, phase 1, attempt 2, p:1)',
    );
    const rejected = { ...base, accepted: false, diagnostics: [{ code: 'HANDLER_UNKNOWN' }, { code: 'HANDLER_UNKNOWN' }, { code: 'LIMIT_DEPTH' }] } as unknown as PlanningAttempt;
    expect(attemptLine(rejected)).toBe('fragment rejected (scripted, phase 1, attempt 2): 3 diagnostics: HANDLER_UNKNOWN, LIMIT_DEPTH');
  });

  it('show failed provider calls on the attempt, each try with its status', () => {
    const call = (errorType: string, status: number | null) => ({ errorType, status, message: 'm', model: 'claude-sonnet-4-6', latencyMs: 5, inputTokens: 0, outputTokens: 0, activityAttempt: 1 });
    const base = { planningStep: 'plan', phase: 1, attempt: 1, source: 'planner', planner: 'anthropic', diagnostics: [] } as unknown as PlanningAttempt;
    const failed = { ...base, accepted: false, error: { type: 'PROVIDER_AUTH', message: 'Not retried.' }, failedCalls: [call('PROVIDER_UNAVAILABLE', null), call('PROVIDER_AUTH', 401)] } as unknown as PlanningAttempt;
    expect(attemptLine(failed)).toBe('planner failed (anthropic, phase 1, attempt 1; 2 failed provider calls: PROVIDER_UNAVAILABLE, 401): PROVIDER_AUTH: Not retried.');
    const after429 = { ...base, accepted: true, error: null, fragmentId: 'p:1', fragment: { steps: [{}], next: 'done' }, failedCalls: [call('PROVIDER_RATE_LIMITED', 429)] } as unknown as PlanningAttempt;
    expect(attemptLine(after429)).toBe('fragment accepted: 1 step, next "done" (anthropic, phase 1, attempt 1; 1 failed provider call: 429, p:1)');
  });

  it('print the result with partial, reason and the budget line', () => {
    const result = {
      template: 'order-triage',
      version: '1.0.0',
      hash: 'h',
      result: { ok: true },
      outputs: {},
      partial: true,
      reason: 'All 2 planning phases are used; converging with the results so far.',
      budget: { limits: { maxSteps: 40, maxPlanningPhases: 2, maxLlmCalls: 8, maxCostUsd: 2, maxWallTimeMs: 1 }, used: { steps: 12, planningPhases: 2, llmCalls: 0, costUsd: 0 }, startedAtMs: 0, exhausted: null },
      steps: { total: 12, template: 4, planned: 8 },
    } satisfies TaskResult;
    expect(resultSummary(result, 1500)).toEqual([
      'completed order-triage@1.0.0 in 1.5s: 12 steps (4 from the template, 8 planned)',
      '  partial: yes: All 2 planning phases are used; converging with the results so far.',
      '  budget:  12/40 steps, 2/2 phases, 0/8 LLM calls, $0.00/$2.00',
      '  result:  {"ok":true}',
    ]);
  });
});
