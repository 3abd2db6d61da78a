/**
 * The generic workflow in Temporal's time-skipping environment: re-planning with diagnostics,
 * exhausted attempts (fail and park), multi-phase planning, budget exhaustion, parking with
 * operator retry and skip, gates with timeouts, and the concurrency limit.
 */
import { describe, expect, it } from 'vitest';
import { scriptedPlanner } from '../../src/planner/scripted.js';
import { ApplicationFailure } from '@temporalio/common';
import type { Planner, PlanningRequest } from '../../src/planner/types.js';
import { gateUpdate, operateUpdate } from '../../workflows/definitions.js';
import { fragment, runTask, step, testTemplate, updateRejection, waitForStep } from '../support/engine.js';
import { useTimeSkippingEngine } from '../support/suite.js';
import { concurrencyOf, failTimes } from '../support/test-handlers.js';

const engine = useTimeSkippingEngine();

const sumFragment = fragment([
  step('double_seed', 'add', { values: ['${steps.seed.output.value}', '${steps.seed.output.value}'] }, ['seed']),
  step('plus_ten', 'add', { values: ['${steps.double_seed.output.value}', 10] }, ['double_seed']),
]);

describe('planning and re-planning', () => {
  it('re-plans an invalid fragment with its diagnostics and then runs the valid one', async () => {
    const requests: PlanningRequest[] = [];
    const invalid = fragment([step('fetch', 'http_get', { url: 'x' }), step('Bad Name', 'add', { values: [1] })]);
    const planner = scriptedPlanner((req) => {
      requests.push(req);
      return req.attempt === 1 ? invalid : sumFragment;
    });
    const { result, planning, steps, searchAttributes } = await runTask({ ...engine, template: testTemplate(), planner, input: { n: 4 } });
    expect(result?.result).toMatchObject({ keys: ['plus_ten'], partial: false, results: { plus_ten: { value: 18 } } });
    expect(requests).toHaveLength(2);
    const codes = requests[1]!.failures[0]!.diagnostics.map((d) => d.code);
    expect(codes).toEqual(expect.arrayContaining(['HANDLER_UNKNOWN', 'STEP_NAME_INVALID']));
    const attempts = planning;
    expect(attempts.map((a) => [a.attempt, a.accepted])).toEqual([[1, false], [2, true]]);
    // the planner saw exactly the diagnostics recorded for the rejected attempt
    expect(requests[1]!.failures[0]!.diagnostics).toEqual(attempts[0]!.diagnostics);
    expect(attempts[1]!.fragmentId).toMatch(/^plan:p1:[0-9a-f]{8}$/);
    const planned = steps.find((s) => s.name === 'plus_ten')!;
    expect(planned.provenance).toMatchObject({ createdBy: 'planning_step', planningStep: 'plan', planningPhase: 1, fragmentId: attempts[1]!.fragmentId });
    expect(steps.find((s) => s.name === 'seed')!.provenance.createdBy).toBe('template');
    expect(searchAttributes['WeftValidationFailures']).toEqual([1]);
    expect(searchAttributes['WeftCreatedBy']).toEqual(['planning_step', 'template']);
  });

  it('fails the task when attempts are exhausted and onExhausted is fail', async () => {
    const bad = fragment([step('x', 'nope', {})]);
    const { error, planning: attempts } = await runTask({ ...engine, template: testTemplate({ maxAttempts: 2 }), planner: scriptedPlanner(() => bad) });
    expect(error).not.toBeNull();
    expect(String((error as Error & { cause?: Error }).cause?.message)).toMatch(/Step 'plan' \(planner, template\) failed: PLANNING_EXHAUSTED/);
    expect(attempts).toHaveLength(2);
    expect(attempts.every((a) => !a.accepted && a.diagnostics[0]?.code === 'HANDLER_UNKNOWN')).toBe(true);
  });

  it('uses the fallback fragment when attempts are exhausted', async () => {
    const bad = fragment([step('x', 'nope', {})]);
    const template = testTemplate({ maxAttempts: 2, fallback: sumFragment });
    const { result, planning: attempts } = await runTask({ ...engine, template, planner: scriptedPlanner(() => bad), input: { n: 1 } });
    expect(result?.outputs['converge']).toMatchObject({ results: { plus_ten: { value: 12 } } });
    expect(attempts.map((a) => `${a.source}:${a.accepted}`)).toEqual(['planner:false', 'planner:false', 'fallback:true']);
  });

  it('parks the planning step when attempts are exhausted, and an operator retry plans again', async () => {
    let calls = 0;
    const planner = scriptedPlanner(() => (++calls <= 2 ? fragment([step('x', 'nope', {})]) : sumFragment));
    const template = testTemplate({ maxAttempts: 2, onExhausted: 'park' });
    const { result, steps } = await runTask({
      ...engine,
      template,
      planner,
      during: async (h) => {
        await waitForStep(h, 'plan', 'parked');
        const desc = await h.describe();
        expect(desc.searchAttributes['WeftState']).toEqual(['parked']);
        await h.executeUpdate(operateUpdate, { args: [{ step: 'plan', action: 'retry', by: 'tester' }] });
      },
    });
    expect(result?.outputs['converge']).toMatchObject({ keys: ['plus_ten'] });
    const plan = steps.find((s) => s.name === 'plan')!;
    expect(plan.operatorAction).toBe('retry by tester');
    expect(calls).toBe(3);
  });
});

