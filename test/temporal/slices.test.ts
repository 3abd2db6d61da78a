/**
 * Plans larger than one history, in the time-skipping environment (stopping running steps on a
 * dev server): a fan-out and a planned DAG
 * past the task's inline limit run in slices (`weftSlice` child workflows). Small limits
 * (`TaskInput.limits`) make small plans slice, so every path runs in seconds: the steps keep their
 * records, provenance and handlers' view of the task; outputs cross slices by reference; failures,
 * parking with an operator's retry, and the wall-time budget reach into the slices.
 */
import { describe, expect, it } from 'vitest';
import { defaultPayloadConverter } from '@temporalio/common';
import type { JsonValue } from '../../src/core/json.js';
import { isBlobRef } from '../../src/core/blob.js';
import { scriptedPlanner } from '../../src/planner/scripted.js';
import { gateUpdate, operateUpdate, SLICE_WORKFLOW_TYPE, slicesQuery, stepsQuery, type StepDetail } from '../../workflows/definitions.js';
import { readStepDetail, readStepTable } from '../../src/client/steps.js';
import type { StepRecord } from '../../src/core/steps.js';
import { fragment, runTask, step, testTemplate, waitFor, waitForStep } from '../support/engine.js';
import { type EngineHarness, useDevServerEngine, useTimeSkippingEngine } from '../support/suite.js';
import { concurrencyOf, failTimes } from '../support/test-handlers.js';

const engine = useTimeSkippingEngine();

const ids = (n: number): JsonValue[] => Array.from({ length: n }, (_, i) => `item-${i}`);
let seq = 0;
const workflowId = (what: string): string => `slices-${what}-${process.pid}-${seq++}`;
/** Past 5 steps a fragment or fan-out runs in slices of 10. */
const limits = { stepsInline: 5, stepsPerSlice: 10 };

async function childWorkflows(harness: EngineHarness, id: string): Promise<{ workflowId: string; type: string; status: string }[]> {
  const out: { workflowId: string; type: string; status: string }[] = [];
  for (let i = 0; i < 100; i++) {
    for (const owner of ['fan', 'plan']) {
      try {
        const d = await harness.env.client.workflow.getHandle(`${id}/${owner}#${i}`).describe();
        out.push({ workflowId: d.workflowId, type: d.type, status: d.status.name });
      } catch {
        // no such slice
      }
    }
  }
  return out;
}

