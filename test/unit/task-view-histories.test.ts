/**
 * One task, many histories: a saved history is cut into what a task with slices and
 * continue-as-new writes — an earlier run that continued as new, the latest run, and two slices
 * (child workflows) holding some of the steps with their parked and gate timers — every history
 * numbering its events from 1, so event IDs collide on purpose. The joined view must be the
 * single history's view, with each execution naming the history that holds it.
 */
import { readFileSync } from 'node:fs';
import { historyFromJSON } from '@temporalio/common/lib/proto-utils.js';
import { describe, expect, it } from 'vitest';
import { GATE_LABEL, labelledStep, PARKED_LABEL } from '../../src/core/operator-labels.js';
import { decodeHistory, type WeftEvent } from '../../src/history/events.js';
import type { HistoryPart } from '../../src/history/histories.js';
import { taskView, type TaskView, type TaskViewOptions } from '../../src/history/task-view.js';

const TASK = 'task-1';
const RUN_1 = 'run-1';
const RUN_2 = 'run-2';

function events(name: string): WeftEvent[] {
  const h = historyFromJSON(JSON.parse(readFileSync(new URL(`../replay/histories/${name}.json`, import.meta.url), 'utf8')));
  return decodeHistory(h.events ?? []);
}

/** 'parent', or the slice's name. */
type Home = string;

/** Renumbers a history's events from 1 (as Temporal does), fixing the references within it. */
function renumber(list: readonly WeftEvent[]): WeftEvent[] {
  const ids = new Map<number, number>();
  let next = 1;
  const out: WeftEvent[] = [];
  for (const e of list) {
    const id = next++;
    ids.set(e.id, id);
    if ('scheduledId' in e) {
      const s = ids.get(e.scheduledId);
      if (s !== undefined) out.push({ ...e, id, scheduledId: s });
    } else if ('startedId' in e) {
      const s = ids.get(e.startedId);
      if (s !== undefined) out.push({ ...e, id, startedId: s });
    } else if ('initiatedId' in e) {
      out.push({ ...e, id, initiatedId: ids.get(e.initiatedId) ?? 0 });
    } else out.push({ ...e, id });
  }
  return out;
}

interface Split {
  readonly latest: WeftEvent[];
  readonly options: TaskViewOptions;
}

/**
 * Cuts one history into two runs (run 2 starts at the workflow task with ID `runBreak`) and a
 * slice per entry of `slices` (the steps whose activities and labelled timers it holds).
 * `closeSlices`: the slices ran to the end (else they are still running).
 */
