/**
 * A task's Temporal history, decoded into the few event shapes weft's operator tools read:
 * activities (steps, planning calls, template loading), timers (parked steps, gates, the
 * wall-time watchdog), operator updates, memo and search attribute upserts, child workflows
 * (slices), and how the run closed (a continued run names the run it continues). Payloads are
 * decoded with the default converter; nothing here needs a worker.
 */
import { defaultPayloadConverter, type Payload } from '@temporalio/common';
import { decodeSearchAttributes } from '@temporalio/common/lib/converter/payload-search-attributes.js';
import proto, { type temporal } from '@temporalio/proto';

const { EventType } = proto.temporal.api.enums.v1;

/** A failure as operators read it: the innermost application type and message. */
export interface EventFailure {
  readonly type: string;
  readonly message: string;
}

/** The decoded events weft reads, in history order. */
export type WeftEvent =
  | {
      readonly kind: 'started';
      readonly id: number;
      readonly time: number;
      readonly input: unknown;
      readonly taskQueue: string;
      /** The run this one continues (continue-as-new), or null for the first run. */
      readonly continuedExecutionRunId?: string | null;
      /** The memo the run started with (a continued run's carried memo, a slice's `weft_slice`). */
      readonly memo?: Readonly<Record<string, unknown>>;
    }
  | { readonly kind: 'workflow-task-started'; readonly id: number; readonly time: number }
  | { readonly kind: 'activity-scheduled'; readonly id: number; readonly time: number; readonly activityId: string; readonly activityType: string; readonly input: unknown; readonly summary: string | null }
  | { readonly kind: 'activity-started'; readonly id: number; readonly time: number; readonly scheduledId: number; readonly attempt: number; readonly lastFailure: EventFailure | null }
  | { readonly kind: 'activity-completed'; readonly id: number; readonly time: number; readonly scheduledId: number; readonly result: unknown }
  | { readonly kind: 'activity-failed'; readonly id: number; readonly time: number; readonly scheduledId: number; readonly failure: EventFailure }
  | { readonly kind: 'activity-cancelled'; readonly id: number; readonly time: number; readonly scheduledId: number }
  | { readonly kind: 'timer-started'; readonly id: number; readonly time: number; readonly timerId: string; readonly summary: string | null; readonly ms: number }
  | { readonly kind: 'timer-fired' | 'timer-cancelled'; readonly id: number; readonly time: number; readonly startedId: number }
  | { readonly kind: 'update-accepted'; readonly id: number; readonly time: number; readonly name: string; readonly args: readonly unknown[] }
  | { readonly kind: 'memo'; readonly id: number; readonly time: number; readonly fields: Readonly<Record<string, unknown>> }
  | { readonly kind: 'search-attributes'; readonly id: number; readonly time: number; readonly fields: Readonly<Record<string, unknown>> }
  | { readonly kind: 'child-initiated'; readonly id: number; readonly time: number; readonly workflowId: string; readonly workflowType: string; readonly memo: Readonly<Record<string, unknown>> }
  | { readonly kind: 'child-started'; readonly id: number; readonly time: number; readonly initiatedId: number; readonly workflowId: string; readonly runId: string }
  | { readonly kind: 'child-closed'; readonly id: number; readonly time: number; readonly initiatedId: number; readonly workflowId: string; readonly runId: string | null; readonly status: ChildClosedStatus; readonly failure: EventFailure | null }
  | { readonly kind: 'closed'; readonly id: number; readonly time: number; readonly status: ClosedStatus; readonly result: unknown; readonly failure: EventFailure | null };

/** How a run closed. */
export type ClosedStatus = 'COMPLETED' | 'FAILED' | 'CANCELLED' | 'TERMINATED' | 'TIMED_OUT' | 'CONTINUED_AS_NEW';

/** How a child workflow ended: as a run closes, or `START_FAILED` when it never started. */
export type ChildClosedStatus = Exclude<ClosedStatus, 'CONTINUED_AS_NEW'> | 'START_FAILED';

type HistoryEvent = temporal.api.history.v1.IHistoryEvent;

function payload(p: Payload | null | undefined): unknown {
  if (!p) return null;
  try {
    return defaultPayloadConverter.fromPayload(p);
  } catch {
    return null;
  }
}

