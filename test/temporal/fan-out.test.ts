/**
 * `fan_out` in the time-skipping environment (stopping running partitions on a dev server): partitions run as child steps with `batch_spawn`
 * provenance, in partition order, a bounded number at once; the three failure strategies; an
 * operator retry that re-runs only the partitions that did not complete; items held in the blob
 * store; the step budget; and item text that looks like a reference staying data.
 */
import { describe, expect, it } from 'vitest';
import type { JsonValue } from '../../src/core/json.js';
import { z } from 'zod';
import { fanOut } from '../../catalog/fan-out.js';
import type { CompiledPlan } from '../../src/core/plan.js';
import { scriptedPlanner } from '../../src/planner/scripted.js';
import { compileTemplate, defineTemplate, staticStep } from '../../src/template/index.js';
import { operateUpdate } from '../../workflows/definitions.js';
import { fragment, runTask, step, testTemplate, waitForStep } from '../support/engine.js';
import { useDevServerEngine, useTimeSkippingEngine } from '../support/suite.js';
import { concurrencyOf, failTimes, testHandlers } from '../support/test-handlers.js';

const engine = useTimeSkippingEngine();

const ids = (n: number): JsonValue[] => Array.from({ length: n }, (_, i) => `item-${i}`);

/** A fragment whose `fan` step fans `items` out to `batch_echo`, and `after` reads its output. */
function fanFragment(items: JsonValue, settings: Record<string, JsonValue>) {
  return fragment([
    step('fan', 'fan_out', { items, handler: 'batch_echo', ...settings }),
    step('after', 'add', { values: ['${steps.fan.output.succeeded}', '${steps.fan.output.partitions}'] }, ['fan']),
  ]);
}

let seq = 0;
const workflowId = (what: string): string => `fan-${what}-${process.pid}-${seq++}`;