function split(all: readonly WeftEvent[], runBreak: number, slices: Readonly<Record<string, readonly string[]>>, closeSlices: boolean): Split {
  const sliceOfStep = new Map<string, string>();
  for (const [slice, steps] of Object.entries(slices)) for (const s of steps) sliceOfStep.set(s, slice);
  const homeOf = new Map<number, Home>();
  const home = (e: WeftEvent): Home => {
    if (e.kind === 'activity-scheduled') return sliceOfStep.get(e.activityId) ?? 'parent';
    if (e.kind === 'timer-started') {
      const step = labelledStep(e.summary, PARKED_LABEL) ?? labelledStep(e.summary, GATE_LABEL);
      return (step !== null ? sliceOfStep.get(step) : undefined) ?? 'parent';
    }
    if ('scheduledId' in e) return homeOf.get(e.scheduledId) ?? 'parent';
    if ('startedId' in e) return homeOf.get(e.startedId) ?? 'parent';
    return 'parent';
  };
  const started = all[0] as Extract<WeftEvent, { kind: 'started' }>;
  const run1: WeftEvent[] = [];
  const run2: WeftEvent[] = [];
  const inSlice = new Map<string, WeftEvent[]>(Object.keys(slices).map((s) => [s, []]));
  for (const e of all) {
    const h = home(e);
    homeOf.set(e.id, h);
    if (e.kind === 'workflow-task-started') {
      // Every history has workflow tasks; the slices' run when the task's do (same workflow clock).
      for (const list of inSlice.values()) list.push(e);
      (e.id < runBreak ? run1 : run2).push(e);
    } else if (h !== 'parent') inSlice.get(h)!.push(e);
    else if (e.id < runBreak) run1.push(e);
    else if (e.kind !== 'started') run2.push(e);
  }
  const breakAt = all.find((e) => e.id === runBreak)!.time;
  const loaded = all.find((e): e is Extract<WeftEvent, { kind: 'activity-completed' }> => e.kind === 'activity-completed' && (e.result as { plan?: unknown } | null)?.plan !== undefined);
  const carriedMemo: Record<string, unknown> = {};
  for (const e of run1) if (e.kind === 'memo') Object.assign(carriedMemo, e.fields);
  // Run 1 ends in the workflow task that continued as new; run 2 starts with what it carried.
  run1.push({ kind: 'workflow-task-started', id: runBreak - 0.5, time: breakAt }, { kind: 'closed', id: runBreak - 0.25, time: breakAt, status: 'CONTINUED_AS_NEW', result: null, failure: null });
  const plan = (loaded?.result as { plan: unknown } | undefined)?.plan ?? (started.input as { plan: unknown }).plan;
  const children: WeftEvent[] = [];
  const closes: WeftEvent[] = [];
  const parts: HistoryPart[] = [];
  for (const [i, [slice, list]] of [...inSlice.entries()].entries()) {
    const workflowId = `${TASK}.slice-${slice}`;
    const runId = `run-${slice}`;
    children.push(
      { kind: 'child-initiated', id: 900 + i * 10, time: breakAt, workflowId, workflowType: 'weftSlice', memo: { weft_slice: { task: TASK, step: slice, index: i } } },
      { kind: 'child-started', id: 901 + i * 10, time: breakAt, initiatedId: 900 + i * 10, workflowId, runId },
    );
    const sliceStart: WeftEvent = { kind: 'started', id: 0, time: breakAt, input: { steps: slices[slice] }, taskQueue: started.taskQueue, continuedExecutionRunId: null, memo: { weft_slice: { task: TASK, step: slice, index: i } } };
    const body = list.filter((e) => e.time >= breakAt || e.kind !== 'workflow-task-started');
    const last = all[all.length - 1]!;
    const ended: WeftEvent[] = closeSlices ? [{ kind: 'closed', id: 10_000, time: last.time, status: 'COMPLETED', result: null, failure: null }] : [];
    if (closeSlices) closes.push({ kind: 'child-closed', id: 950 + i, time: last.time, initiatedId: 900 + i * 10, workflowId, runId, status: 'COMPLETED', failure: null });
    parts.push({ workflowId, runId, events: renumber([sliceStart, ...body, ...ended]) });
  }
  const closed = run2.at(-1)?.kind === 'closed' ? [run2.pop()!] : [];
  const start2: WeftEvent = { kind: 'started', id: 0, time: breakAt, input: { plan, input: {}, carried: {} }, taskQueue: started.taskQueue, continuedExecutionRunId: RUN_1, memo: carriedMemo };
  const latest = renumber([start2, run2[0]!, ...children, ...run2.slice(1), ...closes, ...closed]);
  return { latest, options: { workflowId: TASK, runId: RUN_2, nowMs: 0, earlierRuns: [{ workflowId: TASK, runId: RUN_1, events: renumber(run1) }], slices: parts } };
}

/** A view without where things ran: what must not depend on how the task was cut. */
function placeless(v: TaskView) {
  return v.steps.map((s) => ({ ...s, executions: s.executions.map(({ workflowId: _w, runId: _r, scheduledEventId: _e, ...rest }) => rest) }));
}

const step = (v: TaskView, name: string) => v.steps.find((s) => s.record.name === name)!;

/** The scheduled event of `step`'s activity in a history, by activity ID. */
const scheduledIn = (list: readonly WeftEvent[], name: string) => list.filter((e) => e.kind === 'activity-scheduled' && e.activityId === name).map((e) => e.id);