function payloads(p: temporal.api.common.v1.IPayloads | null | undefined): unknown[] {
  return (p?.payloads ?? []).map((x) => payload(x));
}

/** Epoch ms of a protobuf timestamp (seconds may be a Long, a number or a string). */
function tsMs(ts: { seconds?: unknown; nanos?: number | null } | null | undefined): number {
  if (!ts) return 0;
  return num(ts.seconds) * 1000 + Math.floor((ts.nanos ?? 0) / 1e6);
}

function num(v: unknown): number {
  return v === null || v === undefined ? 0 : Number(v);
}

function text(p: temporal.api.common.v1.IPayload | null | undefined): string | null {
  const v = payload(p);
  return typeof v === 'string' ? v : null;
}

function fields(map: Record<string, temporal.api.common.v1.IPayload> | null | undefined): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(map ?? {})) out[k] = payload(v);
  return out;
}

/**
 * The failure's innermost application failure (an activity failure wraps its cause), as the
 * workflow's own `describeFailure` reads it.
 */
export function failureOf(f: temporal.api.failure.v1.IFailure | null | undefined): EventFailure | null {
  if (!f) return null;
  let e: temporal.api.failure.v1.IFailure = f;
  if (e.activityFailureInfo && e.cause) e = e.cause;
  if (e.applicationFailureInfo) return { type: e.applicationFailureInfo.type || 'APPLICATION_ERROR', message: e.message ?? '' };
  if (e.timeoutFailureInfo) {
    const t = proto.temporal.api.enums.v1.TimeoutType[e.timeoutFailureInfo.timeoutType ?? 0] ?? 'UNSPECIFIED';
    const kind = String(t).replace(/^TIMEOUT_TYPE_/, '');
    return { type: `TIMEOUT_${kind}`, message: `The step timed out (${kind}).` };
  }
  if (e.canceledFailureInfo) return { type: 'CancelledFailure', message: e.message ?? 'cancelled' };
  if (e.terminatedFailureInfo) return { type: 'TerminatedFailure', message: e.message ?? 'terminated' };
  return { type: 'FAILURE', message: e.message ?? '' };
}

/** Where an event is: its ID and time. */
interface At {
  readonly id: number;
  readonly time: number;
}

type Decoder = (e: HistoryEvent, at: At) => WeftEvent;

const summaryOf = (e: HistoryEvent): string | null => text(e.userMetadata?.summary);

const closedWith =
  (status: ClosedStatus, failure: (e: HistoryEvent) => EventFailure | null, result: (e: HistoryEvent) => unknown = () => null): Decoder =>
  (e, at) => ({ kind: 'closed', ...at, status, result: result(e), failure: failure(e) });

/** What every child workflow close event carries. */
interface ChildCloseAttributes {
  initiatedEventId?: unknown;
  workflowExecution?: temporal.api.common.v1.IWorkflowExecution | null;
}

const childClosed =
  (status: ChildClosedStatus, attrs: (e: HistoryEvent) => ChildCloseAttributes | null | undefined, failure: (e: HistoryEvent) => EventFailure | null): Decoder =>
  (e, at) => {
    const a = attrs(e);
    return { kind: 'child-closed', ...at, initiatedId: num(a?.initiatedEventId), workflowId: a?.workflowExecution?.workflowId ?? '', runId: a?.workflowExecution?.runId || null, status, failure: failure(e) };
  };

