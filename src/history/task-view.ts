/**
 * A task as its history tells it: plan, step table with states, timing and attempts, every
 * planning attempt with its outcome, budget and result — the data behind `weft inspect`,
 * `weft dlq list` and `weft ui`, read with no worker running and on closed tasks alike. Pure:
 * decoded events in, a view out.
 *
 * Times are the workflow clock (the start of the workflow task that saw an event), so a step's
 * times match what the workflow itself recorded.
 */
import { budgetLine, remaining, type BudgetLedger } from '../core/budget.js';
import { isBlobRef } from '../core/blob.js';
import { childStepName } from '../core/fan-out.js';
import type { Fragment } from '../core/fragment.js';
import { FAN_OUT_HANDLER } from '../core/fan-out.js';
import { GATE_HANDLER } from '../core/gate.js';
import { isJsonObject, jsonByteLength, type JsonValue } from '../core/json.js';
import { GATE_LABEL, labelledStep, PARKED_LABEL } from '../core/operator-labels.js';
import type { CompiledPlan } from '../core/plan.js';
import type { PlanningOutcome } from '../core/planning-outcome.js';
import { TEMPLATE_PROVENANCE, newStepRecord, type Provenance, type StepError, type StepRecord, type StepState } from '../core/steps.js';
import { taskInputFor } from '../core/task-input.js';
import { parseFragment } from '../core/validator/parse.js';
import type { PlanningRequest, PlanningResult } from '../planner/types.js';
import type { BudgetView, PlanningAttempt, TaskResult, TaskState } from '../../workflows/definitions.js';
import type { ChildClosedStatus, ClosedStatus, EventFailure, WeftEvent } from './events.js';
import { inTimeOrder, readHistory, settleOpen, SLICE_TYPE, type Activity, type Decision, type HistoryPart, type HistoryRead, type Timer } from './histories.js';

/** A step's state as operators read it: `not_run` for steps a closed task never started. */
export type StepViewState = StepState | 'not_run';

/** One activity execution of a step (one `weft dlq retry` starts another). */
export interface ExecutionView {
  /**
   * The workflow and run whose history holds it: the task's, an earlier run of the task (it
   * continued as new), or a slice's (a child workflow running part of the task's steps).
   */
  readonly workflowId: string;
  readonly runId: string;
  /** The activity's scheduled event in that history (for a link into the Temporal Web UI). */
  readonly scheduledEventId: number;
  /** When the workflow scheduled it, when its last attempt started, when it closed (epoch ms). */
  readonly scheduledAtMs: number;
  readonly startedAtMs: number | null;
  readonly closedAtMs: number | null;
  /** Temporal attempts of this execution (retries included). */
  readonly attempts: number;
  readonly outcome: 'scheduled' | 'running' | 'completed' | 'failed' | 'cancelled';
  readonly error: StepError | null;
  /** The failure of the attempt before the last one, when it was retried. */
  readonly lastFailure: StepError | null;
}

/** The step record the workflow keeps, with `not_run` as a state. */
export type StepViewRecord = Omit<StepRecord, 'state'> & { state: StepViewState };

/** A step: the record the workflow keeps, with its input, output and executions (layer 4). */
export interface StepView {
  readonly record: StepViewRecord;
  readonly input: JsonValue | null;
  readonly output: JsonValue | null;
  readonly executions: readonly ExecutionView[];
  /** For a planning step: time spent in planning calls, apart from running its fragments. */
  readonly planningMs: number | null;
  /** Set while the step is parked: since when (epoch ms). */
  readonly parkedSinceMs: number | null;
}