describe('slices', () => {
  it('runs a fan-out past the inline limit in child workflows, keeping every child step in the task', async () => {
    const id = workflowId('fan');
    const { result, steps, details, budget } = await runTask({
      ...engine,
      template: testTemplate({}, { maxSteps: 100 }),
      planner: scriptedPlanner(() =>
        fragment([
          step('fan', 'fan_out', { items: ids(23), handler: 'batch_echo', partition_size: 1, concurrency: 20, with: { tag: 't' } }),
          step('after', 'add', { values: ['${steps.fan.output.succeeded}', '${steps.fan.output.partitions}'] }, ['fan']),
        ]),
      ),
      workflowId: id,
      limits,
    });
    expect(result?.outputs['converge']).toMatchObject({ results: { after: { value: 46 } } });
    const children = steps.filter((s) => s.spawnedBy === 'fan');
    expect(children).toHaveLength(23);
    for (const c of children) expect(c).toMatchObject({ state: 'completed', handler: 'batch_echo', executions: 1, provenance: { createdBy: 'batch_spawn', planningStep: 'plan' } });
    // 23 partitions in slices of 10: three child workflows, each a weftSlice that completed
    const slices = await childWorkflows(engine, id);
    expect(slices.map((s) => [s.workflowId, s.type, s.status])).toEqual([
      [`${id}/fan#0`, SLICE_WORKFLOW_TYPE, 'COMPLETED'],
      [`${id}/fan#1`, SLICE_WORKFLOW_TYPE, 'COMPLETED'],
      [`${id}/fan#2`, SLICE_WORKFLOW_TYPE, 'COMPLETED'],
    ]);
    // the concurrency of 20 is shared by the slices: two at a time, ten steps each
    expect(concurrencyOf(id).max).toBeLessThanOrEqual(20);
    // thousands of results would not fit the task's history: they are joined in the blob store
    const fan = details['fan']!.output as { results: unknown; succeeded: number; partitions: number; failed: unknown[] };
    expect(fan).toMatchObject({ succeeded: 23, partitions: 23, failed: [] });
    expect(isBlobRef(fan.results)).toBe(true);
    // the child's output in the task points into its slice's stored outputs, or is inline when small
    expect(details['fan[4]']!.output).toEqual({ count: 1, items: ['item-4'], tag: 't' });
    expect(budget.ledger.used.steps).toBe(3 + 2 + 23);

    // In the slice's history, a step is an activity like any other: ID = step name, summary = its own.
    const history = await engine.env.client.workflow.getHandle(`${id}/fan#1`).fetchHistory();
    const scheduled = (history.events ?? []).filter((e) => e.activityTaskScheduledEventAttributes).map((e) => e.activityTaskScheduledEventAttributes!.activityId);
    expect(scheduled.filter((a) => a?.startsWith('fan['))).toEqual(Array.from({ length: 10 }, (_, i) => `fan[${10 + i}]`));
  });

  it('reads the joined results of a sliced fan-out downstream, in partition order', async () => {
    const id = workflowId('results');
    const { result, error, planning } = await runTask({
      ...engine,
      template: testTemplate({ allow: { handlers: ['fan_out', 'batch_echo', 'collect'] } }, { maxSteps: 100 }),
      planner: scriptedPlanner(() =>
        fragment([
          step('fan', 'fan_out', { items: ids(12), handler: 'batch_echo', partition_size: 1, concurrency: 4 }),
          step('keep', 'collect', { results: { all: '${steps.fan.output.results}', third: '${steps.fan.output.results[2].items}' }, partial: false, reason: null }, ['fan']),
        ]),
      ),
      workflowId: id,
      limits,
    });
    expect(error, JSON.stringify(planning.map((p) => p.diagnostics))).toBeNull();
    const keep = (result?.outputs['converge'] as { results: { keep: { results: { all: { items: string[] }[]; third: string[] } } } }).results.keep.results;
    expect(keep.all.map((r) => r.items[0])).toEqual(ids(12));
    expect(keep.third).toEqual(['item-2']);
  });

  it('runs a planned DAG past the inline limit in slices that wait for each other, outputs crossing slices by reference', async () => {
    const id = workflowId('dag');
    // a chain of 25 adds (each reads the one before) plus a large output read across slices
    const chain = Array.from({ length: 25 }, (_, i) =>
      i === 0 ? step('s0', 'add', { values: [1] }) : step(`s${i}`, 'add', { values: [`\${steps.s${i - 1}.output.value}`, 1] }, [`s${i - 1}`]),
    );
    const { result, steps, error, planning, details } = await runTask({
      ...engine,
      template: testTemplate({ maxSteps: 40, maxDepth: 40 }, { maxSteps: 100 }),
      planner: scriptedPlanner(() =>
        fragment([
          step('rows', 'make_rows', { count: 200 }),
          ...chain,
          step('sum', 'sum_rows', { rows: '${steps.rows.output.rows}' }, ['rows', 's24']),
        ]),
      ),
      workflowId: id,
      limits,
    });
    expect(error, JSON.stringify(planning.map((p) => p.diagnostics))).toBeNull();
    expect(result?.outputs['converge']).toMatchObject({ results: { sum: { count: 200, total: 19_900 } } });
    const planned = steps.filter((s) => s.provenance.createdBy === 'planning_step');
    expect(planned).toHaveLength(27);
    expect(planned.every((s) => s.state === 'completed' && s.executions === 1)).toBe(true);
    const slices = await childWorkflows(engine, id);
    // rows and s0–s8, s9–s18, s19–s24 and sum
    expect(slices.map((s) => s.workflowId)).toEqual([`${id}/plan#0`, `${id}/plan#1`, `${id}/plan#2`]);
    // the chain's last value came through three slices
    expect(details['s24']!.output).toEqual({ value: 25 });
    // an output over the inline size crossed to a later slice by reference, and was read whole there
    const events = (await engine.env.client.workflow.getHandle(`${id}/plan#2`).fetchHistory()).events ?? [];
    const sum = events.find((e) => e.activityTaskScheduledEventAttributes?.activityId === 'sum')!;
    const request = defaultPayloadConverter.fromPayload<{ input: unknown }>(sum.activityTaskScheduledEventAttributes!.input!.payloads![0]!);
    expect(request.input).toEqual({ rows: { $weft_blob_path: { blob: expect.stringMatching(/^sha256:/) as unknown, path: ['rows', 'rows'] } } });
  });

  it('parks a failed step inside a slice; the operator retries it through the task', async () => {
    const id = workflowId('park');
    failTimes(id, 'p7', 100);
    const { result, steps } = await runTask({
      ...engine,
      template: testTemplate({ maxSteps: 20, stepFailure: { retry: { maximumAttempts: 1 }, onExhausted: 'park' } }, { maxSteps: 100 }),
      planner: scriptedPlanner(() => fragment(Array.from({ length: 12 }, (_, i) => step(`p${i}`, 'flaky', { label: `l${i}` })))),
      workflowId: id,
      limits,
      during: async (handle) => {
        await waitForStep(handle, 'p7', 'parked');
        failTimes(id, 'p7', 0);
        await handle.executeUpdate(operateUpdate, { args: [{ step: 'p7', action: 'retry', by: 'test' }] });
      },
    });
    expect(result).not.toBeNull();
    const p7 = steps.find((s) => s.name === 'p7')!;
    expect(p7).toMatchObject({ state: 'completed', executions: 2 });
    expect(p7.operatorAction).toBe('retry by test');
  });

  it('takes a gate decision for a gate waiting inside a slice through the task', async () => {
    const id = workflowId('gate');
    const { result, steps, details } = await runTask({
      ...engine,
      template: testTemplate({ maxSteps: 20 }, { maxSteps: 100 }),
      planner: scriptedPlanner(() =>
        fragment([
          ...Array.from({ length: 10 }, (_, i) => step(`a${i}`, 'add', { values: [i, 1] })),
          step('approval', 'gate', { prompt: 'ship it?', timeout_ms: 3600_000, on_timeout: 'reject' }),
          step('after', 'add', { values: ['${steps.a9.output.value}', 100] }, ['approval', 'a9']),
        ]),
      ),
      workflowId: id,
      limits,
      during: async (h) => {
        // the task accepts the decision once the slice has told it that its gate waits
        await waitFor(
          () => h.executeUpdate(gateUpdate, { args: [{ step: 'approval', decision: 'approve', by: 'alice', comment: 'fine' }] }).then(() => true),
          (ok) => ok,
          'the gate waiting in its slice',
        );
      },
    });
    expect(result?.outputs['converge']).toMatchObject({ results: { after: { value: 110 } } });
    expect(steps.find((s) => s.name === 'approval')).toMatchObject({ state: 'completed' });
    expect(details['approval']!.output).toMatchObject({ outcome: 'approved', approved: true, by: 'alice', comment: 'fine' });
    const slices = await childWorkflows(engine, id);
    expect(slices.map((c) => c.workflowId)).toEqual([`${id}/plan#0`, `${id}/plan#1`]);
  });

  it('answers a running slice\'s steps as they are: the client reads the slices the task names', async () => {
    const id = workflowId('live');
    let live: StepRecord[] = [];
    let stale: StepRecord[] = [];
    let running: string[] = [];
    let detail: StepDetail | null = null;
    const { result } = await runTask({
      ...engine,
      template: testTemplate({ maxSteps: 20 }, { maxSteps: 100 }),
      planner: scriptedPlanner(() =>
        fragment([
          ...Array.from({ length: 9 }, (_, i) => step(`a${i}`, 'add', { values: [i, 1] })),
          step('approval', 'gate', { prompt: 'ship it?', timeout_ms: 3600_000, on_timeout: 'reject' }),
          step('after', 'add', { values: [1, 2] }, ['approval']),
        ]),
      ),
      workflowId: id,
      limits,
      during: async (h) => {
        const open = (slice: string) => engine.env.client.workflow.getHandle(slice);
        // the gate holds slice plan#0 open after its nine adds completed
        live = await waitFor(
          () => readStepTable(h, open),
          (s) => s.filter((x) => /^a\d$/.test(x.name) && x.state === 'completed').length === 9,
          'the adds of the running slice, completed',
        );
        stale = await h.query(stepsQuery);
        running = await h.query(slicesQuery);
        detail = await readStepDetail(h, 'a4', open);
        await waitFor(
          () => h.executeUpdate(gateUpdate, { args: [{ step: 'approval', decision: 'approve', by: 'alice' }] }).then(() => true),
          (ok) => ok,
          'the gate waiting in its slice',
        );
      },
    });
    expect(result?.outputs['converge']).toMatchObject({ results: { after: { value: 3 } } });
    expect(running).toEqual([`${id}/plan#0`]);
    // the task's own table heard nothing of the adds yet: their slice has not ended
    expect(stale.find((s) => s.name === 'a0')).toMatchObject({ state: 'pending' });
    // read through the slice, they are completed, with the provenance the task gave them
    expect(live.find((s) => s.name === 'a0')).toMatchObject({ state: 'completed', executions: 1, provenance: { createdBy: 'planning_step', planningStep: 'plan' } });
    expect(live.find((s) => s.name === 'after')).toMatchObject({ state: 'pending' });
    expect(live.map((s) => s.name)).toEqual(stale.map((s) => s.name));
    // one step's detail (layer 4) comes from its slice too
    expect(detail).toMatchObject({ record: { name: 'a4', state: 'completed' }, input: { values: [4, 1] }, output: { value: 5 } });
  });

  it('keeps going after failed partitions with on_failure continue, and names them', async () => {
    const id = workflowId('continue');
    failTimes(id, 'fan[3]', 100);
    failTimes(id, 'fan[14]', 100);
    const { details } = await runTask({
      ...engine,
      template: testTemplate({ maxSteps: 20, stepFailure: { retry: { maximumAttempts: 1 }, onExhausted: 'fail' } }, { maxSteps: 100 }),
      planner: scriptedPlanner(() => fragment([step('fan', 'fan_out', { items: ids(20), handler: 'batch_echo', partition_size: 1, on_failure: 'isolate' })])),
      workflowId: id,
      limits,
    });
    const fan = details['fan']!.output as { succeeded: number; failed: { step: string }[] };
    expect(fan.succeeded).toBe(18);
    expect(fan.failed.map((f) => f.step)).toEqual(['fan[3]', 'fan[14]']);
  });

});