/** The event kinds weft reads, and how. */
const DECODERS: ReadonlyMap<number, Decoder> = new Map<number, Decoder>([
  [EventType.EVENT_TYPE_WORKFLOW_EXECUTION_STARTED, (e, at) => {
    const a = e.workflowExecutionStartedEventAttributes;
    return {
      kind: 'started',
      ...at,
      input: payloads(a?.input)[0] ?? null,
      taskQueue: a?.taskQueue?.name ?? '',
      continuedExecutionRunId: a?.continuedExecutionRunId || null,
      memo: fields(a?.memo?.fields),
    };
  }],
  [EventType.EVENT_TYPE_WORKFLOW_TASK_STARTED, (_e, at) => ({ kind: 'workflow-task-started', ...at })],
  [EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED, (e, at) => {
    const a = e.activityTaskScheduledEventAttributes;
    return { kind: 'activity-scheduled', ...at, activityId: a?.activityId ?? '', activityType: a?.activityType?.name ?? '', input: payloads(a?.input)[0] ?? null, summary: summaryOf(e) };
  }],
  [EventType.EVENT_TYPE_ACTIVITY_TASK_STARTED, (e, at) => {
    const a = e.activityTaskStartedEventAttributes;
    return { kind: 'activity-started', ...at, scheduledId: num(a?.scheduledEventId), attempt: num(a?.attempt) || 1, lastFailure: failureOf(a?.lastFailure) };
  }],
  [EventType.EVENT_TYPE_ACTIVITY_TASK_COMPLETED, (e, at) => {
    const a = e.activityTaskCompletedEventAttributes;
    return { kind: 'activity-completed', ...at, scheduledId: num(a?.scheduledEventId), result: payloads(a?.result)[0] ?? null };
  }],
  [EventType.EVENT_TYPE_ACTIVITY_TASK_FAILED, (e, at) => {
    const a = e.activityTaskFailedEventAttributes;
    return { kind: 'activity-failed', ...at, scheduledId: num(a?.scheduledEventId), failure: failureOf(a?.failure) ?? { type: 'FAILURE', message: '' } };
  }],
  [EventType.EVENT_TYPE_ACTIVITY_TASK_TIMED_OUT, (e, at) => {
    const a = e.activityTaskTimedOutEventAttributes;
    return { kind: 'activity-failed', ...at, scheduledId: num(a?.scheduledEventId), failure: failureOf(a?.failure) ?? { type: 'TIMEOUT', message: 'The step timed out.' } };
  }],
  [EventType.EVENT_TYPE_ACTIVITY_TASK_CANCELED, (e, at) => ({ kind: 'activity-cancelled', ...at, scheduledId: num(e.activityTaskCanceledEventAttributes?.scheduledEventId) })],
  [EventType.EVENT_TYPE_TIMER_STARTED, (e, at) => {
    const a = e.timerStartedEventAttributes;
    const ms = num(a?.startToFireTimeout?.seconds) * 1000 + Math.round(num(a?.startToFireTimeout?.nanos) / 1e6);
    return { kind: 'timer-started', ...at, timerId: a?.timerId ?? '', summary: summaryOf(e), ms };
  }],
  [EventType.EVENT_TYPE_TIMER_FIRED, (e, at) => ({ kind: 'timer-fired', ...at, startedId: num(e.timerFiredEventAttributes?.startedEventId) })],
  [EventType.EVENT_TYPE_TIMER_CANCELED, (e, at) => ({ kind: 'timer-cancelled', ...at, startedId: num(e.timerCanceledEventAttributes?.startedEventId) })],
  [EventType.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED, (e, at) => {
    const input = e.workflowExecutionUpdateAcceptedEventAttributes?.acceptedRequest?.input;
    return { kind: 'update-accepted', ...at, name: input?.name ?? '', args: payloads(input?.args) };
  }],
  [EventType.EVENT_TYPE_WORKFLOW_PROPERTIES_MODIFIED, (e, at) => ({ kind: 'memo', ...at, fields: fields(e.workflowPropertiesModifiedEventAttributes?.upsertedMemo?.fields) })],
  [EventType.EVENT_TYPE_UPSERT_WORKFLOW_SEARCH_ATTRIBUTES, (e, at) => {
    const indexed = e.upsertWorkflowSearchAttributesEventAttributes?.searchAttributes?.indexedFields;
    return { kind: 'search-attributes', ...at, fields: decodeSearchAttributes(indexed) };
  }],
  [EventType.EVENT_TYPE_START_CHILD_WORKFLOW_EXECUTION_INITIATED, (e, at) => {
    const a = e.startChildWorkflowExecutionInitiatedEventAttributes;
    return { kind: 'child-initiated', ...at, workflowId: a?.workflowId ?? '', workflowType: a?.workflowType?.name ?? '', memo: fields(a?.memo?.fields) };
  }],
  [EventType.EVENT_TYPE_CHILD_WORKFLOW_EXECUTION_STARTED, (e, at) => {
    const a = e.childWorkflowExecutionStartedEventAttributes;
    return { kind: 'child-started', ...at, initiatedId: num(a?.initiatedEventId), workflowId: a?.workflowExecution?.workflowId ?? '', runId: a?.workflowExecution?.runId ?? '' };
  }],
  [EventType.EVENT_TYPE_START_CHILD_WORKFLOW_EXECUTION_FAILED, (e, at) => {
    const a = e.startChildWorkflowExecutionFailedEventAttributes;
    const cause = proto.temporal.api.enums.v1.StartChildWorkflowExecutionFailedCause[a?.cause ?? 0] ?? 'UNSPECIFIED';
    return { kind: 'child-closed', ...at, initiatedId: num(a?.initiatedEventId), workflowId: a?.workflowId ?? '', runId: null, status: 'START_FAILED', failure: { type: String(cause), message: `the child workflow did not start (${String(cause)})` } };
  }],
  [EventType.EVENT_TYPE_CHILD_WORKFLOW_EXECUTION_COMPLETED, childClosed('COMPLETED', (e) => e.childWorkflowExecutionCompletedEventAttributes, () => null)],
  [EventType.EVENT_TYPE_CHILD_WORKFLOW_EXECUTION_FAILED, childClosed('FAILED', (e) => e.childWorkflowExecutionFailedEventAttributes, (e) => failureOf(e.childWorkflowExecutionFailedEventAttributes?.failure))],
  [EventType.EVENT_TYPE_CHILD_WORKFLOW_EXECUTION_CANCELED, childClosed('CANCELLED', (e) => e.childWorkflowExecutionCanceledEventAttributes, () => ({ type: 'CancelledFailure', message: 'the child workflow was cancelled' }))],
  [EventType.EVENT_TYPE_CHILD_WORKFLOW_EXECUTION_TERMINATED, childClosed('TERMINATED', (e) => e.childWorkflowExecutionTerminatedEventAttributes, () => ({ type: 'TerminatedFailure', message: 'the child workflow was terminated' }))],
  [EventType.EVENT_TYPE_CHILD_WORKFLOW_EXECUTION_TIMED_OUT, childClosed('TIMED_OUT', (e) => e.childWorkflowExecutionTimedOutEventAttributes, () => ({ type: 'TimeoutFailure', message: 'the child workflow timed out' }))],
  [EventType.EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED, closedWith('COMPLETED', () => null, (e) => payloads(e.workflowExecutionCompletedEventAttributes?.result)[0] ?? null)],
  [EventType.EVENT_TYPE_WORKFLOW_EXECUTION_FAILED, closedWith('FAILED', (e) => failureOf(e.workflowExecutionFailedEventAttributes?.failure))],
  [EventType.EVENT_TYPE_WORKFLOW_EXECUTION_CANCELED, closedWith('CANCELLED', () => ({ type: 'CancelledFailure', message: 'the task was cancelled' }))],
  [EventType.EVENT_TYPE_WORKFLOW_EXECUTION_TERMINATED, closedWith('TERMINATED', (e) => ({ type: 'TerminatedFailure', message: e.workflowExecutionTerminatedEventAttributes?.reason || 'the task was terminated' }))],
  [EventType.EVENT_TYPE_WORKFLOW_EXECUTION_TIMED_OUT, closedWith('TIMED_OUT', () => ({ type: 'TimeoutFailure', message: 'the task timed out' }))],
  [EventType.EVENT_TYPE_WORKFLOW_EXECUTION_CONTINUED_AS_NEW, closedWith('CONTINUED_AS_NEW', () => null)],
]);

/** Decodes one history event, or null for the kinds weft does not read. */
export function decodeEvent(e: HistoryEvent): WeftEvent | null {
  const decode = e.eventType === null || e.eventType === undefined ? undefined : DECODERS.get(e.eventType);
  return decode ? decode(e, { id: num(e.eventId), time: tsMs(e.eventTime) }) : null;
}

/** Decodes a whole history. */
export function decodeHistory(events: readonly HistoryEvent[]): WeftEvent[] {
  const out: WeftEvent[] = [];
  for (const e of events) {
    const d = decodeEvent(e);
    if (d) out.push(d);
  }
  return out;
}