/** Everything the operator tools show of one task. */
export interface TaskView {
  readonly workflowId: string;
  readonly runId: string;
  readonly taskQueue: string;
  /** Temporal's status: RUNNING or how the run closed. */
  readonly status: 'RUNNING' | ClosedStatus;
  /** weft's state: `parked` when a step waits for an operator. */
  readonly state: TaskState;
  readonly plan: CompiledPlan | null;
  readonly input: JsonValue | null;
  readonly steps: readonly StepView[];
  readonly planning: readonly PlanningAttempt[];
  readonly budget: BudgetView | null;
  readonly result: TaskResult | null;
  readonly failure: EventFailure | null;
  readonly startedAtMs: number;
  readonly closedAtMs: number | null;
  /** Every run of the task's workflow ID read, oldest first; the last is `runId`. */
  readonly runIds: readonly string[];
  /** The task's slices (child workflows running part of its steps), in the order they were started. */
  readonly slices: readonly SliceView[];
}

/** A slice of the task: a child workflow that ran part of its steps. Operators address the task, not the slice. */
export interface SliceView {
  readonly workflowId: string;
  /** Null until it started. */
  readonly runId: string | null;
  /** The fan-out or planning step whose steps it runs, and its index among that step's slices. */
  readonly step: string | null;
  readonly index: number | null;
  readonly status: 'STARTING' | 'RUNNING' | ChildClosedStatus;
  readonly closedAtMs: number | null;
}

/** What the view needs besides the events. */
export interface TaskViewOptions {
  /** The task's workflow ID and the run `events` are the history of (the latest). */
  readonly workflowId: string;
  readonly runId: string;
  /** The clock for what remains of a running task's budget. */
  readonly nowMs: number;
  /** Earlier runs of the task (it continued as new), oldest first. The plan comes from the first. */
  readonly earlierRuns?: readonly HistoryPart[];
  /** Histories of the task's slices, in any order; a slice not started yet simply has none. */
  readonly slices?: readonly HistoryPart[];
}

/** Builds a task's view from its decoded history: the latest run's, plus its earlier runs and slices when given. */
export function taskView(events: readonly WeftEvent[], options: TaskViewOptions): TaskView {
  const latest = readHistory(events, { workflowId: options.workflowId, runId: options.runId });
  const earlier = (options.earlierRuns ?? []).map((p) => readHistory(p.events, p));
  const slices = (options.slices ?? []).map((p) => readHistory(p.events, p));
  // What an earlier run or a slice left open when it closed ended with it; the latest run's close is the task's.
  for (const h of [...earlier, ...slices]) settleOpen(h);
  const runs = [...earlier, latest];
  const all = [...runs, ...slices];
  const acts = inTimeOrder(all.flatMap((h) => h.acts), (a) => a.wfScheduledAt);
  const timers = inTimeOrder(all.flatMap((h) => h.timers), (t) => t.started.time);
  // Operators address the task: their decisions are updates of its runs (the task forwards them to a slice).
  const decisions = new Map<string, Decision[]>();
  for (const d of runs.flatMap((h) => h.decisions)) decisions.set(d.step, [...(decisions.get(d.step) ?? []), d]);
  // Memo and state: a continued run starts with what the previous one carried, then upserts its own.
  let memo: Record<string, unknown> = {};
  let weftState: string | null = null;
  for (const h of runs) {
    memo = { ...memo, ...h.memo };
    weftState = h.weftState ?? weftState;
  }
  const first = runs[0] as HistoryRead;
  const started = first.started;
  const firstWft = first.firstWft;
  const closed = latest.closed;
  const wfNow = latest.lastWft;
  const closedAt = closed ? closed.time : null;
  const lastWft = wfNow;

  // The plan and input: the workflow input, or what the template-loading activity returned.
  let plan: CompiledPlan | null = null;
  let input: JsonValue | null = null;
  // The ledger opens when the plan is there: the first workflow task, or when the loaded plan was seen.
  let ledgerStart = firstWft ?? started?.time ?? 0;
  const startInput = started?.input as { plan?: CompiledPlan; template?: string; input?: JsonValue } | null | undefined;
  if (startInput?.plan) {
    plan = startInput.plan;
    const checked = taskInputFor(plan, startInput.input);
    input = checked.ok ? checked.input : (startInput.input ?? null);
  } else {
    const load = acts.find((a) => a.scheduled.activityType === 'weftLoadTemplate' && a.closed?.kind === 'activity-completed');
    const loaded = load?.closed?.kind === 'activity-completed' ? (load.closed.result as { plan: CompiledPlan; input: JsonValue }) : null;
    plan = loaded?.plan ?? null;
    ledgerStart = load?.wfClosedAt ?? ledgerStart;
    input = loaded?.input ?? (startInput?.input ?? null);
  }

  const planning = planningAttempts(acts, memo);
  const steps = buildSteps(plan, acts, timers, decisions, planning, memo, { closed, lastWft, weftState });
  const ledger = budgetLedger(memo, ledgerStart);
  const budget = ledger ? { ledger, remaining: remaining(ledger, closed ? lastWft : options.nowMs), line: budgetLine(ledger) } : null;
  const state: TaskState = closed
    ? closed.status === 'COMPLETED'
      ? 'completed'
      : 'failed'
    : steps.some((s) => s.record.state === 'parked')
      ? 'parked'
      : ((weftState as TaskState | null) ?? 'starting');
  return {
    workflowId: options.workflowId,
    runId: options.runId,
    taskQueue: latest.started?.taskQueue ?? started?.taskQueue ?? '',
    status: closed ? closed.status : 'RUNNING',
    state,
    plan,
    input,
    steps,
    planning,
    budget,
    result: closed?.status === 'COMPLETED' ? (closed.result as TaskResult) : null,
    failure: closed?.failure ?? null,
    startedAtMs: started?.time ?? 0,
    closedAtMs: closedAt,
    runIds: runs.map((h) => h.place.runId),
    slices: sliceViews(all),
  };
}