describe('continue-as-new', () => {
  it('continues a long multi-phase task as new between phases, carrying steps, outputs, ledger and planning records', async () => {
    const id = workflowId('can');
    // Each phase adds two steps; the second reads the first phase's output (carried across runs).
    const planner = scriptedPlanner((req) => {
      const p = req.phase;
      const prev = p === 1 ? 1 : `\${steps.b${p - 1}.output.value}`;
      return fragment([step(`a${p}`, 'add', { values: [prev, 1] }), step(`b${p}`, 'add', { values: [`\${steps.a${p}.output.value}`, 10] }, [`a${p}`])], p < 4 ? 'replan' : 'done');
    });
    const { result, steps, planning, budget, handle } = await runTask({
      ...engine,
      template: testTemplate({ maxPhases: 4 }),
      planner,
      workflowId: id,
      limits: { eventsPerRun: 30 },
    });
    expect(result?.outputs['converge']).toMatchObject({ results: { b1: { value: 12 }, b2: { value: 23 }, b3: { value: 34 }, b4: { value: 45 } } });
    expect(steps.filter((s) => s.provenance.createdBy === 'planning_step').map((s) => `${s.name}:${s.state}`)).toEqual([
      'a1:completed', 'b1:completed', 'a2:completed', 'b2:completed', 'a3:completed', 'b3:completed', 'a4:completed', 'b4:completed',
    ]);
    expect(planning.filter((p) => p.accepted).map((p) => p.phase)).toEqual([1, 2, 3, 4]);
    expect(budget.ledger.used.planningPhases).toBe(4);
    expect(budget.ledger.used.steps).toBe(3 + 8);
    // The task ran in several runs of the same workflow ID: the first one closed continuing as new.
    const runs: string[] = [];
    const latest = await handle.describe();
    let events = (await engine.env.client.workflow.getHandle(id, latest.runId).fetchHistory()).events ?? [];
    runs.push(latest.runId);
    for (;;) {
      const previous = events[0]?.workflowExecutionStartedEventAttributes?.continuedExecutionRunId;
      if (!previous) break;
      runs.push(previous);
      events = (await engine.env.client.workflow.getHandle(id, previous).fetchHistory()).events ?? [];
      expect(events.at(-1)?.workflowExecutionContinuedAsNewEventAttributes).toBeTruthy();
    }
    expect(runs.length).toBeGreaterThanOrEqual(3);
    // every planned step ran exactly once over all runs
    const scheduled: string[] = [];
    for (const runId of runs) {
      const h = (await engine.env.client.workflow.getHandle(id, runId).fetchHistory()).events ?? [];
      for (const e of h) {
        const a = e.activityTaskScheduledEventAttributes;
        if (a?.activityType?.name === 'add') scheduled.push(a.activityId ?? '');
      }
    }
    expect(scheduled.sort()).toEqual(['a1', 'a2', 'a3', 'a4', 'b1', 'b2', 'b3', 'b4']);
  });
});