describe('fan_out', () => {
  it('runs one child step per partition, in order, at most `concurrency` at once, each with batch_spawn provenance', async () => {
    const id = workflowId('basic');
    const { result, steps, details, budget, searchAttributes, handle } = await runTask({
      ...engine,
      template: testTemplate(),
      planner: scriptedPlanner(() => fanFragment(ids(23), { partition_size: 5, concurrency: 2, with: { ms: 30, tag: 't' } })),
      workflowId: id,
    });
    const fan = details['fan']!.output as { results: { count: number; items: string[]; tag: string }[]; items: number; partitions: number; succeeded: number; failed: unknown[] };
    expect(fan).toMatchObject({ items: 23, partitions: 5, succeeded: 5, failed: [] });
    expect(fan.results.map((r) => r.count)).toEqual([5, 5, 5, 5, 3]);
    expect(fan.results.flatMap((r) => r.items)).toEqual(ids(23));
    expect(fan.results.every((r) => r.tag === 't')).toBe(true);
    expect(result?.outputs['converge']).toMatchObject({ keys: ['after'], results: { after: { value: 10 } } });

    const children = steps.filter((s) => s.spawnedBy === 'fan');
    expect(children.map((c) => c.name)).toEqual(['fan[0]', 'fan[1]', 'fan[2]', 'fan[3]', 'fan[4]']);
    const fanRecord = steps.find((s) => s.name === 'fan')!;
    for (const [i, c] of children.entries()) {
      expect(c).toMatchObject({ state: 'completed', handler: 'batch_echo', kind: 'planned', executions: 1 });
      expect(c.provenance).toEqual({
        createdBy: 'batch_spawn',
        planningStep: 'plan',
        fragmentId: fanRecord.provenance.fragmentId,
        planningPhase: 1,
        planningReasoning: `partition ${i + 1} of 5 of fan (items ${i * 5}–${Math.min(23, i * 5 + 5) - 1})`,
      });
    }
    // each child got exactly its slice plus the shared inputs
    expect(details['fan[4]']!.input).toEqual({ ms: 30, tag: 't', data: ['item-20', 'item-21', 'item-22'] });
    expect(concurrencyOf(id).max).toBe(2);
    // frame (3) + fragment (2) + children (5) are charged to the step budget
    expect(budget.ledger.used.steps).toBe(10);
    expect(result?.steps).toEqual({ total: 10, template: 3, planned: 7, spawned: 5 });
    expect(searchAttributes['WeftCreatedBy']).toEqual(['batch_spawn', 'planning_step', 'template']);
    expect(searchAttributes['WeftStepsUsed']).toEqual([10]);

    // The children are activities like any step: ID = step name, summary = handler · provenance · partition.
    const history = await handle.fetchHistory();
    const scheduled = (history.events ?? []).filter((e) => e.activityTaskScheduledEventAttributes);
    const child = scheduled.find((e) => e.activityTaskScheduledEventAttributes!.activityId === 'fan[2]')!;
    expect(child.activityTaskScheduledEventAttributes!.activityType?.name).toBe('batch_echo');
    const summary: unknown = child.userMetadata?.summary?.data ? JSON.parse(Buffer.from(child.userMetadata.summary.data).toString()) : null;
    // the Web UI shows summaries, not activity IDs: the step name leads (patch weft-10-operator-history)
    expect(summary).toBe(`fan[2] · batch_echo · spawned by fan (phase 1, ${fanRecord.provenance.fragmentId}) · partition 3 of 5 of fan (items 10–14)`);
  });

  it('makes no children of an empty array and returns an empty result', async () => {
    const { details, steps, result } = await runTask({ ...engine, template: testTemplate(), planner: scriptedPlanner(() => fanFragment([], {})) });
    expect(details['fan']!.output).toEqual({ results: [], items: 0, partitions: 0, succeeded: 0, failed: [] });
    expect(steps.filter((s) => s.spawnedBy !== null)).toEqual([]);
    expect(result?.outputs['converge']).toMatchObject({ results: { after: { value: 0 } } });
  });

  it('keeps item text that looks like a reference as data', async () => {
    // `$${` escapes a reference in a fragment: `make` outputs the text `${task.input.n}` as data.
    const hostile = ['$${task.input.n}', 'plain', '$${steps.seed.output.value}'];
    const { details } = await runTask({
      ...engine,
      template: testTemplate(),
      planner: scriptedPlanner(() =>
        fragment([
          step('make', 'batch_echo', { data: hostile }),
          step('fan', 'fan_out', { items: '${steps.make.output.items}', handler: 'batch_echo', partition_size: 2 }, ['make']),
        ]),
      ),
      input: { n: 42 },
    });
    const made = (details['make']!.output as { items: string[] }).items;
    const fan = details['fan']!.output as { results: { items: string[] }[] };
    expect(fan.results.flatMap((r) => r.items)).toEqual(made);
    expect(made).toEqual(['${task.input.n}', 'plain', '${steps.seed.output.value}']);
  });

  it('partitions items held in the blob store without loading them into the workflow', async () => {
    const { details, steps } = await runTask({
      ...engine,
      template: testTemplate({}, { maxSteps: 100 }),
      planner: scriptedPlanner(() =>
        fragment([
          step('make', 'make_rows', { count: 3000 }),
          step('fan', 'fan_out', { items: '${steps.make.output.rows}', handler: 'sum_rows', partition_size: 250, partition_input: 'rows', concurrency: 4 }, ['make']),
        ]),
      ),
    });
    expect(details['make']!.output).toMatchObject({ $weft_blob: expect.stringMatching(/^sha256:/) as unknown });
    // the children's inputs are paths into the stored rows with their slice, not the rows
    expect(details['fan[1]']!.input).toEqual({ rows: { $weft_blob_path: { blob: expect.any(String) as unknown, path: ['rows'], slice: [250, 500] } } });
    const fan = details['fan']!.output as { results: { count: number; total: number }[]; items: number };
    expect(fan.items).toBe(3000);
    expect(fan.results).toHaveLength(12);
    expect(fan.results[1]).toEqual({ count: 250, total: (250 + 499) * 125 });
    expect(fan.results.reduce((a, r) => a + r.total, 0)).toBe((2999 * 3000) / 2);
    expect(steps.filter((s) => s.provenance.createdBy === 'batch_spawn')).toHaveLength(12);
  });

  it('isolate: a failed partition is listed with a null result and the fan-out succeeds', async () => {
    const id = workflowId('isolate');
    failTimes(id, 'fan[1]', 100);
    const { result, details, steps } = await runTask({
      ...engine,
      template: testTemplate({ stepFailure: { retry: { maximumAttempts: 2, initialIntervalMs: 10 } } }),
      planner: scriptedPlanner(() => fanFragment(ids(9), { partition_size: 3, on_failure: 'isolate' })),
      workflowId: id,
    });
    const fan = details['fan']!.output as { results: unknown[]; succeeded: number; failed: { partition: number; step: string; start: number; end: number; error: { type: string } }[] };
    expect(fan.results[1]).toBeNull();
    expect(fan.results[0]).toMatchObject({ count: 3 });
    expect(fan.succeeded).toBe(2);
    expect(fan.failed).toEqual([{ partition: 1, step: 'fan[1]', start: 3, end: 6, error: { type: 'FLAKY_FAILURE', message: expect.stringMatching(/planned failure of fan\[1\]/) as unknown } }]);
    expect(steps.find((s) => s.name === 'fan[1]')).toMatchObject({ state: 'failed', executions: 1 });
    expect(steps.find((s) => s.name === 'fan')).toMatchObject({ state: 'completed' });
    expect(result?.outputs['converge']).toMatchObject({ results: { after: { value: 5 } } });
  });

  it('continue: every partition runs, then the fan-out parks naming the failures; a retry re-runs only those', async () => {
    const id = workflowId('continue');
    failTimes(id, 'fan[0]', 2); // fails both attempts, then heals for the operator's retry
    failTimes(id, 'fan[3]', 2);
    const { result, steps, details } = await runTask({
      ...engine,
      template: testTemplate({ stepFailure: { onExhausted: 'park', retry: { maximumAttempts: 2, initialIntervalMs: 10 } } }),
      planner: scriptedPlanner(() => fanFragment(ids(8), { partition_size: 2, on_failure: 'continue', concurrency: 1 })),
      workflowId: id,
      during: async (h) => {
        const parked = await waitForStep(h, 'fan', 'parked');
        const fan = parked.find((s) => s.name === 'fan')!;
        expect(fan.error?.type).toBe('FAN_OUT_PARTITIONS_FAILED');
        expect(fan.error?.message).toMatch(/^2 of 4 partitions of fan-out 'fan' failed: fan\[0\] \(FLAKY_FAILURE: planned failure of fan\[0\], 0 left\); fan\[3\] \(FLAKY_FAILURE/);
        expect(fan.error?.message).toMatch(/A retry re-runs only the partitions that did not complete \(weft dlq retry .* fan\)/);
        // continue: the partitions after the failed one still ran
        expect(parked.filter((s) => s.spawnedBy === 'fan').map((s) => s.state)).toEqual(['failed', 'completed', 'completed', 'failed']);
        await h.executeUpdate(operateUpdate, { args: [{ step: 'fan', action: 'retry', by: 'op' }] });
      },
    });
    expect(result?.outputs['converge']).toMatchObject({ results: { after: { value: 8 } } });
    const executions = steps.filter((s) => s.spawnedBy === 'fan').map((s) => [s.name, s.state, s.executions]);
    expect(executions).toEqual([
      ['fan[0]', 'completed', 2],
      ['fan[1]', 'completed', 1],
      ['fan[2]', 'completed', 1],
      ['fan[3]', 'completed', 2],
    ]);
    expect((details['fan']!.output as { results: { items: string[] }[] }).results.flatMap((r) => r.items)).toEqual(ids(8));
    expect(steps.find((s) => s.name === 'fan')).toMatchObject({ state: 'completed', executions: 2, operatorAction: 'retry by op' });
  });

  it('refuses more than 25,000 partitions (past 500 they run in slices), saying what partition_size would fit', async () => {
    const { error, steps } = await runTask({
      ...engine,
      template: testTemplate({}, { maxSteps: 30_000 }),
      planner: scriptedPlanner(() =>
        fragment([
          step('make', 'make_rows', { count: 25_002 }),
          step('fan', 'fan_out', { items: '${steps.make.output.rows}', handler: 'batch_echo', partition_size: 1 }, ['make']),
        ]),
      ),
    });
    expect(String((error as Error & { cause?: Error }).cause?.message)).toMatch(
      /FAN_OUT_TOO_MANY_PARTITIONS: Fan-out 'fan' would make 25002 partitions of 1; at most 25000 are allowed\. Set partition_size to at least 2\./,
    );
    expect(steps.filter((s) => s.spawnedBy !== null)).toHaveLength(0);
  });

  /** A template whose own static step fans out: frame steps spawn children too. */
  const staticFanOut = defineTemplate({
    name: 'engine-test',
    version: '1',
    input: z.object({ n: z.number().default(1) }),
    steps: [
      staticStep('make', { handler: 'make_rows', inputs: { count: 7 } }),
      staticStep('fan', { handler: 'fan_out', dependencies: ['make'], inputs: { items: '${steps.make.output.rows}', handler: 'sum_rows', partition_input: 'rows', partition_size: 3 } }),
    ],
  });

  it("runs a template's own fan-out step, its children spawned from the frame", async () => {
    const { result, steps } = await runTask({ ...engine, template: staticFanOut, planner: scriptedPlanner(() => fanFragment([], {})) });
    expect(result?.result).toMatchObject({ results: [{ count: 3, total: 3 }, { count: 3, total: 12 }, { count: 1, total: 6 }], succeeded: 3 });
    const children = steps.filter((s) => s.spawnedBy === 'fan');
    expect(children.map((c) => [c.name, c.state])).toEqual([['fan[0]', 'completed'], ['fan[1]', 'completed'], ['fan[2]', 'completed']]);
    expect(children[0]!.provenance).toEqual({ createdBy: 'batch_spawn', planningStep: null, fragmentId: null, planningPhase: null, planningReasoning: 'partition 1 of 3 of fan (items 0–2)' });
    expect(result?.steps).toEqual({ total: 5, template: 2, planned: 3, spawned: 3 });
  });

  it('fails a fan-out whose per-partition handler is not in the pinned catalog (a plan no template compiles to)', async () => {
    const plan = JSON.parse(JSON.stringify(compileTemplate(staticFanOut, [...testHandlers, fanOut]))) as CompiledPlan;
    const fan = plan.steps.find((s) => s.name === 'fan') as { inputs: Record<string, unknown> };
    fan.inputs['handler'] = 'sum_row';
    const { error } = await runTask({ ...engine, template: staticFanOut, plan, planner: scriptedPlanner(() => fanFragment([], {})) });
    expect(String((error as Error & { cause?: Error }).cause?.message)).toMatch(
      /FAN_OUT_HANDLER_INVALID: Fan-out 'fan' runs 'sum_row' per partition, which is not in this task's catalog\. Use one of: make_rows, sum_rows\./,
    );
  });

  it('refuses partitions the step budget cannot pay for, saying what partition_size would fit', async () => {
    const { error, steps } = await runTask({
      ...engine,
      template: testTemplate({}, { maxSteps: 20 }),
      planner: scriptedPlanner(() => fanFragment(ids(100), { partition_size: 2 })),
    });
    // 3 frame + 2 planned steps leave 15 in a budget of 20; 50 partitions do not fit, 100/15 → 7 per partition would
    expect(String((error as Error & { cause?: Error }).cause?.message)).toMatch(
      /FAN_OUT_TOO_MANY_PARTITIONS: Fan-out 'fan' would add 50 child steps, but the step budget has 15 left \(5 of 20 used\)\. Set partition_size to at least 7, or raise the template's maxSteps/,
    );
    expect(steps.filter((s) => s.spawnedBy !== null)).toHaveLength(0);
  });
});

// The time-skipping server hangs a workflow whose task cancels an activity that completed while the
// task ran (see useDevServerEngine): stopping running partitions is tested on a dev server.
describe('fan_out stopping running partitions (dev server, real time)', () => {
  const realTime = useDevServerEngine();

  it('fail_fast: the first failure stops the partitions not yet finished and fails the step', async () => {
    const id = workflowId('fail-fast');
    failTimes(id, 'fan[1]', 100);
    const { error, steps } = await runTask({
      ...realTime,
      template: testTemplate({ stepFailure: { retry: { maximumAttempts: 1 } } }),
      planner: scriptedPlanner(() => fanFragment(ids(10), { partition_size: 1, concurrency: 2, with: { ms: 200 } })),
      workflowId: id,
    });
    expect(String((error as Error & { cause?: Error }).cause?.message)).toMatch(
      /Step 'fan' \(fan_out, planning_step\) failed: FAN_OUT_PARTITIONS_FAILED: 1 of 10 partitions of fan-out 'fan' failed: fan\[1\] \(FLAKY_FAILURE: .*\); the rest were stopped \(on_failure fail_fast\)/,
    );
    const children = steps.filter((s) => s.spawnedBy === 'fan');
    expect(children[1]).toMatchObject({ state: 'failed', error: { type: 'FLAKY_FAILURE' } });
    const notRun = children.filter((c) => c.state === 'cancelled');
    // at most one other partition was running when fan[1] failed; everything after never started
    expect(notRun.length).toBeGreaterThanOrEqual(8);
    expect(children.slice(2).every((c) => c.state === 'cancelled' && c.executions <= 1)).toBe(true);
    expect(children.find((c) => c.name === 'fan[9]')).toMatchObject({ executions: 0, error: { type: 'FAN_OUT_STOPPED', message: 'Not run: partition 1 (fan[1]) failed and on_failure is fail_fast.' } });
    expect(concurrencyOf(id).order.some((e) => e === 'start:fan[9]')).toBe(false);
  });

  it('stops its children when the wall-time budget runs out, and the task converges with partial results', async () => {
    const { result, steps } = await runTask({
      ...realTime,
      template: testTemplate({}, { maxWallTimeMs: 1_500 }),
      planner: scriptedPlanner(() => fanFragment(ids(6), { partition_size: 1, concurrency: 1, with: { ms: 700 } })),
    });
    expect(result?.partial).toBe(true);
    expect(result?.budget.exhausted?.dimension).toBe('wall_time');
    expect(steps.find((s) => s.name === 'fan')?.state).toBe('cancelled');
    const children = steps.filter((s) => s.spawnedBy === 'fan');
    expect(children).toHaveLength(6);
    // nothing is left looking as if it might still run
    expect(children.every((c) => c.state === 'completed' || c.state === 'cancelled')).toBe(true);
    expect(children.filter((c) => c.state === 'cancelled').length).toBeGreaterThanOrEqual(3);
    expect(children.find((c) => c.name === 'fan[5]')).toMatchObject({ state: 'cancelled', executions: 0 });
  });
});
