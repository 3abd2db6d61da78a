/**
 * The histories one task is made of, read one by one and joined: its runs (a long task continues
 * as new under the same workflow ID) and its slices (child workflows of type `weftSlice` that run
 * part of its steps). Event IDs are only unique within one history, so every history is read on
 * its own — activities matched to their outcomes, timers to their ends, each with the workflow
 * clock of its own history — and only the results are joined. Pure: decoded events in.
 */
import { SLICE_WORKFLOW_TYPE, type GateDecision, type OperateRequest } from '../../workflows/definitions.js';
import type { ChildClosedStatus, WeftEvent } from './events.js';

/** The workflow type of slices (`SLICE_WORKFLOW_TYPE` of the workflow side). */
export const SLICE_TYPE: string = SLICE_WORKFLOW_TYPE;

/** One more history of a task: an earlier run of its workflow ID, or one of its slices. */
export interface HistoryPart {
  readonly workflowId: string;
  readonly runId: string;
  readonly events: readonly WeftEvent[];
}

/** Where an activity or timer is: the workflow and run whose history holds it. */
export interface Place {
  readonly workflowId: string;
  readonly runId: string;
}

/** An activity with its outcome, read from one history. */
export interface Activity {
  readonly place: Place;
  readonly scheduled: Extract<WeftEvent, { kind: 'activity-scheduled' }>;
  /** Workflow clock when scheduled / when its outcome was seen. */
  readonly wfScheduledAt: number;
  wfClosedAt: number | null;
  started: Extract<WeftEvent, { kind: 'activity-started' }> | null;
  closed: Extract<WeftEvent, { kind: 'activity-completed' | 'activity-failed' | 'activity-cancelled' }> | null;
}

/** A timer with how it ended, read from one history. */
export interface Timer {
  readonly place: Place;
  readonly started: Extract<WeftEvent, { kind: 'timer-started' }>;
  ended: 'fired' | 'cancelled' | null;
  wfEndedAt: number | null;
}

/** An operator's decision on a step (an update the task accepted). */
export interface Decision {
  readonly step: string;
  readonly wfAt: number;
  readonly operate: OperateRequest | null;
  readonly gate: GateDecision | null;
}

/** A child workflow as its parent's history tells it. */
export interface Child {
  readonly workflowId: string;
  readonly workflowType: string;
  readonly memo: Readonly<Record<string, unknown>>;
  runId: string | null;
  status: 'STARTING' | 'RUNNING' | ChildClosedStatus;
  closedAtMs: number | null;
}

/** What one history holds, read. */
export interface HistoryRead {
  readonly place: Place;
  readonly acts: Activity[];
  readonly timers: Timer[];
  readonly decisions: Decision[];
  readonly children: Child[];
  /** The memo: what the run started with, then every upsert. */
  memo: Record<string, unknown>;
  /** The last `WeftState` upserted, if any. */
  weftState: string | null;
  started: Extract<WeftEvent, { kind: 'started' }> | null;
  closed: Extract<WeftEvent, { kind: 'closed' }> | null;
  firstWft: number | null;
  /** The workflow clock at the end of the history. */
  lastWft: number;
}