describe('multi-phase planning and budgets', () => {
  it('plans a second phase that sees the first phase results', async () => {
    const requests: PlanningRequest[] = [];
    const planner = scriptedPlanner((req) => {
      requests.push(req);
      if (req.phase === 1) return fragment([step('first', 'add', { values: ['${steps.seed.output.value}', 1] }, ['seed'])], 'replan');
      return fragment([step('second', 'add', { values: ['${steps.first.output.value}', 100] }, ['first'])]);
    });
    const { result, budget, searchAttributes } = await runTask({ ...engine, template: testTemplate({ maxPhases: 3 }), planner, input: { n: 2 } });
    expect(result?.outputs['converge']).toMatchObject({ keys: ['first', 'second'], results: { first: { value: 3 }, second: { value: 103 } } });
    expect(requests.map((r) => r.phase)).toEqual([1, 2]);
    expect(requests[1]!.results.find((r) => r.step === 'first')).toMatchObject({ mode: 'verbatim', value: { value: 3 } });
    expect(requests[1]!.constraints.reservedNames).toContain('first');
    expect(budget.ledger.used).toMatchObject({ planningPhases: 2, steps: 3 + 2 });
    expect(searchAttributes['WeftPlanningPhases']).toEqual([2]);
    expect(searchAttributes['WeftFragments']).toHaveLength(2);
  });

  it('converges with partial results when the wall-time budget runs out', async () => {
    const planner = scriptedPlanner(() =>
      fragment([
        step('quick', 'add', { values: [1, 2] }),
        step('wait_for_human', 'gate', { prompt: 'ok?', timeout_ms: 2 * 24 * 3600_000, on_timeout: 'approve' }),
        step('after_gate', 'add', { values: [1] }, ['wait_for_human']),
      ]),
    );
    const template = testTemplate({}, { maxWallTimeMs: 3600_000 });
    const started = Date.now();
    const { result, steps, searchAttributes } = await runTask({ ...engine, template, planner });
    expect(Date.now() - started).toBeLessThan(60_000);
    expect(result?.partial).toBe(true);
    expect(result?.budget.exhausted?.dimension).toBe('wall_time');
    expect(result?.outputs['converge']).toMatchObject({ partial: true, keys: ['quick'] });
    expect(steps.find((s) => s.name === 'wait_for_human')?.state).toBe('cancelled');
    expect(steps.find((s) => s.name === 'after_gate')?.state).toBe('cancelled');
    expect(searchAttributes['WeftBudgetExhausted']).toEqual([true]);
  });

  it('converges with partial results when the planner declines a call that would exceed the cost budget', async () => {
    let calls = 0;
    const planner: Planner = {
      name: 'pricey',
      plan: (req) => {
        calls++;
        if (req.phase === 1) {
          return Promise.resolve({ output: fragment([step('first', 'add', { values: [1, 2] })], 'replan'), planner: 'pricey', model: 'm', inputTokens: 10, outputTokens: 5, costUsd: 0.4, latencyMs: 1, llmCalls: 1, prompt: 'p' });
        }
        return Promise.reject(
          ApplicationFailure.create({ type: 'BUDGET_COST', nonRetryable: true, message: `The next planning call would cost about $0.40, more than the $${req.constraints.remaining.costUsd.toFixed(2)} that remains.` }),
        );
      },
    };
    const { result, planning, searchAttributes } = await runTask({ ...engine, template: testTemplate({ maxPhases: 3 }, { maxCostUsd: 0.5 }), planner });
    expect(calls).toBe(2);
    expect(result?.partial).toBe(true);
    expect(result?.budget.exhausted?.dimension).toBe('cost_usd');
    expect(result?.reason).toMatch(/would cost about \$0\.40, more than the \$0\.10 that remains\. Converging/);
    expect(result?.outputs['converge']).toMatchObject({ keys: ['first'], partial: true });
    expect(planning.map((p) => [p.phase, p.accepted, p.error?.type ?? null])).toEqual([[1, true, null], [2, false, 'BUDGET_COST']]);
    expect(searchAttributes['WeftCostUsd']).toEqual([0.4]);
  });

  it('rejects a fragment over the remaining step budget with BUDGET_STEPS', async () => {
    const big = fragment(Array.from({ length: 5 }, (_, i) => step(`s${i}`, 'add', { values: [i] })));
    const small = fragment([step('only', 'add', { values: [1] })]);
    const planner = scriptedPlanner((req) => (req.attempt === 1 ? big : small));
    // frame of 3 + 5 planned > 6
    const { result, planning: attempts } = await runTask({ ...engine, template: testTemplate({}, { maxSteps: 6 }), planner });
    expect(result?.outputs['converge']).toMatchObject({ keys: ['only'] });
    expect(attempts[0]!.diagnostics.map((d) => d.code)).toContain('BUDGET_STEPS');
  });
});

