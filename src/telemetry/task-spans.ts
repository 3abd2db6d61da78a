/**
 * weft's spans, built on the worker from the workflow's telemetry events: one trace per task
 * (joined to the starter's trace when the memo carries one), a task span, one `weft.step` span per
 * step — static, planned, spawned, planning, the same name and attributes for all, provenance as
 * attributes — and one GenAI `chat <model>` span per planning call under its planning step.
 * IDs derive from run and step ({@link stableId}), so spans made at different moments connect.
 * No step data by default: `captureContent` adds error messages and planning reasoning.
 */
import { context, SpanKind, SpanStatusCode, trace, type Attributes, type SpanContext, type Tracer } from '@opentelemetry/api';
import type { PlanningAttemptEvent, StepEndedEvent, TaskEndedEvent } from '../core/telemetry.js';
import { stableId, type StableIdGenerator } from './ids.js';
import { providerOf, GEN_AI_OPERATION } from './metrics.js';
import { traceParentFromMemo } from './trace-context.js';

/** What a sink receives about the workflow (a subset of `WorkflowInfo`). */
export interface RunInfo {
  readonly workflowId: string;
  readonly runId: string;
  /** The task's first run: its runs continued as new share one trace. */
  readonly firstExecutionRunId?: string;
  readonly memo?: Record<string, unknown> | undefined;
}

/**
 * The task a run belongs to: itself, or — for a slice (a child workflow running part of a large
 * plan) — the task named in its memo, so that its steps' spans join the task's trace. Runs of a
 * task continued as new share the first run's ID.
 */
export function taskOf(info: RunInfo): RunInfo {
  const slice = info.memo?.['weft_slice'] as { task?: unknown; taskRun?: unknown } | undefined;
  if (slice && typeof slice.task === 'string' && typeof slice.taskRun === 'string') return { workflowId: slice.task, runId: slice.taskRun, memo: info.memo };
  return { workflowId: info.workflowId, runId: info.firstExecutionRunId ?? info.runId, memo: info.memo };
}

/** Name of every step span. */
export const STEP_SPAN = 'weft.step';
/** Name of the task span. */
export const TASK_SPAN = 'weft.task';

/** Builds spans from events. */
export class TaskSpans {
  constructor(
    private readonly tracer: Tracer,
    private readonly ids: StableIdGenerator,
    private readonly captureContent = false,
  ) {}

  private traceOf(info: RunInfo): { traceId: string; parent: SpanContext | null } {
    const parent = traceParentFromMemo(info.memo);
    return { traceId: parent?.traceId ?? stableId(16, info.runId), parent };
  }

  private parentContext(traceId: string, spanId: string) {
    return trace.setSpanContext(context.active(), { traceId, spanId, traceFlags: 1, isRemote: true });
  }

  /** A step ended: its span, under the task span. */
  stepEnded(run: RunInfo, e: StepEndedEvent): void {
    const info = taskOf(run);
    const { traceId } = this.traceOf(info);
    const attributes: Attributes = {
      'weft.task.id': info.workflowId,
      'weft.template': e.template,
      'weft.step.name': e.step,
      'weft.step.handler': e.handler,
      'weft.step.kind': e.kind,
      'weft.step.created_by': e.createdBy,
      'weft.planning.step': e.planningStep ?? '',
      'weft.fragment.id': e.fragmentId ?? '',
      'weft.planning.phase': e.planningPhase ?? 0,
      'weft.step.outcome': e.outcome,
      'weft.step.executions': e.executions,
      'error.type': e.errorType ?? '',
    };
    if (this.captureContent) {
      if (e.errorMessage) attributes['weft.step.error_message'] = e.errorMessage;
      if (e.reasoning) attributes['weft.planning.reasoning'] = e.reasoning;
    }
    const ctx = this.parentContext(traceId, stableId(8, info.runId, 'task'));
    const span = this.ids.with({ spanId: stableId(8, info.runId, 'step', e.step) }, () =>
      this.tracer.startSpan(STEP_SPAN, { kind: SpanKind.INTERNAL, startTime: wallClock(e.startedAtMs), attributes }, ctx),
    );
    if (e.outcome === 'failed') span.setStatus({ code: SpanStatusCode.ERROR, message: e.errorType ?? 'failed' });
    span.end(wallClock(Math.max(e.finishedAtMs, e.startedAtMs)));
  }