/** Reads one history: activities, timers, decisions, children, memo and state, in its own ID space. */
export function readHistory(events: readonly WeftEvent[], place: Place): HistoryRead {
  const h: HistoryRead = { place, acts: [], timers: [], decisions: [], children: [], memo: {}, weftState: null, started: null, closed: null, firstWft: null, lastWft: 0 };
  const byScheduled = new Map<number, Activity>();
  const timerById = new Map<number, Timer>();
  const childById = new Map<number, Child>();
  let wfNow = 0;
  // Outcomes wait for the next workflow task: that is when the workflow saw them.
  let unseen: { set(t: number): void }[] = [];
  for (const e of events) {
    switch (e.kind) {
      case 'started':
        h.started = e;
        h.memo = { ...(e.memo ?? {}) };
        wfNow = e.time;
        break;
      case 'workflow-task-started':
        wfNow = e.time;
        h.firstWft ??= e.time;
        for (const u of unseen) u.set(e.time);
        unseen = [];
        break;
      case 'activity-scheduled': {
        const a: Activity = { place, scheduled: e, wfScheduledAt: wfNow, wfClosedAt: null, started: null, closed: null };
        h.acts.push(a);
        byScheduled.set(e.id, a);
        break;
      }
      case 'activity-started': {
        const a = byScheduled.get(e.scheduledId);
        if (a) a.started = e;
        break;
      }
      case 'activity-completed':
      case 'activity-failed':
      case 'activity-cancelled': {
        const a = byScheduled.get(e.scheduledId);
        if (a) {
          a.closed = e;
          unseen.push({ set: (t) => (a.wfClosedAt = t) });
        }
        break;
      }
      case 'timer-started': {
        const t: Timer = { place, started: e, ended: null, wfEndedAt: null };
        h.timers.push(t);
        timerById.set(e.id, t);
        break;
      }
      case 'timer-fired':
      case 'timer-cancelled': {
        const t = timerById.get(e.startedId);
        if (t) {
          t.ended = e.kind === 'timer-fired' ? 'fired' : 'cancelled';
          unseen.push({ set: (x) => (t.wfEndedAt = x) });
        }
        break;
      }
      case 'update-accepted': {
        const arg = e.args[0] as { step?: unknown } | undefined;
        if (typeof arg?.step !== 'string') break;
        h.decisions.push({ step: arg.step, wfAt: wfNow, operate: e.name === 'weft.operate' ? (arg as OperateRequest) : null, gate: e.name === 'weft.gate' ? (arg as GateDecision) : null });
        break;
      }
      case 'memo':
        h.memo = { ...h.memo, ...e.fields };
        break;
      case 'search-attributes': {
        const s = e.fields['WeftState'];
        if (Array.isArray(s) && typeof s[0] === 'string') h.weftState = s[0];
        break;
      }
      case 'child-initiated': {
        const c: Child = { workflowId: e.workflowId, workflowType: e.workflowType, memo: e.memo, runId: null, status: 'STARTING', closedAtMs: null };
        h.children.push(c);
        childById.set(e.id, c);
        break;
      }
      case 'child-started': {
        const c = childById.get(e.initiatedId);
        if (c) {
          c.runId = e.runId;
          c.status = 'RUNNING';
        }
        break;
      }
      case 'child-closed': {
        const c = childById.get(e.initiatedId);
        if (c) {
          c.runId ??= e.runId;
          c.status = e.status;
          c.closedAtMs = e.time;
        }
        break;
      }
      case 'closed':
        h.closed = e;
        break;
    }
  }
  h.lastWft = wfNow;
  return h;
}

/**
 * Ends what a closed history left open: an activity or timer still pending when its run closed
 * (a slice cancelled or terminated, a run that continued as new) ended with it. Not for the
 * task's latest run, whose close the view reads as the task's end.
 */
export function settleOpen(h: HistoryRead): void {
  const closed = h.closed;
  if (!closed) return;
  for (const a of h.acts) {
    if (a.closed) continue;
    a.closed = { kind: 'activity-cancelled', id: closed.id, time: closed.time, scheduledId: a.scheduled.id };
    a.wfClosedAt = closed.time;
  }
  for (const t of h.timers) {
    if (t.ended) continue;
    t.ended = 'cancelled';
    t.wfEndedAt = closed.time;
  }
}

/** Items of several histories in the order the task made them (stable: ties keep history order). */
export function inTimeOrder<T>(items: readonly T[], at: (item: T) => number): T[] {
  return items
    .map((item, i) => ({ item, i, t: at(item) }))
    .sort((x, y) => x.t - y.t || x.i - y.i)
    .map((x) => x.item);
}
