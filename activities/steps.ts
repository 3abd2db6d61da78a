/**
 * Handler activities: one activity type per handler name, so Temporal's event history shows
 * `transform`, `validate`, ... The activity checks input and output against the handler's zod
 * schemas: a planner can only reach a handler through inputs its schema accepts.
 */
import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import type { JsonValue } from '../src/core/json.js';
import type { AnyHandler, HandlerContext } from '../src/handler.js';
import type { BlobCache } from '../src/blob/cache.js';
import type { BlobStore } from '../src/blob/store.js';
import { pointer } from '../src/core/diagnostics.js';
import { formatIssues } from '../src/core/issues.js';
import { DEFAULT_MAX_DATA_NESTING, findNestingProblem } from '../src/core/nesting.js';
import { hydrate, offload } from './blobs.js';
import type { StepActivityRequest } from './types.js';

/** A handler activity. */
export type StepActivity = (request: StepActivityRequest) => Promise<JsonValue>;


/**
 * The error type of step data nested deeper than `DEFAULT_MAX_DATA_NESTING`: non-retryable, since
 * the same data fails the same way. Checked by an iterative walk before zod's recursive parse,
 * which would otherwise overflow the stack (a `RangeError` retried as if transient).
 */
export const STEP_DATA_TOO_DEEP = 'STEP_DATA_TOO_DEEP';

function refuseDeepData(value: unknown, subject: string): void {
  const problem = findNestingProblem(value, DEFAULT_MAX_DATA_NESTING);
  if (!problem || problem.kind !== 'too_deep') return;
  throw ApplicationFailure.create({
    type: STEP_DATA_TOO_DEEP,
    nonRetryable: true,
    message:
      `${subject} nests arrays and objects more than ${DEFAULT_MAX_DATA_NESTING} levels deep ` +
      `(level ${problem.depth} at '${pointer(...problem.path)}'), or contains itself. ` +
      'Flatten the data (a transform step can), or split it across steps.',
    details: [{ depth: problem.depth, path: pointer(...problem.path) }],
  });
}

/** The idempotency key of a step in a run: Temporal's advice, run ID plus activity ID. */
export function idempotencyKey(runId: string, step: string): string {
  return `${runId}/${step}`;
}

/** Where results over the threshold go. */
export interface BlobOptions {
  readonly store: BlobStore;
  readonly thresholdBytes: number;
  /** Parsed blobs this worker keeps: the partitions of a fan-out read one stored list once, not once each. */
  readonly cache?: BlobCache;
}

/**
 * Beats for a running step every third of its heartbeat timeout, repeating the handler's last
 * details, until stopped. A beat proves the worker process and its event loop are alive — what
 * Temporal needs to tell a slow step from a dead worker — so every handler gets it without writing
 * heartbeat code; a handler's own `ctx.heartbeat(details)` only adds progress details. A worker
 * that dies (or whose event loop freezes) stops beating, and the step is retried elsewhere after
 * the heartbeat timeout. Temporal's SDK throttles what reaches the server.
 */
export function autoHeartbeat(ctx: Context, enabled: boolean): { readonly beat: (details?: unknown) => void; readonly stop: () => void } {
  let last: unknown;
  const timeoutMs = ctx.info.heartbeatTimeoutMs ?? 0;
  const timer = enabled && timeoutMs > 0 ? setInterval(() => ctx.heartbeat(last), Math.max(100, Math.floor(timeoutMs / 3))) : undefined;
  timer?.unref();
  return {
    beat: (details) => {
      last = details;
      ctx.heartbeat(details);
    },
    stop: () => clearInterval(timer),
  };
}

/** Wraps a handler as an activity. */
export function handlerActivity(handler: AnyHandler, blobs: BlobOptions): StepActivity {
  return async (request) => {
    const ctx = Context.current();
    // From the start: reading and writing blobs (a remote store) can take a while too.
    const beats = autoHeartbeat(ctx, handler.heartbeats !== false);
    try {
      return await runHandler(handler, blobs, request, ctx, beats.beat);
    } finally {
      beats.stop();
    }
  };
}

async function runHandler(handler: AnyHandler, blobs: BlobOptions, request: StepActivityRequest, ctx: Context, heartbeat: (details?: unknown) => void): Promise<JsonValue> {
  const input = await hydrate(request.input, blobs.store, blobs.cache);
  refuseDeepData(input, `Step '${request.step}': its input`);
  const parsed = handler.input.safeParse(input);
  if (!parsed.success) {
    throw ApplicationFailure.create({
      type: 'INPUT_INVALID',
      nonRetryable: true,
      message: `Step '${request.step}': the inputs do not fit handler '${handler.name}': ${formatIssues(parsed.error)}.`,
    });
  }
  const info = ctx.info;
  // Always set for workflow activities; standalone activities fall back to the activity ID.
  const wf = request.task ?? info.workflowExecution ?? { workflowId: info.activityId, runId: info.activityId };
  const handlerCtx: HandlerContext = {
    workflowId: wf.workflowId,
    runId: wf.runId,
    stepName: request.step,
    attempt: info.attempt,
    idempotencyKey: idempotencyKey(wf.runId, request.step),
    signal: ctx.cancellationSignal,
    heartbeat,
  };
  const output: unknown = await handler.run(parsed.data, handlerCtx);
  refuseDeepData(output, `Handler '${handler.name}' of step '${request.step}': its output`);
  const checked = handler.output.safeParse(output);
  if (!checked.success) {
    throw ApplicationFailure.create({
      type: 'OUTPUT_INVALID',
      nonRetryable: true,
      message: `Handler '${handler.name}' returned an output that does not fit its own schema (a handler bug): ${formatIssues(checked.error)}.`,
    });
  }
  // Round-trip through JSON so what the workflow records is exactly what downstream steps see.
  const json = JSON.parse(JSON.stringify(checked.data ?? null)) as JsonValue;
  return offload(json, blobs.store, Math.min(blobs.thresholdBytes, request.offloadAboveBytes ?? Infinity));
}