describe('failures, parking and gates', () => {
  it('parks a failed planned step; an operator retry completes it', async () => {
    const planner = scriptedPlanner(() => fragment([step('wobbly', 'flaky', { label: 'w' }), step('after', 'add', { values: [1] }, ['wobbly'])]));
    const template = testTemplate({ stepFailure: { onExhausted: 'park', retry: { maximumAttempts: 2, initialIntervalMs: 10 } } });
    const workflowId = `park-retry-${Date.now()}`;
    failTimes(workflowId, 'wobbly', 3);
    const { result, steps: finalSteps } = await runTask({
      ...engine,
      template,
      planner,
      workflowId,
      during: async (h) => {
        const steps = await waitForStep(h, 'wobbly', 'parked');
        expect(steps.find((x) => x.name === 'wobbly')!.error).toMatchObject({ type: 'FLAKY_FAILURE' });
        const rejected = await updateRejection(h.executeUpdate(operateUpdate, { args: [{ step: 'after', action: 'retry' }] }));
        expect(rejected.type).toBe('STEP_NOT_PARKED');
        expect(rejected.message).toMatch(/is pending, not parked\. Parked steps: wobbly\./);
        await h.executeUpdate(operateUpdate, { args: [{ step: 'wobbly', action: 'retry' }] });
      },
    });
    expect(result?.outputs['converge']).toMatchObject({ keys: ['after'] });
    const wobbly = finalSteps.find((s) => s.name === 'wobbly')!;
    expect(wobbly).toMatchObject({ state: 'completed', executions: 2, operatorAction: 'retry' });
  });

  it('parks a failed step; skip with an output feeds downstream steps, and a bad output is refused', async () => {
    const planner = scriptedPlanner(() =>
      fragment([step('broken', 'flaky', { label: 'b' }), step('after', 'add', { values: [1] }, ['broken'])]),
    );
    const template = testTemplate({ stepFailure: { onExhausted: 'park', retry: { maximumAttempts: 1 } } });
    const workflowId = `park-skip-${Date.now()}`;
    failTimes(workflowId, 'broken', 100);
    const { result, details } = await runTask({
      ...engine,
      template,
      planner,
      workflowId,
      during: async (h) => {
        await waitForStep(h, 'broken', 'parked');
        const rejected = await updateRejection(h.executeUpdate(operateUpdate, { args: [{ step: 'broken', action: 'skip', output: { ok: 'yes' } }] }));
        expect(rejected.type).toBe('SKIP_OUTPUT_INVALID');
        expect(rejected.message).toMatch(/does not fit the output schema of 'flaky'/);
        await h.executeUpdate(operateUpdate, { args: [{ step: 'broken', action: 'skip', output: { ok: true, label: 'given' }, by: 'op' }] });
      },
    });
    expect(result?.outputs['converge']).toMatchObject({ keys: ['after'] });
    const broken = details['broken'];
    expect(broken?.record.state).toBe('skipped');
    expect(broken?.output).toEqual({ ok: true, label: 'given' });
  });

  it('fails the task when a step exhausts its retries under the fail policy', async () => {
    const planner = scriptedPlanner(() => fragment([step('broken', 'flaky', { label: 'b' })]));
    const template = testTemplate({ stepFailure: { retry: { maximumAttempts: 2, initialIntervalMs: 10 } } });
    const workflowId = `fail-${Date.now()}`;
    failTimes(workflowId, 'broken', 100);
    const { error, searchAttributes } = await runTask({ ...engine, template, planner, workflowId });
    expect(String((error as Error & { cause?: Error }).cause?.message)).toMatch(/Step 'broken' \(flaky, planning_step\) failed: FLAKY_FAILURE/);
    expect(searchAttributes['WeftState']).toEqual(['failed']);
  });

  it('a gate times out into its declared outcome, or takes an approval through the update', async () => {
    const gateFragment = fragment([step('approval', 'gate', { prompt: 'ship it?', timeout_ms: 3600_000, on_timeout: 'reject' })]);
    const timedOut = await runTask({ ...engine, template: testTemplate(), planner: scriptedPlanner(() => gateFragment) });
    expect(timedOut.result?.outputs['converge']).toMatchObject({ results: { approval: { outcome: 'timed_out', approved: false } } });

    const approved = await runTask({
      ...engine,
      template: testTemplate(),
      planner: scriptedPlanner(() => gateFragment),
      during: async (h) => {
        await waitForStep(h, 'approval', 'running');
        await h.executeUpdate(gateUpdate, { args: [{ step: 'approval', decision: 'approve', by: 'alice', comment: 'fine' }] });
      },
    });
    expect(approved.result?.outputs['converge']).toMatchObject({ results: { approval: { outcome: 'approved', approved: true, by: 'alice' } } });
  });
});

