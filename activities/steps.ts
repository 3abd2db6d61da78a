/**
 * Handler activities: one activity type per handler name, so Temporal's event history shows
 * `transform`, `validate`, ... The activity checks input and output against the handler's zod
 * schemas: a planner can only reach a handler through inputs its schema accepts.
 */
import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import type { JsonValue } from '../src/core/json.js';
import type { AnyHandler, HandlerContext } from '../src/handler.js';
import type { BlobStore } from '../src/blob/store.js';
import { formatIssues } from '../src/core/issues.js';
import { hydrate, offload } from './blobs.js';
import type { StepActivityRequest } from './types.js';

/** A handler activity. */
export type StepActivity = (request: StepActivityRequest) => Promise<JsonValue>;


/** The idempotency key of a step in a run: Temporal's advice, run ID plus activity ID. */
export function idempotencyKey(runId: string, step: string): string {
  return `${runId}/${step}`;
}

/** Where results over the threshold go. */
export interface BlobOptions {
  readonly store: BlobStore;
  readonly thresholdBytes: number;
}

/** Wraps a handler as an activity. */
export function handlerActivity(handler: AnyHandler, blobs: BlobOptions): StepActivity {
  return async (request) => {
    const ctx = Context.current();
    const parsed = handler.input.safeParse(await hydrate(request.input, blobs.store));
    if (!parsed.success) {
      throw ApplicationFailure.create({
        type: 'INPUT_INVALID',
        nonRetryable: true,
        message: `Step '${request.step}': the inputs do not fit handler '${handler.name}': ${formatIssues(parsed.error)}.`,
      });
    }
    const info = ctx.info;
    // Always set for workflow activities; standalone activities fall back to the activity ID.
    const wf = info.workflowExecution ?? { workflowId: info.activityId, runId: info.activityId };
    const handlerCtx: HandlerContext = {
      workflowId: wf.workflowId,
      runId: wf.runId,
      stepName: request.step,
      attempt: info.attempt,
      idempotencyKey: idempotencyKey(wf.runId, request.step),
      signal: ctx.cancellationSignal,
      heartbeat: (details?: unknown) => ctx.heartbeat(details),
    };
    const output: unknown = await handler.run(parsed.data, handlerCtx);
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
  };
}