describe('taskView across runs and slices', () => {
  it('a fan-out whose partitions ran in two slices, in a task that continued as new: the same steps, states, outputs and executions as one history', () => {
    const all = events('fan-out');
    const whole = taskView(all, { workflowId: TASK, runId: RUN_2, nowMs: 0 });
    const { latest, options } = split(all, 47, { a: ['fan[0]', 'fan[1]', 'fan[2]', 'fan[3]'], b: ['fan[4]', 'fan[5]', 'fan[6]', 'fan[7]'] }, true);
    const v = taskView(latest, options);
    expect(placeless(v)).toEqual(placeless(whole));
    expect(v.status).toBe('COMPLETED');
    expect(v.plan).toEqual(whole.plan);
    expect(v.budget).toEqual(whole.budget);
    expect(v.planning).toEqual(whole.planning);
    expect(v.result).toEqual(whole.result);
    expect(v.startedAtMs).toBe(whole.startedAtMs);
    expect(v.runIds).toEqual([RUN_1, RUN_2]);
    expect(v.slices.map((s) => [s.workflowId, s.step, s.index, s.status])).toEqual([
      [`${TASK}.slice-a`, 'a', 0, 'COMPLETED'],
      [`${TASK}.slice-b`, 'b', 1, 'COMPLETED'],
    ]);
    // Each execution names the history holding it, with the event ID of that history.
    const [sliceA, sliceB] = options.slices!;
    const fan1 = step(v, 'fan[1]').executions;
    expect(fan1.map((e) => [e.workflowId, e.runId, e.outcome])).toEqual([
      [`${TASK}.slice-a`, 'run-a', 'failed'],
      [`${TASK}.slice-a`, 'run-a', 'completed'],
    ]);
    expect(fan1.map((e) => e.scheduledEventId)).toEqual(scheduledIn(sliceA!.events, 'fan[1]'));
    expect(step(v, 'fan[4]').executions.map((e) => e.scheduledEventId)).toEqual(scheduledIn(sliceB!.events, 'fan[4]'));
    expect(step(v, 'seed').executions.map((e) => [e.workflowId, e.runId, e.scheduledEventId])).toEqual([[TASK, RUN_1, scheduledIn(options.earlierRuns![0]!.events, 'seed')[0]]]);
    expect(step(v, 'after').executions.map((e) => [e.workflowId, e.runId, e.scheduledEventId])).toEqual([[TASK, RUN_2, scheduledIn(latest, 'after')[0]]]);
    // The IDs collide across histories: that is why each is read on its own.
    const fan0 = scheduledIn(sliceA!.events, 'fan[0]')[0];
    expect(sliceB!.events.some((e) => e.id === fan0)).toBe(true);
    expect(latest.some((e) => e.id === fan0)).toBe(true);
  });

  it('while it runs: the earlier run closing with CONTINUED_AS_NEW is not the end; the fan-out parks before the retry', () => {
    const all = events('fan-out');
    const cut = all.slice(0, all.findIndex((e) => e.kind === 'update-accepted'));
    const whole = taskView(cut, { workflowId: TASK, runId: RUN_2, nowMs: 0 });
    const { latest, options } = split(cut, 47, { a: ['fan[0]', 'fan[1]', 'fan[2]', 'fan[3]'], b: ['fan[4]', 'fan[5]', 'fan[6]', 'fan[7]'] }, false);
    const v = taskView(latest, options);
    expect(v.status).toBe('RUNNING');
    expect(v.closedAtMs).toBeNull();
    expect(step(v, 'fan').record.state).toBe('parked');
    expect(step(v, 'after').record.state).toBe('pending');
    expect(placeless(v)).toEqual(placeless(whole));
    expect(v.slices.map((s) => s.status)).toEqual(['RUNNING', 'RUNNING']);
  });

  it('a parked step and a gate waiting in slices: parked, then skipped and approved by decisions the task accepted', () => {
    const all = events('operator-history');
    const slices = { s1: ['broken'], s2: ['approval'] };
    const done = split(all, 42, slices, true);
    const v = taskView(done.latest, done.options);
    expect(placeless(v)).toEqual(placeless(taskView(all, { workflowId: TASK, runId: RUN_2, nowMs: 0 })));
    expect(step(v, 'broken').record).toMatchObject({ state: 'skipped', operatorAction: 'skip by recorder: known bad row' });
    expect(step(v, 'broken').executions.map((e) => e.workflowId)).toEqual([`${TASK}.slice-s1`]);
    expect(step(v, 'approval').record.state).toBe('completed');
    expect(v.planning.map((p) => [p.attempt, p.accepted])).toEqual([
      [1, false],
      [2, true],
    ]);

    const parkedAt = all.findIndex((e) => e.kind === 'update-accepted');
    const parked = split(all.slice(0, parkedAt), 42, slices, false);
    const p = taskView(parked.latest, parked.options);
    expect(p.state).toBe('parked');
    expect(step(p, 'broken').record.state).toBe('parked');
    expect(step(p, 'broken').parkedSinceMs).not.toBeNull();
    expect(step(p, 'approval').record.state).toBe('running');
    expect(step(p, 'after').record.state).toBe('pending');
  });

  it('a slice that was cancelled mid-step: what it left running ended with it; a parked timer it left does not park the step', () => {
    const all = events('operator-history');
    const parkedAt = all.findIndex((e) => e.kind === 'update-accepted');
    const { latest, options } = split(all.slice(0, parkedAt), 42, { s1: ['broken'] }, false);
    const slice = options.slices![0]!;
    const last = slice.events.at(-1)!;
    const cancelled: HistoryPart = { ...slice, events: [...slice.events, { kind: 'closed', id: last.id + 1, time: last.time + 5, status: 'CANCELLED', result: null, failure: null }] };
    const v = taskView(latest, { ...options, slices: [cancelled] });
    expect(step(v, 'broken').record.state).not.toBe('parked');
  });

  it('the old call without earlier runs or slices reads one history as before', () => {
    const all = events('fan-out');
    const v = taskView(all, { workflowId: TASK, runId: 'r', nowMs: 0 });
    expect(v.runIds).toEqual(['r']);
    expect(v.slices).toEqual([]);
    expect(step(v, 'fan[1]').executions.every((e) => e.workflowId === TASK && e.runId === 'r')).toBe(true);
  });
});