// The time-skipping server hangs a workflow whose task cancels an activity that completed while the
// task ran (see useDevServerEngine): a failure or the wall-time budget stopping running slice
// steps is tested on a dev server.
describe('slices stopping running steps (dev server, real time)', () => {
  const realTime = useDevServerEngine();

  it('fails the task when a step of a slice fails, naming the step', async () => {
    const id = workflowId('fail');
    failTimes(id, 'p3', 100);
    const { error, steps } = await runTask({
      ...realTime,
      template: testTemplate({ maxSteps: 20, stepFailure: { retry: { maximumAttempts: 1 }, onExhausted: 'fail' } }, { maxSteps: 100 }),
      planner: scriptedPlanner(() => fragment(Array.from({ length: 8 }, (_, i) => step(`p${i}`, 'flaky', { label: `l${i}` })))),
      workflowId: id,
      limits,
    });
    expect(error).not.toBeNull();
    expect(String((error as { cause?: { message?: string } }).cause?.message ?? error?.message)).toMatch(/Step 'p3' \(flaky, planning_step\) failed: FLAKY_FAILURE/);
    expect(steps.find((s) => s.name === 'p3')).toMatchObject({ state: 'failed' });
  });

  it('stops every slice when the wall-time budget runs out', async () => {
    const id = workflowId('wall');
    const { result, steps } = await runTask({
      ...realTime,
      template: testTemplate({ maxSteps: 40, concurrency: 2 }, { maxSteps: 100, maxWallTimeMs: 2_000 }),
      planner: scriptedPlanner(() => fragment(Array.from({ length: 30 }, (_, i) => step(`t${i}`, 'tracked', { ms: 300 })))),
      workflowId: id,
      limits,
    });
    expect(result?.partial).toBe(true);
    const planned = steps.filter((s) => s.provenance.createdBy === 'planning_step');
    expect(planned.some((s) => s.state === 'cancelled' && s.error?.type === 'BUDGET_WALL_TIME')).toBe(true);
    const slices = await childWorkflows(realTime, id);
    expect(slices.length).toBeGreaterThan(0);
    expect(slices.every((s) => s.status !== 'RUNNING')).toBe(true);
  });
});
