/**
 * `readTaskView` on real histories: a task whose fan-out ran in slices (child workflows), one of
 * whose steps parked in its slice and was retried through the task, and a task that continued as
 * new between planning phases. The reader fetches every history through the frontend (no query,
 * so no worker is needed) and the view shows the task's steps wherever they ran.
 */
import { describe, expect, it } from 'vitest';
import { readTaskView } from '../../src/client/read.js';
import { historyUrl } from '../../src/client/ui.js';
import { stepPage } from '../../src/ui/html.js';
import { scriptedPlanner } from '../../src/planner/scripted.js';
import { operateUpdate } from '../../workflows/definitions.js';
import { fragment, runTask, step, testTemplate, waitFor, waitForStep } from '../support/engine.js';
import { useTimeSkippingEngine } from '../support/suite.js';
import { failTimes } from '../support/test-handlers.js';

const engine = useTimeSkippingEngine();
let seq = 0;
const workflowId = (what: string): string => `read-${what}-${process.pid}-${seq++}`;
/** Past 5 steps a fragment or fan-out runs in slices of 10. */
const limits = { stepsInline: 5, stepsPerSlice: 10 };

describe('readTaskView across slices and runs', () => {
  it('a planned DAG in slices with a step parked and retried: every step is the task\'s, parked while it waits', async () => {
    const id = workflowId('dag');
    failTimes(id, 'p13', 100);
    let parkedView: Awaited<ReturnType<typeof readTaskView>> | null = null;
    const { result } = await runTask({
      ...engine,
      template: testTemplate({ maxSteps: 40, stepFailure: { retry: { maximumAttempts: 1 }, onExhausted: 'park' } }, { maxSteps: 100 }),
      planner: scriptedPlanner(() => fragment(Array.from({ length: 23 }, (_, i) => step(`p${i}`, 'flaky', { label: `l${i}` })))),
      workflowId: id,
      limits,
      during: async (handle) => {
        await waitForStep(handle, 'p13', 'parked');
        // With no query: the parked step is found in its slice's history.
        parkedView = await waitFor(() => readTaskView(engine.env.client, id), (v) => v.steps.some((s) => s.record.name === 'p13' && s.record.state === 'parked'), 'p13 parked in the read view');
        failTimes(id, 'p13', 0);
        await handle.executeUpdate(operateUpdate, { args: [{ step: 'p13', action: 'retry', by: 'test' }] });
      },
    });
    expect(result).not.toBeNull();
    const parked = parkedView as unknown as Awaited<ReturnType<typeof readTaskView>>;
    expect(parked.state).toBe('parked');
    expect(parked.steps.find((s) => s.record.name === 'p13')!.parkedSinceMs).not.toBeNull();

    const v = await readTaskView(engine.env.client, id);
    expect(v.status).toBe('COMPLETED');
    const planned = v.steps.filter((s) => s.record.provenance.createdBy === 'planning_step');
    expect(planned.map((s) => s.record.name)).toEqual(Array.from({ length: 23 }, (_, i) => `p${i}`));
    expect(planned.every((s) => s.record.state === 'completed')).toBe(true);
    expect(v.slices.map((s) => [s.workflowId, s.step, s.index, s.status])).toEqual([
      [`${id}/plan#0`, 'plan', 0, 'COMPLETED'],
      [`${id}/plan#1`, 'plan', 1, 'COMPLETED'],
      [`${id}/plan#2`, 'plan', 2, 'COMPLETED'],
    ]);
    // Each execution is in its slice's history, at that history's event ID.
    const p13 = v.steps.find((s) => s.record.name === 'p13')!;
    expect(p13.record.operatorAction).toBe('retry by test');
    expect(p13.executions.map((e) => [e.workflowId, e.outcome])).toEqual([
      [`${id}/plan#1`, 'failed'],
      [`${id}/plan#1`, 'completed'],
    ]);
    const history = await engine.env.client.workflow.getHandle(`${id}/plan#1`, p13.executions[0]!.runId).fetchHistory();
    const scheduled = (history.events ?? []).filter((e) => e.activityTaskScheduledEventAttributes?.activityId === 'p13').map((e) => Number(e.eventId));
    expect(p13.executions.map((e) => e.scheduledEventId)).toEqual(scheduled);
    expect(p13.output).toMatchObject({ label: 'l13' });
    // weft ui's step page links each execution into the slice's history, at its event.
    const link = (e: { workflowId: string; runId: string; scheduledEventId?: number }) => historyUrl('http://ui', 'default', e);
    const html = stepPage(v, p13, link(p13.executions[1]!), link);
    expect(html).toContain(`href="http://ui/namespaces/default/workflows/${encodeURIComponent(`${id}/plan#1`)}/${p13.executions[0]!.runId}/history/events/${scheduled[0]}"`);
    expect(html).toContain(`slice ${id}/plan#1`);
  });

  it('a fan-out inside a slice runs its partitions in slices of its own: the reader finds those too', async () => {
    const id = workflowId('nested');
    await runTask({
      ...engine,
      template: testTemplate({ maxSteps: 40 }, { maxSteps: 100 }),
      planner: scriptedPlanner(() =>
        fragment([
          ...Array.from({ length: 8 }, (_, i) => step(`p${i}`, 'add', { values: [i] })),
          step('fan', 'fan_out', { items: Array.from({ length: 12 }, (_, i) => `item-${i}`), handler: 'batch_echo', partition_size: 1 }),
          step('after', 'add', { values: ['${steps.fan.output.succeeded}'] }, ['fan']),
        ]),
      ),
      workflowId: id,
      limits,
    });
    const v = await readTaskView(engine.env.client, id);
    expect(v.status).toBe('COMPLETED');
    const kids = v.steps.filter((s) => s.record.spawnedBy === 'fan');
    expect(kids).toHaveLength(12);
    expect(kids.every((k) => k.record.state === 'completed' && k.executions.length === 1)).toBe(true);
    // Every partition ran in a slice, wherever in the tree of slices it was.
    // The ten planned steps are one slice; the fan-out in it started two slices of its partitions.
    expect(v.slices.map((s) => [s.workflowId, s.step])).toEqual([
      [`${id}/plan#0`, 'plan'],
      [`${id}/fan#0`, 'fan'],
      [`${id}/fan#1`, 'fan'],
    ]);
    const sliceIds = new Set(v.slices.map((s) => s.workflowId));
    expect(kids.every((k) => sliceIds.has(k.executions[0]!.workflowId))).toBe(true);
    expect(v.steps.find((s) => s.record.name === 'after')!.output).toEqual({ value: 12 });
  });

  it('a task that continued as new: one view of every run, the plan from the first, closed only by the last', async () => {
    const id = workflowId('can');
    const planner = scriptedPlanner((req) => {
      const p = req.phase;
      const prev = p === 1 ? 1 : `\${steps.b${p - 1}.output.value}`;
      return fragment([step(`a${p}`, 'add', { values: [prev, 1] }), step(`b${p}`, 'add', { values: [`\${steps.a${p}.output.value}`, 10] }, [`a${p}`])], p < 4 ? 'replan' : 'done');
    });
    await runTask({ ...engine, template: testTemplate({ maxPhases: 4 }), planner, workflowId: id, limits: { eventsPerRun: 30 } });
    const v = await readTaskView(engine.env.client, id);
    expect(v.runIds.length).toBeGreaterThanOrEqual(3);
    expect(v.runIds.at(-1)).toBe(v.runId);
    expect(v.status).toBe('COMPLETED');
    expect(v.plan?.name).toBeTruthy();
    const planned = v.steps.filter((s) => s.record.provenance.createdBy === 'planning_step');
    expect(planned.map((s) => `${s.record.name}:${s.record.state}`)).toEqual(['a1:completed', 'b1:completed', 'a2:completed', 'b2:completed', 'a3:completed', 'b3:completed', 'a4:completed', 'b4:completed']);
    expect(v.steps.find((s) => s.record.name === 'b4')!.output).toEqual({ value: 45 });
    expect(v.planning.filter((p) => p.accepted).map((p) => p.phase)).toEqual([1, 2, 3, 4]);
    // The first phase's steps ran in the first run: their executions say so.
    expect(v.steps.find((s) => s.record.name === 'a1')!.executions[0]!.runId).toBe(v.runIds[0]);
    expect(v.steps.find((s) => s.record.name === 'b4')!.executions[0]!.runId).toBe(v.runId);
    expect(v.budget?.ledger.used.planningPhases).toBe(4);
  });
});