/** The slices every history started (a slice may start slices too), from their parents' child events. */
function sliceViews(histories: readonly HistoryRead[]): SliceView[] {
  const out: SliceView[] = [];
  for (const c of histories.flatMap((h) => h.children)) {
    if (c.workflowType !== SLICE_TYPE) continue;
    const m = c.memo['weft_slice'] as { step?: unknown; index?: unknown } | undefined;
    out.push({
      workflowId: c.workflowId,
      runId: c.runId,
      step: typeof m?.step === 'string' ? m.step : null,
      index: typeof m?.index === 'number' ? m.index : null,
      status: c.status,
      closedAtMs: c.closedAtMs,
    });
  }
  return out;
}

function budgetLedger(memo: Record<string, unknown>, startedAtMs: number): BudgetLedger | null {
  const b = memo['weft_budget'] as Pick<BudgetLedger, 'limits' | 'used' | 'exhausted'> | undefined;
  if (!b || !b.limits || !b.used) return null;
  return { limits: b.limits, used: b.used, startedAtMs, exhausted: b.exhausted ?? null };
}

/** Every planning attempt: the planning activities, with outcomes from the memo (or, for histories before it kept them, from the next attempt's input). */
function planningAttempts(acts: readonly Activity[], memo: Record<string, unknown>): PlanningAttempt[] {
  const outcomes = Array.isArray(memo['weft_planning']) ? (memo['weft_planning'] as PlanningOutcome[]) : null;
  const calls = acts.filter((a) => a.scheduled.activityType === 'weftPlan');
  const out: PlanningAttempt[] = [];
  const key = (step: string, phase: number, attempt: number, source: string) => `${step}|${phase}|${attempt}|${source}`;
  const outcomeOf = new Map((outcomes ?? []).map((o) => [key(o.step, o.phase, o.attempt, o.source), o]));
  for (const [i, a] of calls.entries()) {
    const req = a.scheduled.input as PlanningRequest;
    const res = a.closed?.kind === 'activity-completed' ? (a.closed.result as PlanningResult) : null;
    const error = a.closed?.kind === 'activity-failed' ? a.closed.failure : null;
    const o = outcomeOf.get(key(req.planningStep, req.phase, req.attempt, 'planner'));
    // Before outcomes were kept: a later attempt of the same phase carries this one's diagnostics.
    const later = calls.slice(i + 1).map((c) => c.scheduled.input as PlanningRequest).find((r) => r.planningStep === req.planningStep && r.phase === req.phase);
    const fed = later?.failures.find((f) => f.attempt === req.attempt);
    const diagnostics = o ? o.diagnostics : (fed?.diagnostics ?? []);
    const accepted = o ? o.accepted : res !== null && !fed && later === undefined && acceptedLater(acts, req.planningStep, req.phase);
    const fragmentId = o ? o.fragmentId : accepted ? fragmentIdOf(acts, req.planningStep, req.phase) : null;
    if (!res && !error && !o) {
      if (a.closed === null) continue; // still planning: not an attempt yet
    }
    out.push({
      planningStep: req.planningStep,
      phase: req.phase,
      attempt: req.attempt,
      source: 'planner',
      accepted,
      fragmentId,
      output: res?.output ?? null,
      fragment: res ? fragmentOf(res.output) : null,
      diagnostics,
      capabilities: req.capabilities.map((c) => c.name),
      planner: res?.planner ?? null,
      model: res?.model ?? null,
      inputTokens: res?.inputTokens ?? 0,
      outputTokens: res?.outputTokens ?? 0,
      costUsd: res?.costUsd ?? 0,
      latencyMs: res?.latencyMs ?? 0,
      llmCalls: res?.llmCalls ?? 0,
      prompt: res?.prompt ?? null,
      promptRef: res?.promptRef ?? null,
      context: res?.context ?? null,
      usage: res?.usage ?? null,
      outputMode: res?.outputMode ?? null,
      thinking: res?.thinking ?? null,
      error,
      atMs: a.wfClosedAt ?? a.wfScheduledAt,
    });
  }
  // The template's fallback fragment is validated in the workflow, with no activity: only the memo knows.
  for (const o of outcomes ?? []) {
    if (o.source !== 'fallback') continue;
    const at = out.findIndex((x) => x.planningStep === o.step && (x.phase > o.phase || (x.phase === o.phase && x.attempt > o.attempt)));
    const record: PlanningAttempt = {
      planningStep: o.step,
      phase: o.phase,
      attempt: o.attempt,
      source: 'fallback',
      accepted: o.accepted,
      fragmentId: o.fragmentId,
      output: null,
      fragment: null,
      diagnostics: o.diagnostics,
      capabilities: [],
      planner: null,
      model: null,
      inputTokens: 0,
      outputTokens: 0,
      costUsd: 0,
      latencyMs: 0,
      llmCalls: 0,
      prompt: null,
      promptRef: null,
      context: null,
      error: null,
      atMs: 0,
    };
    if (at < 0) out.push(record);
    else out.splice(at, 0, record);
  }
  return out;
}

