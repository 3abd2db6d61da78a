/**
 * A task read from its Temporal history, memo and search attributes — what the operator tools
 * show with no worker running.
 * @example
 * import { decodeHistory, taskView } from './history/index.js';
 * const view = taskView(decodeHistory((await handle.fetchHistory()).events ?? []), { workflowId, runId, nowMs: Date.now() });
 * view.steps.filter((s) => s.record.state === 'parked');
 */
export { decodeEvent, decodeHistory, failureOf, type ChildClosedStatus, type ClosedStatus, type EventFailure, type WeftEvent } from './events.js';
export { taskView, type ExecutionView, type StepView, type StepViewRecord, type StepViewState, type TaskView, type TaskViewOptions } from './task-view.js';
