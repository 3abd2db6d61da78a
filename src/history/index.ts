/**
 * A task read from its Temporal history, memo and search attributes — what the operator tools
 * show with no worker running.
 * @example
 * import { decodeHistory, taskView } from './history/index.js';
 * const view = taskView(decodeHistory((await handle.fetchHistory()).events ?? []), { workflowId, runId, nowMs: Date.now() });
 * view.steps.filter((s) => s.record.state === 'parked');
 * // A task that continued as new, or ran steps in slices: pass the other histories too.
 * taskView(latestEvents, { workflowId, runId, nowMs, earlierRuns: [{ workflowId, runId: firstRunId, events: firstEvents }], slices });
 */
export { decodeEvent, decodeHistory, failureOf, type ChildClosedStatus, type ClosedStatus, type EventFailure, type WeftEvent } from './events.js';
export { taskView, type ExecutionView, type SliceView, type StepView, type StepViewRecord, type StepViewState, type TaskView, type TaskViewOptions } from './task-view.js';
export { SLICE_TYPE, type HistoryPart } from './histories.js';
