/**
 * The task view of the saved histories of a task with slices and of a task that continued as
 * new (the replay fixtures the workflow side records): child-workflow events and
 * `continuedExecutionRunId` as the server writes them, read into one view of the task.
 */
import { readFileSync } from 'node:fs';
import { historyFromJSON } from '@temporalio/common/lib/proto-utils.js';
import { describe, expect, it } from 'vitest';
import { decodeHistory, type WeftEvent } from '../../src/history/events.js';
import { taskView } from '../../src/history/task-view.js';

function events(name: string): WeftEvent[] {
  const h = historyFromJSON(JSON.parse(readFileSync(new URL(`../replay/histories/${name}.json`, import.meta.url), 'utf8')));
  return decodeHistory(h.events ?? []);
}

const startedOf = (list: readonly WeftEvent[]) => list.find((e): e is Extract<WeftEvent, { kind: 'started' }> => e.kind === 'started')!;

describe('taskView of saved histories', () => {
  it('a task with slices: steps and executions from the slices read, each at its own history\'s event IDs', () => {
    const parent = events('slices');
    const parkedRun = parent.find((e): e is Extract<WeftEvent, { kind: 'child-started' }> => e.kind === 'child-started' && e.workflowId === 'replay-slices/plan#1')!.runId;
    const v = taskView(parent, {
      workflowId: 'replay-slices',
      runId: 'latest',
      nowMs: 0,
      slices: [
        { workflowId: 'replay-slices/plan#1', runId: parkedRun, events: events('slices-slice-parked') },
        { workflowId: 'replay-slices/fan#0', runId: 'fan-run', events: events('slices-slice-fan-out') },
      ],
    });
    const step = (name: string) => v.steps.find((s) => s.record.name === name)!;
    expect(v.status).toBe('COMPLETED');
    expect(v.slices.map((s) => [s.workflowId, s.step, s.index, s.status])).toEqual([
      ['replay-slices/plan#0', 'plan', 0, 'COMPLETED'],
      ['replay-slices/plan#1', 'plan', 1, 'COMPLETED'],
      ['replay-slices/plan#2', 'plan', 2, 'COMPLETED'],
    ]);
    expect(v.slices[1]!.runId).toBe(parkedRun);
    // The step parked in its slice and retried through the task: two executions in the slice's history.
    expect(step('p12').record).toMatchObject({ state: 'completed', executions: 2, operatorAction: 'retry by recorder' });
    expect(step('p12').executions.map((e) => [e.workflowId, e.runId, e.outcome])).toEqual([
      ['replay-slices/plan#1', parkedRun, 'failed'],
      ['replay-slices/plan#1', parkedRun, 'completed'],
    ]);
    const scheduledIn = (list: readonly WeftEvent[], name: string) => list.filter((e) => e.kind === 'activity-scheduled' && e.activityId === name).map((e) => e.id);
    expect(step('p12').executions.map((e) => e.scheduledEventId)).toEqual(scheduledIn(events('slices-slice-parked'), 'p12'));
    // A fan-out's partitions in a slice of their own, at that history's event IDs (which collide with the other slice's).
    expect(step('fan[0]').record).toMatchObject({ state: 'completed', spawnedBy: 'fan', provenance: { createdBy: 'batch_spawn' } });
    expect(step('fan[0]').executions.map((e) => [e.workflowId, e.scheduledEventId])).toEqual([['replay-slices/fan#0', scheduledIn(events('slices-slice-fan-out'), 'fan[0]')[0]]]);
    expect(step('fan[0]').executions[0]!.scheduledEventId).toBe(step('p9').executions[0]!.scheduledEventId);
    // Steps of the task's own history stay there.
    expect(step('seed').executions.map((e) => [e.workflowId, e.runId])).toEqual([['replay-slices', 'latest']]);
  });
  it('a task that continued as new: the plan and first steps from the first run, the end from the last', () => {
    const first = events('continue-as-new-first-run');
    const last = events('continue-as-new-last-run');
    const v = taskView(last, { workflowId: 'replay-continue-as-new', runId: 'last', nowMs: 0, earlierRuns: [{ workflowId: 'replay-continue-as-new', runId: startedOf(last).continuedExecutionRunId!, events: first }] });
    const firstRun = startedOf(last).continuedExecutionRunId!;
    const step = (name: string) => v.steps.find((s) => s.record.name === name)!;
    // (The fixtures keep the first and the last run; the runs between them are not saved.)
    expect(v.status).toBe('COMPLETED');
    expect(v.runIds).toEqual([firstRun, 'last']);
    expect(v.plan?.name).toBe('engine-test');
    expect(v.startedAtMs).toBe(startedOf(first).time);
    expect(v.planning.map((p) => [p.phase, p.accepted])).toEqual([
      [1, true],
      [4, true],
    ]);
    for (const name of ['seed', 'a1', 'b1']) expect(step(name).executions.map((e) => [e.runId, e.outcome])).toEqual([[firstRun, 'completed']]);
    for (const name of ['a4', 'b4', 'converge']) expect(step(name).executions.map((e) => [e.runId, e.outcome])).toEqual([['last', 'completed']]);
    // Read alone, the first run ended continuing as new; joined, the last run's close is the task's.
    const onlyFirst = taskView(first, { workflowId: 'replay-continue-as-new', runId: firstRun, nowMs: 0 });
    expect(onlyFirst.status).toBe('CONTINUED_AS_NEW');
    expect(v.result).not.toBeNull();
  });
});
