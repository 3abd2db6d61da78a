/**
 * What a task's history recorded: the compiled plan it pinned (start input, or the result of
 * `weftLoadTemplate`) and every planner output with its planning step, phase and attempt (the
 * `weftPlan` activity's input and result). Read from the events with the default payload
 * converter; nothing is replayed here.
 */
import { defaultPayloadConverter } from '@temporalio/common';
import type { temporal } from '@temporalio/proto';
import type { CompiledPlan } from '../core/plan.js';
import type { PlanningRequest, PlanningResult } from '../planner/types.js';

type History = temporal.api.history.v1.IHistory;
type Payloads = temporal.api.common.v1.IPayloads | null | undefined;

/** One planner output as recorded. */
export interface RecordedOutput {
  readonly planningStep: string;
  readonly phase: number;
  readonly attempt: number;
  /** The candidate fragment as the planner returned it (untrusted). */
  readonly output: unknown;
}

/** What `readRecorded` found in a history. */
export interface Recorded {
  /** The workflow type; only `weftTask` histories have plans and planner outputs. */
  readonly workflowType: string | null;
  readonly plan: CompiledPlan | null;
  readonly outputs: readonly RecordedOutput[];
}

function first(payloads: Payloads): unknown {
  const p = payloads?.payloads?.[0];
  return p ? defaultPayloadConverter.fromPayload(p) : undefined;
}

/** The pinned plan and the planner outputs of a history. */
export function readRecorded(history: History): Recorded {
  const events = history.events ?? [];
  const started = events[0]?.workflowExecutionStartedEventAttributes;
  const workflowType = started?.workflowType?.name ?? null;
  let plan: CompiledPlan | null = null;
  const start = first(started?.input) as { plan?: CompiledPlan } | undefined;
  if (start && typeof start === 'object' && start.plan) plan = start.plan;
  const scheduled = new Map<string, { type: string; input: unknown }>();
  const outputs: RecordedOutput[] = [];
  for (const e of events) {
    const s = e.activityTaskScheduledEventAttributes;
    if (s) {
      const type = s.activityType?.name ?? '';
      if (type === 'weftPlan' || type === 'weftLoadTemplate') scheduled.set(String(e.eventId), { type, input: first(s.input) });
      continue;
    }
    const c = e.activityTaskCompletedEventAttributes;
    if (!c) continue;
    const what = scheduled.get(String(c.scheduledEventId));
    if (!what) continue;
    const result = first(c.result);
    if (what.type === 'weftLoadTemplate') {
      const loaded = result as { plan?: CompiledPlan } | undefined;
      if (loaded?.plan) plan = loaded.plan;
    } else {
      const request = what.input as PlanningRequest;
      outputs.push({ planningStep: request.planningStep, phase: request.phase, attempt: request.attempt, output: (result as PlanningResult).output });
    }
  }
  return { workflowType, plan, outputs };
}