describe('execution', () => {
  it('honours the concurrency limit and starts steps as soon as their dependencies finish', async () => {
    const steps = Array.from({ length: 6 }, (_, i) => step(`t${i}`, 'tracked', { ms: 150 }));
    // slow → (nothing); fast → after_fast: after_fast must start before slow ends (no level barrier)
    const planner = scriptedPlanner(() =>
      fragment([...steps, step('slow', 'tracked', { ms: 1500 }), step('fast', 'tracked', { ms: 10 }), step('after_fast', 'tracked', { ms: 10 }, ['fast'])]),
    );
    const workflowId = `conc-${Date.now()}`;
    const { result } = await runTask({ ...engine, template: testTemplate({ concurrency: 2 }), planner, workflowId });
    expect(result).not.toBeNull();
    const { max, order } = concurrencyOf(workflowId);
    expect(max).toBe(2);
    expect(order.indexOf('start:after_fast')).toBeLessThan(order.indexOf('end:slow'));
  });
});

describe('large results', () => {
  it('keeps a result over the threshold out of history and still feeds paths into it downstream', async () => {
    const planner = scriptedPlanner(() =>
      fragment([step('make', 'make_rows', { count: 5000 }), step('total', 'sum_rows', { rows: '${steps.make.output.rows}' }, ['make'])]),
    );
    const { result, handle, details, steps } = await runTask({ ...engine, template: testTemplate(), planner });
    expect(result?.outputs['converge']).toMatchObject({ results: { total: { count: 5000, total: (4999 * 5000) / 2 } } });
    expect(details['make']?.output).toMatchObject({ $weft_blob: expect.stringMatching(/^sha256:/) as unknown });
    expect(steps.find((s) => s.name === 'make')?.outputBytes).toBeGreaterThan(32 * 1024);
    const history = await handle.fetchHistory();
    const biggest = Math.max(...(history.events ?? []).map((e) => JSON.stringify(e).length));
    expect(biggest).toBeLessThan(20_000);
  });
});