function fragmentOf(output: unknown): Fragment | null {
  const parsed = parseFragment(output, Number.MAX_SAFE_INTEGER);
  return parsed.kind === 'parsed' ? parsed.fragment : null;
}

function provenanceOf(a: Activity): Provenance | null {
  const p = (a.scheduled.input as { provenance?: Provenance } | null)?.provenance;
  return p && typeof p.createdBy === 'string' ? p : null;
}

function fragmentIdOf(acts: readonly Activity[], step: string, phase: number): string | null {
  for (const a of acts) {
    const p = provenanceOf(a);
    if (p && p.planningStep === step && p.planningPhase === phase && p.fragmentId) return p.fragmentId;
  }
  return null;
}

function acceptedLater(acts: readonly Activity[], step: string, phase: number): boolean {
  return fragmentIdOf(acts, step, phase) !== null;
}

/** Activities the workflow runs for itself, not as a step's execution (whatever their activity ID). */
const INTERNAL_ACTIVITIES: ReadonlySet<string> = new Set(['weftLoadTemplate', 'weftCountItems', 'weftStoreValue', 'weftJoinOutputs']);

interface Ctx {
  readonly closed: Extract<WeftEvent, { kind: 'closed' }> | null;
  readonly lastWft: number;
  readonly weftState: string | null;
}