  /** A planning call: a GenAI client span under its planning step's span. */
  planningAttempt(run: RunInfo, e: PlanningAttemptEvent): void {
    const info = taskOf(run);
    const { traceId } = this.traceOf(info);
    const { provider, model: requested } = providerOf(e.provider);
    const model = e.model ?? requested;
    const attributes: Attributes = {
      'weft.task.id': info.workflowId,
      'weft.template': e.template,
      'weft.planning.step': e.planningStep,
      'weft.planning.phase': e.phase,
      'weft.planning.attempt': e.attempt,
      'gen_ai.operation.name': GEN_AI_OPERATION,
      'gen_ai.provider.name': provider,
      'gen_ai.request.model': requested === 'unknown' ? model : requested,
      'gen_ai.response.model': model,
      'gen_ai.usage.input_tokens': e.tokens['input'] ?? 0,
      'gen_ai.usage.output_tokens': e.tokens['output'] ?? 0,
      'weft.llm.cost_usd': e.costUsd,
      'weft.llm.latency_ms': e.latencyMs,
      'weft.validation.result': e.result,
      'weft.validation.diagnostic_codes': [...e.codes],
    };
    const ctx = this.parentContext(traceId, stableId(8, info.runId, 'step', e.planningStep));
    const span = this.ids.with({ spanId: stableId(8, info.runId, 'planning', e.planningStep, String(e.phase), String(e.attempt)) }, () =>
      this.tracer.startSpan(`${GEN_AI_OPERATION} ${model}`, { kind: SpanKind.CLIENT, startTime: wallClock(e.startedAtMs), attributes }, ctx),
    );
    if (e.result === 'failed') span.setStatus({ code: SpanStatusCode.ERROR, message: e.codes[0] ?? 'failed' });
    span.end(wallClock(Math.max(e.finishedAtMs, e.startedAtMs)));
  }

  /** The task ended: the task span, under the starter's span when there is one. */
  taskEnded(run: RunInfo, e: TaskEndedEvent): void {
    const info = taskOf(run);
    const { traceId, parent } = this.traceOf(info);
    const attributes: Attributes = {
      'weft.task.id': info.workflowId,
      'weft.task.run_id': run.runId,
      'weft.template': e.template,
      'weft.task.outcome': e.outcome,
      'weft.task.phases': e.phases,
      'weft.task.steps': e.steps,
      'weft.budget.cost_usd': e.costUsd,
      'weft.budget.exhausted': e.exhausted ?? '',
    };
    const ctx = parent ? trace.setSpanContext(context.active(), parent) : context.active();
    const span = this.ids.with({ traceId, spanId: stableId(8, info.runId, 'task') }, () =>
      this.tracer.startSpan(TASK_SPAN, { kind: SpanKind.INTERNAL, startTime: wallClock(e.startedAtMs), attributes, root: parent === null }, ctx),
    );
    if (e.outcome === 'failed') span.setStatus({ code: SpanStatusCode.ERROR, message: 'task failed' });
    span.end(wallClock(Math.max(e.finishedAtMs, e.startedAtMs)));
  }
}

/**
 * Epoch milliseconds as a `Date`: OpenTelemetry reads a plain number no larger than
 * `performance.now()` as a performance timestamp, so a small epoch value (tests, clocks at 0)
 * would otherwise be shifted by the process's start time and a span could end before it began.
 */
function wallClock(ms: number): Date {
  return new Date(ms);
}