describe('gates block what depends on them', () => {
  it('skips the dependents of a gate that did not approve, and runs them after an approval', async () => {
    const gated = fragment([
      step('approval', 'gate', { prompt: 'go?', timeout_ms: 3600_000, on_timeout: 'reject' }),
      step('act', 'add', { values: [1, 2] }, ['approval']),
      step('after_act', 'add', { values: ['${steps.act.output.value}', 1] }, ['act']),
      step('independent', 'add', { values: [5] }),
    ]);
    const rejected = await runTask({ ...engine, template: testTemplate(), planner: scriptedPlanner(() => gated) });
    expect(rejected.result?.partial).toBe(false);
    const byName = new Map(rejected.steps.map((s) => [s.name, s]));
    expect(byName.get('act')).toMatchObject({ state: 'skipped', error: { type: 'GATE_REJECTED', message: "Not run: gate 'approval' did not approve." } });
    expect(byName.get('after_act')).toMatchObject({ state: 'skipped', error: { type: 'GATE_REJECTED', message: "Not run: gate 'approval' did not approve." } });
    expect(byName.get('independent')?.state).toBe('completed');

    const approved = await runTask({
      ...engine,
      template: testTemplate(),
      planner: scriptedPlanner(() => gated),
      during: async (h) => {
        await waitForStep(h, 'approval', 'running');
        await h.executeUpdate(gateUpdate, { args: [{ step: 'approval', decision: 'approve', by: 'alice' }] });
      },
    });
    expect(approved.result?.outputs['converge']).toMatchObject({ results: { after_act: { value: 4 } } });
  });

  it('takes a rejection through the update: the gate records who and why, and its dependents are skipped', async () => {
    const gated = fragment([
      step('approval', 'gate', { prompt: 'go?', timeout_ms: 3600_000, on_timeout: 'approve' }),
      step('act', 'add', { values: [1, 2] }, ['approval']),
      step('independent', 'add', { values: [5] }),
    ]);
    const { result, steps, details } = await runTask({
      ...engine,
      template: testTemplate(),
      planner: scriptedPlanner(() => gated),
      during: async (h) => {
        await waitForStep(h, 'approval', 'running');
        const answer = await h.executeUpdate(gateUpdate, { args: [{ step: 'approval', decision: 'reject', by: 'bob', comment: 'not this week' }] });
        expect(answer).toEqual({ step: 'approval', outcome: 'rejected' });
      },
    });
    // on_timeout 'approve' was never reached: the update decided, well before the hour passed
    expect(details['approval']?.output).toEqual({ outcome: 'rejected', approved: false, by: 'bob', comment: 'not this week' });
    const byName = new Map(steps.map((s) => [s.name, s]));
    expect(byName.get('approval')?.state).toBe('completed');
    expect(byName.get('act')).toMatchObject({ state: 'skipped', executions: 0, error: { type: 'GATE_REJECTED' } });
    expect(byName.get('independent')?.state).toBe('completed');
    expect(result?.outputs['converge']).toMatchObject({ keys: ['act', 'independent'], partial: false });
  });
});