/** The step table: frame steps, planned steps of accepted fragments, visible summarize steps, fan-out children. */
function buildSteps(
  plan: CompiledPlan | null,
  acts: readonly Activity[],
  timers: readonly Timer[],
  decisions: ReadonlyMap<string, readonly Decision[]>,
  planning: readonly PlanningAttempt[],
  memo: Record<string, unknown>,
  ctx: Ctx,
): StepView[] {
  const records = new Map<string, StepRecord>();
  const add = (r: StepRecord) => {
    if (!records.has(r.name)) records.set(r.name, r);
  };
  for (const s of plan?.steps ?? []) {
    add(newStepRecord({ name: s.name, kind: s.kind, handler: s.kind === 'planning' ? null : s.handler, dependencies: s.dependencies, provenance: TEMPLATE_PROVENANCE }));
  }
  const byStep = new Map<string, Activity[]>();
  for (const a of acts) {
    if (INTERNAL_ACTIVITIES.has(a.scheduled.activityType)) continue;
    const name = a.scheduled.activityId;
    const list = byStep.get(name) ?? [];
    list.push(a);
    byStep.set(name, list);
  }
  // Steps in the order the workflow made them: the memo's table is that order (children aside).
  const accepted = planning.filter((p) => p.accepted);
  const fragmentSteps = new Map<string, { step: Fragment['steps'][number]; provenance: Provenance }>();
  for (const p of accepted) {
    const fragment = p.source === 'fallback' ? fallbackOf(plan, p.planningStep) : p.fragment;
    for (const s of fragment?.steps ?? []) {
      fragmentSteps.set(s.name, {
        step: s,
        provenance: {
          createdBy: 'planning_step',
          planningStep: p.planningStep,
          fragmentId: p.fragmentId,
          planningPhase: p.phase,
          planningReasoning: s.reasoning || (p.source === 'fallback' ? `fallback: ${fragment?.reasoning ?? ''}` : (fragment?.reasoning ?? '')),
        },
      });
    }
  }
  const memoRows = Array.isArray(memo['weft_steps']) ? (memo['weft_steps'] as unknown[][]) : [];
  const order = [...memoRows.map((r) => String(r[0])), ...fragmentSteps.keys(), ...byStep.keys()];
  const spawned = isJsonObject(memo['weft_spawned']) ? (memo['weft_spawned'] as Record<string, number>) : {};
  for (const name of order) {
    if (records.has(name)) continue;
    const f = fragmentSteps.get(name);
    const first = byStep.get(name)?.[0];
    const p = first ? provenanceOf(first) : null;
    if (f) {
      add(newStepRecord({ name, kind: 'planned', handler: f.step.handler, dependencies: f.step.dependencies, provenance: p ?? f.provenance }));
      const kids = spawned[name];
      if (kids) for (let i = 0; i < kids; i++) addChild(name, i);
    } else if (first && p) {
      const parent = /^(.*)\[(\d+)\]$/.exec(name)?.[1];
      const deps = p.createdBy === 'planning_step' && first.scheduled.activityType === 'summarize' ? summarizedStep(first) : [];
      add({ ...newStepRecord({ name, kind: 'planned', handler: first.scheduled.activityType, dependencies: deps, provenance: p }), spawnedBy: p.createdBy === 'batch_spawn' ? (parent ?? null) : null });
    }
  }
  function addChild(parent: string, i: number): void {
    const name = childStepName(parent, i);
    const a = byStep.get(name)?.[0];
    const pp = records.get(parent)?.provenance;
    const p = (a ? provenanceOf(a) : null) ?? { ...(pp ?? TEMPLATE_PROVENANCE), createdBy: 'batch_spawn' as const, planningReasoning: `partition ${i} of ${parent}` };
    add({ ...newStepRecord({ name, kind: 'planned', handler: a?.scheduled.activityType ?? null, dependencies: [], provenance: p }), spawnedBy: parent });
  }

  const outputs = new Map<string, JsonValue>();
  const views: StepView[] = [];
  const parkTimers = new Map<string, Timer>();
  for (const t of timers) {
    const step = labelledStep(t.started.summary, PARKED_LABEL);
    if (step !== null) parkTimers.set(step, t);
  }
  /** When the first step depending on `name` was scheduled: `name` had completed by then. */
  const dependentStart = (name: string): number | null => {
    let at: number | null = null;
    for (const x of records.values()) {
      if (!x.dependencies.includes(name)) continue;
      const first = byStep.get(x.name)?.[0]?.wfScheduledAt;
      if (first !== undefined && (at === null || first < at)) at = first;
    }
    return at;
  };
  for (const record of records.values()) {
    const list = byStep.get(record.name) ?? [];
    const mine = list.filter((a) => a.scheduled.activityType !== 'weftPlan');
    const calls = list.filter((a) => a.scheduled.activityType === 'weftPlan');
    const r: StepViewRecord = record;
    const executions = mine.map(executionView);
    let input: JsonValue | null = null;
    let output: JsonValue | null = null;
    let parkedSinceMs: number | null = null;
    let planningMs: number | null = null;
    const last = mine[mine.length - 1];
    if (last) {
      r.startedAtMs = mine[0]!.wfScheduledAt;
      r.executions = mine.length;
      input = ((last.scheduled.input as { input?: JsonValue } | null)?.input ?? null);
      if (last.closed?.kind === 'activity-completed') {
        output = last.closed.result as JsonValue;
        r.state = 'completed';
        r.finishedAtMs = last.wfClosedAt;
      } else if (last.closed?.kind === 'activity-failed') {
        r.error = last.closed.failure;
        r.state = 'failed';
        r.finishedAtMs = last.wfClosedAt;
      } else if (last.closed?.kind === 'activity-cancelled') {
        r.state = 'cancelled';
        r.finishedAtMs = last.wfClosedAt;
      } else r.state = 'running';
    }
    if (record.kind === 'planning') {
      const startedAt = calls[0]?.wfScheduledAt ?? null;
      if (startedAt !== null) {
        r.startedAtMs = startedAt;
        r.state = 'running';
        r.executions = calls.length;
        planningMs = calls.reduce((sum, c) => sum + ((c.closed?.time ?? c.scheduled.time) - c.scheduled.time), 0);
      }
      const mineAttempts = planning.filter((p) => p.planningStep === record.name && p.source === 'planner');
      const lastAttempt = mineAttempts[mineAttempts.length - 1];
      const done = dependentStart(record.name);
      if (done !== null) {
        r.state = 'completed';
        r.finishedAtMs = done;
      } else if (lastAttempt && !planning.some((p) => p.planningStep === record.name && p.accepted) && lastAttempt.atMs > 0 && !calls.some((c) => c.closed === null)) {
        r.error = { type: 'PLANNING_EXHAUSTED', message: `no valid fragment after ${mineAttempts.length} attempt(s)${lastAttempt.diagnostics.length > 0 ? `; last diagnostics: ${lastAttempt.diagnostics.slice(0, 3).map((d) => d.code).join(', ')}` : lastAttempt.error ? `; the planner failed: ${lastAttempt.error.type}` : ''}` };
        r.state = 'failed';
      }
    }
    // Operator decisions and gates.
    for (const d of decisions.get(record.name) ?? []) {
      if (d.operate) {
        const o = d.operate;
        r.operatorAction = `${o.action}${o.by ? ` by ${o.by}` : ''}${o.reason ? `: ${o.reason}` : ''}`;
        if (o.action === 'skip') {
          r.state = 'skipped';
          output = o.output ?? null;
          r.finishedAtMs = d.wfAt;
        } else if (o.action === 'fail') {
          r.state = 'failed';
          r.finishedAtMs = d.wfAt;
        } else if (mine.every((a) => a.wfScheduledAt <= d.wfAt) && calls.every((a) => a.wfScheduledAt <= d.wfAt)) r.state = 'running';
      }
      if (d.gate) {
        const approved = d.gate.decision === 'approve';
        output = { outcome: approved ? 'approved' : 'rejected', approved, by: d.gate.by ?? null, comment: d.gate.comment ?? null };
        r.state = 'completed';
        r.finishedAtMs = d.wfAt;
      }
    }
    // A fan-out runs in the workflow: its children are its executions.
    if (record.handler === FAN_OUT_HANDLER && mine.length === 0) {
      const kids = [...records.values()].filter((x) => x.spawnedBy === record.name);
      const ran = kids.flatMap((k) => byStep.get(k.name) ?? []);
      if (ran.length > 0) {
        r.startedAtMs = Math.min(...ran.map((a) => a.wfScheduledAt));
        r.executions = Math.max(1, ...kids.map((k) => byStep.get(k.name)?.length ?? 0));
        r.state = 'running';
      }
      const done = dependentStart(record.name);
      if (done !== null && (decisions.get(record.name) ?? []).every((d) => d.wfAt <= done)) {
        r.state = 'completed';
        r.finishedAtMs = done;
      } else {
        // Every child settled and one failed: the fan-out failed (and parks, when its task says so).
        const lasts = kids.map((k) => byStep.get(k.name)?.at(-1));
        if (lasts.length > 0 && lasts.every((a) => a?.closed) && lasts.some((a) => a?.closed?.kind === 'activity-failed')) {
          r.state = 'failed';
          r.error = { type: 'FAN_OUT_PARTITIONS_FAILED', message: `partitions failed: ${kids.filter((_k, i) => lasts[i]?.closed?.kind === 'activity-failed').map((k) => k.name).join(', ')}` };
        }
        // Nothing depends on it and the task completed: so did the fan-out, once its children had
        // (its own end is in no history; an `isolate` fan-out completes with failed children too).
        if (ctx.closed?.status === 'COMPLETED' && (r.state === 'running' || r.state === 'failed') && !(decisions.get(record.name) ?? []).some((d) => d.operate && d.operate.action !== 'retry')) {
          r.state = 'completed';
          r.error = null;
          r.finishedAtMs = lasts.reduce<number | null>((at, a) => (a?.wfClosedAt != null && (at === null || a.wfClosedAt > at) ? a.wfClosedAt : at), null) ?? ctx.lastWft;
        }
      }
    }
    const gateTimer = timers.filter((t) => labelledStep(t.started.summary, GATE_LABEL) === record.name).pop();
    if (record.handler === GATE_HANDLER && r.state === 'pending' && gateTimer) {
      r.startedAtMs = gateTimer.started.time;
      r.executions = 1;
      r.state = gateTimer.ended === 'fired' ? 'completed' : 'running';
      if (gateTimer.ended === 'fired') output = { outcome: 'timed_out' };
    }
    // A step that failed while its task runs on is parked: the timer the workflow starts says so,
    // and for runs before that timer, WeftState does.
    const park = parkTimers.get(record.name);
    if (park && park.ended === null && !ctx.closed) {
      r.state = 'parked';
      parkedSinceMs = park.started.time;
    } else if (!park && r.state === 'failed' && !ctx.closed && ctx.weftState === 'parked' && record.spawnedBy === null) {
      r.state = 'parked';
      parkedSinceMs = last?.closed?.time ?? null;
    }
    if (ctx.closed && ctx.closed.status !== 'COMPLETED') {
      if (r.state === 'pending') r.state = 'not_run';
      else if (r.state === 'running' || r.state === 'parked') {
        r.state = ctx.closed.status === 'FAILED' ? 'failed' : 'cancelled';
        r.finishedAtMs ??= ctx.lastWft;
        r.error ??= { type: ctx.closed.failure?.type ?? 'TASK_CLOSED', message: `Not finished: the task ${ctx.closed.status.toLowerCase().replace('_', ' ')} (${ctx.closed.failure?.message ?? ''}).` };
      }
    } else if (ctx.closed && r.state === 'pending') r.state = 'not_run';
    if (output !== null || r.state === 'completed' || r.state === 'skipped') outputs.set(record.name, output);
    if (r.state === 'completed' || r.state === 'skipped') {
      // The workflow sizes handler outputs; a planning step's output is assembled, not sized.
      if (record.kind !== 'planning') r.outputBytes = isBlobRef(output) ? output.bytes : jsonByteLength(output);
      r.error = null;
    }
    views.push({ record: r, input, output, executions, planningMs, parkedSinceMs });
  }
  // A planning step's output is made of its fragments' results: known once every step has one.
  return views.map((v) =>
    v.record.kind === 'planning' && v.record.state === 'completed' ? { ...v, output: planningOutput(v.record.name, fragmentSteps, outputs, planning, memo) } : v,
  );
}

