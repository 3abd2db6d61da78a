/**
 * The task view built from saved histories alone (no server, no worker): what `weft inspect` and
 * `weft dlq list` show, including the shapes patch `weft-10-operator-history` writes.
 */
import { readFileSync } from 'node:fs';
import { historyFromJSON } from '@temporalio/common/lib/proto-utils.js';
import { describe, expect, it } from 'vitest';
import { decodeHistory, type WeftEvent } from '../../src/history/events.js';
import { taskView, type TaskView } from '../../src/history/task-view.js';

function events(name: string): WeftEvent[] {
  const h = historyFromJSON(JSON.parse(readFileSync(new URL(`../replay/histories/${name}.json`, import.meta.url), 'utf8')));
  return decodeHistory(h.events ?? []);
}

function view(name: string, cut?: (e: WeftEvent) => boolean): TaskView {
  let list = events(name);
  if (cut) list = list.slice(0, list.findIndex(cut));
  return taskView(list, { workflowId: name, runId: 'r', nowMs: 0 });
}

const state = (v: TaskView, step: string) => v.steps.find((s) => s.record.name === step)?.record.state;

describe('taskView', () => {
  it('the example: 12 steps completed, the accepted fragment, the planning step output as the convergence saw it', () => {
    const v = view('order-triage');
    expect(v.status).toBe('COMPLETED');
    expect(v.steps).toHaveLength(12);
    expect(v.steps.every((s) => s.record.state === 'completed')).toBe(true);
    expect(v.planning.map((p) => [p.attempt, p.accepted])).toEqual([[1, true]]);
    const plan = v.steps.find((s) => s.record.name === 'plan_processing')!;
    const converge = v.steps.find((s) => s.record.name === 'summarize_results')!;
    expect((converge.input as { results: unknown }).results).toEqual((plan.output as { results: unknown }).results);
    expect(plan.planningMs).not.toBeNull();
    expect(v.budget?.line).toBe('12/40 steps, 1/2 phases, 0/8 LLM calls, $0.00/$2.00');
  });

  it('a fan-out: children with batch_spawn provenance, retried executions, the parked fan-out before the retry', () => {
    const v = view('fan-out');
    const kids = v.steps.filter((s) => s.record.spawnedBy === 'fan');
    expect(kids).toHaveLength(8);
    expect(kids.every((k) => k.record.provenance.createdBy === 'batch_spawn')).toBe(true);
    expect(state(v, 'fan')).toBe('completed');
    expect(v.steps.find((s) => s.record.name === 'fan[1]')!.executions.map((e) => e.outcome)).toEqual(['failed', 'completed']);
    // Cut the history just before the operator's retry: the fan-out is parked (from WeftState; no timer then).
    const before = view('fan-out', (e) => e.kind === 'update-accepted');
    expect(before.status).toBe('RUNNING');
    expect(state(before, 'fan')).toBe('parked');
    expect(state(before, 'after')).toBe('pending');
  });

  it('a fan-out nothing depends on is completed, when its last child was, once the task completed', () => {
    // The fan-out fixture without its step 'after': no later step starts to say the fan-out is done.
    const withoutAfter = events('fan-out').flatMap((e): WeftEvent[] => {
      if (e.kind === 'activity-scheduled' && e.activityId === 'after') return [];
      if (e.kind !== 'activity-completed') return [e];
      const result = e.result as { output?: { steps?: { name: string }[] } } | null;
      if (!result?.output?.steps) return [e];
      return [{ ...e, result: { ...result, output: { ...result.output, steps: result.output.steps.filter((s) => s.name !== 'after') } } }];
    });
    const v = taskView(withoutAfter, { workflowId: 'fan-out', runId: 'r', nowMs: 0 });
    expect(v.status).toBe('COMPLETED');
    expect(v.steps.some((s) => s.record.name === 'after')).toBe(false);
    const fan = v.steps.find((s) => s.record.name === 'fan')!.record;
    expect(fan.state).toBe('completed');
    const lastChild = Math.max(...v.steps.filter((s) => s.record.spawnedBy === 'fan').map((s) => s.record.finishedAtMs!));
    expect(fan.finishedAtMs).toBe(lastChild);
    // Before the task completed, the same fan-out is still running or parked, as before.
    const running = taskView(withoutAfter.filter((e) => e.kind !== 'closed'), { workflowId: 'fan-out', runId: 'r', nowMs: 0 });
    expect(running.steps.find((s) => s.record.name === 'fan')!.record.state).toBe('running');
  });

  it('operator history: the rejected attempt from the memo, the parked step on its timer, the skip, the gate', () => {
    const v = view('operator-history');
    expect(v.planning.map((p) => [p.attempt, p.accepted, p.diagnostics[0]?.code ?? null])).toEqual([
      [1, false, 'HANDLER_UNKNOWN'],
      [2, true, null],
    ]);
    expect(state(v, 'broken')).toBe('skipped');
    expect(v.steps.find((s) => s.record.name === 'broken')!.record.operatorAction).toBe('skip by recorder: known bad row');
    expect(v.steps.find((s) => s.record.name === 'broken')!.output).toEqual({ ok: true, label: 'given' });
    expect(state(v, 'approval')).toBe('completed');
    expect(v.steps.find((s) => s.record.name === 'approval')!.output).toMatchObject({ outcome: 'approved', by: 'recorder' });
    expect(state(v, 'after')).toBe('completed');
    expect(v.result).toMatchObject({ partial: true, reason: expect.stringMatching(/'broken' was skipped by an operator/) as unknown });
    const parked = view('operator-history', (e) => e.kind === 'update-accepted');
    expect(parked.state).toBe('parked');
    expect(state(parked, 'broken')).toBe('parked');
    expect(parked.steps.find((s) => s.record.name === 'broken')!.parkedSinceMs).not.toBeNull();
    const waiting = view('operator-history', (e) => e.kind === 'update-accepted' && e.name === 'weft.gate');
    expect(state(waiting, 'approval')).toBe('running');
    expect(state(waiting, 'after')).toBe('pending');
  });

  it('a closed failed task: what never ran is not_run, what ran on is failed', () => {
    const all = events('operator-history');
    const cut = all.slice(0, all.findIndex((e) => e.kind === 'update-accepted'));
    const failed: WeftEvent = { kind: 'closed', id: 10_000, time: cut[cut.length - 1]!.time + 1, status: 'FAILED', result: null, failure: { type: 'STEP_FAILED', message: 'boom' } };
    const v = taskView([...cut, failed], { workflowId: 'x', runId: 'r', nowMs: 0 });
    expect(v.state).toBe('failed');
    expect(state(v, 'after')).toBe('not_run');
    expect(state(v, 'converge')).toBe('not_run');
    expect(state(v, 'plan')).toBe('failed');
  });
});
