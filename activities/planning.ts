/**
 * The planning activity: calls the planner and returns its untrusted candidate. Oversized output
 * is cut to just over the fragment limit, so it is rejected with FRAGMENT_TOO_LARGE instead of
 * breaking Temporal's payload limit.
 */
import { Context } from '@temporalio/activity';
import { ApplicationFailure, CancelledFailure } from '@temporalio/common';
import { jsonByteLength, utf8ByteLength } from '../src/core/json.js';
import type { BlobStore } from '../src/blob/store.js';
import type { Planner, PlanningRequest, PlanningResult } from '../src/planner/types.js';

/** Outputs larger than this (bytes of JSON) are cut before they enter history. */
export const MAX_PLANNER_OUTPUT_BYTES = 512 * 1024;

/** Prompts longer than this (bytes) are kept in the blob store; layer 2 shows the reference. */
export const MAX_INLINE_PROMPT_BYTES = 8 * 1024;

/** Told of every provider call a planning activity makes: its outcome (`success` or the failure type). */
export type LlmCallListener = (template: string, planner: string, model: string | null, outcome: string, calls: number) => void;

/** Creates the planning activity for a planner. */
export function planningActivity(planner: Planner, blobs: BlobStore, onCalls?: LlmCallListener) {
  return async function weftPlan(request: PlanningRequest): Promise<PlanningResult> {
    const ctx = Context.current();
    // An LLM call can outlast the heartbeat timeout; beat while it runs so only a dead worker times out.
    const beat = setInterval(() => ctx.heartbeat({ planningStep: request.planningStep, phase: request.phase, attempt: request.attempt }), 10_000);
    let result: PlanningResult;
    try {
      result = await planner.plan(request, ctx.cancellationSignal);
      onCalls?.(request.template.name, planner.name, result.model, 'success', result.llmCalls);
    } catch (err) {
      // A failed call counts too (each Temporal retry is another call).
      onCalls?.(request.template.name, planner.name, null, err instanceof ApplicationFailure && err.type ? err.type : ctx.cancellationSignal.aborted ? 'CANCELLED' : 'PLANNER_ERROR', 1);
      if (err instanceof ApplicationFailure || err instanceof CancelledFailure || ctx.cancellationSignal.aborted) throw err;
      throw ApplicationFailure.create({
        type: 'PLANNER_ERROR',
        message: `Planner '${planner.name}' failed for planning step '${request.planningStep}' (phase ${request.phase}, attempt ${request.attempt}): ${(err as Error).message}`,
        nonRetryable: false,
      });
    } finally {
      clearInterval(beat);
    }
    if (result.prompt !== null && utf8ByteLength(result.prompt) > MAX_INLINE_PROMPT_BYTES) {
      result = { ...result, prompt: null, promptRef: await blobs.put(result.prompt) };
    }
    if (jsonByteLength(result.output) > MAX_PLANNER_OUTPUT_BYTES) {
      const text = typeof result.output === 'string' ? result.output : JSON.stringify(result.output);
      return { ...result, output: text.slice(0, MAX_PLANNER_OUTPUT_BYTES) };
    }
    return result;
  };
}
