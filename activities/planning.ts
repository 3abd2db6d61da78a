/**
 * The planning activity: calls the planner and returns its untrusted candidate. Oversized output
 * is cut to just over the fragment limit, so it is rejected with FRAGMENT_TOO_LARGE instead of
 * breaking Temporal's payload limit.
 */
import { Context } from '@temporalio/activity';
import { ApplicationFailure, CancelledFailure } from '@temporalio/common';
import { jsonByteLength, utf8ByteLength } from '../src/core/json.js';
import { MAX_PLANNER_OUTPUT_BYTES } from '../src/core/validation.js';
import type { BlobStore } from '../src/blob/store.js';
import { PROVIDER_ERRORS, type ProviderFailureDetails } from '../src/planner/provider-errors.js';
import type { FailedProviderCall, Planner, PlanningRequest, PlanningResult } from '../src/planner/types.js';

/** Outputs larger than this (bytes of JSON) are cut before they enter history. */
export { MAX_PLANNER_OUTPUT_BYTES };

/** Prompts longer than this (bytes) are kept in the blob store; layer 2 shows the reference. */
export const MAX_INLINE_PROMPT_BYTES = 8 * 1024;

/** Told of every provider call a planning activity makes: its outcome (`success` or the failure type). */
export type LlmCallListener = (template: string, planner: string, model: string | null, outcome: string, calls: number) => void;
/**
 * The failure details entry that carries every failed provider call of this planning attempt
 * (this try's and earlier tries'), so that the workflow can charge and show them.
 */
export interface FailedCallsDetails {
  readonly weftFailedCalls: readonly FailedProviderCall[];
}

/** What the planning activity heartbeats: where it is, and the failed calls so far. */
interface PlanningHeartbeat {
  readonly planningStep: string;
  readonly phase: number;
  readonly attempt: number;
  readonly failedCalls?: readonly FailedProviderCall[];
}

const PROVIDER_FAILURE_TYPES: ReadonlySet<string> = new Set(Object.values(PROVIDER_ERRORS));

/** Failed calls recorded by earlier tries of this activity (carried in heartbeat details). */
function earlierFailedCalls(details: unknown): FailedProviderCall[] {
  const calls: unknown = (details as PlanningHeartbeat | undefined)?.failedCalls;
  return Array.isArray(calls) ? [...(calls as FailedProviderCall[])] : [];
}

/** Creates the planning activity for a planner. */
export function planningActivity(planner: Planner, blobs: BlobStore, onCalls?: LlmCallListener) {
  return async function weftPlan(request: PlanningRequest): Promise<PlanningResult> {
    const ctx = Context.current();
    // Each failed provider call is heartbeated before the failure is thrown (the final heartbeat
    // of a failing attempt is not throttled), so Temporal's next try of this activity knows it.
    const failedCalls = earlierFailedCalls(ctx.info.heartbeatDetails);
    const where: PlanningHeartbeat = { planningStep: request.planningStep, phase: request.phase, attempt: request.attempt };
    const heartbeat = () => ctx.heartbeat(failedCalls.length > 0 ? { ...where, failedCalls } : where);
    // An LLM call can outlast the heartbeat timeout; beat while it runs so only a dead worker times out.
    const beat = setInterval(heartbeat, 10_000);
    const started = performance.now();
    let result: PlanningResult;
    try {
      result = await planner.plan(request, ctx.cancellationSignal);
      onCalls?.(request.template.name, planner.name, result.model, 'success', result.llmCalls);
    } catch (err) {
      // A failed call counts too (each Temporal retry is another call).
      onCalls?.(request.template.name, planner.name, null, err instanceof ApplicationFailure && err.type ? err.type : ctx.cancellationSignal.aborted ? 'CANCELLED' : 'PLANNER_ERROR', 1);
      if (err instanceof ApplicationFailure && err.type && PROVIDER_FAILURE_TYPES.has(err.type)) {
        const d = err.details?.[0] as Partial<ProviderFailureDetails> | undefined;
        failedCalls.push({
          errorType: err.type,
          message: err.message,
          status: d?.status ?? null,
          model: d?.model ?? null,
          latencyMs: Math.round(performance.now() - started),
          inputTokens: 0,
          outputTokens: 0,
          activityAttempt: ctx.info.attempt,
        });
        heartbeat();
        throw ApplicationFailure.create({
          type: err.type,
          message: err.message,
          nonRetryable: err.nonRetryable ?? false,
          details: [...(err.details ?? []), { weftFailedCalls: failedCalls } satisfies FailedCallsDetails],
          // the provider's retry-after, in ms as provider-errors.ts sets it
          ...(err.nextRetryDelay != null ? { nextRetryDelay: err.nextRetryDelay as number } : {}),
        });
      }
      if (err instanceof ApplicationFailure || err instanceof CancelledFailure || ctx.cancellationSignal.aborted) throw err;
      throw ApplicationFailure.create({
        type: 'PLANNER_ERROR',
        message: `Planner '${planner.name}' failed for planning step '${request.planningStep}' (phase ${request.phase}, attempt ${request.attempt}): ${(err as Error).message}`,
        nonRetryable: false,
      });
    } finally {
      clearInterval(beat);
    }
    if (failedCalls.length > 0) result = { ...result, failedCalls };
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