function fallbackOf(plan: CompiledPlan | null, step: string): Fragment | null {
  const s = plan?.steps.find((x) => x.name === step);
  return s && s.kind === 'planning' ? (s.fallback ?? null) : null;
}

function summarizedStep(a: Activity): string[] {
  const reasoning = provenanceOf(a)?.planningReasoning ?? '';
  const m = /result of '([^']+)'/.exec(reasoning);
  return m?.[1] ? [m[1]] : [];
}

/** A planning step's output, as the workflow computed it: terminal steps' results, planned steps, phases. */
function planningOutput(
  name: string,
  fragmentSteps: ReadonlyMap<string, { step: Fragment['steps'][number]; provenance: Provenance }>,
  outputs: ReadonlyMap<string, JsonValue>,
  planning: readonly PlanningAttempt[],
  memo: Record<string, unknown>,
): JsonValue {
  const planned = [...fragmentSteps.values()].filter((f) => f.provenance.planningStep === name);
  const names = planned.map((f) => f.step.name);
  const results: Record<string, JsonValue> = {};
  for (const phase of new Set(planned.map((f) => f.provenance.planningPhase))) {
    const inPhase = planned.filter((f) => f.provenance.planningPhase === phase);
    const inside = new Set(inPhase.map((f) => f.step.name));
    const dependedOn = new Set(inPhase.flatMap((f) => f.step.dependencies.filter((d) => inside.has(d))));
    for (const f of inPhase) {
      if (dependedOn.has(f.step.name)) continue;
      const out = outputs.get(f.step.name);
      if (out !== undefined) results[f.step.name] = out;
    }
  }
  const phases = Math.max(0, ...planning.filter((p) => p.planningStep === name).map((p) => p.phase));
  const exhausted = (memo['weft_budget'] as { exhausted?: { message?: string } | null } | undefined)?.exhausted ?? null;
  return { results, steps: names, phases, partial: exhausted !== null, reason: exhausted?.message ?? null };
}

function executionView(a: Activity): ExecutionView {
  const c = a.closed;
  return {
    workflowId: a.place.workflowId,
    runId: a.place.runId,
    scheduledEventId: a.scheduled.id,
    scheduledAtMs: a.scheduled.time,
    startedAtMs: a.started?.time ?? null,
    closedAtMs: c?.time ?? null,
    attempts: a.started?.attempt ?? (c?.kind === 'activity-failed' ? 1 : 0),
    outcome: c === null ? (a.started ? 'running' : 'scheduled') : c.kind === 'activity-completed' ? 'completed' : c.kind === 'activity-failed' ? 'failed' : 'cancelled',
    error: c?.kind === 'activity-failed' ? c.failure : null,
    lastFailure: a.started?.lastFailure ?? null,
  };
}
