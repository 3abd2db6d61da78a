/**
 * The planning activity: calls the planner and returns its untrusted candidate. Oversized output
 * is cut to just over the fragment limit, so it is rejected with FRAGMENT_TOO_LARGE instead of
 * breaking Temporal's payload limit.
 */
import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import { jsonByteLength } from '../src/core/json.js';
import type { Planner, PlanningRequest, PlanningResult } from '../src/planner/types.js';

/** Outputs larger than this (bytes of JSON) are cut before they enter history. */
export const MAX_PLANNER_OUTPUT_BYTES = 512 * 1024;

/** Creates the planning activity for a planner. */
export function planningActivity(planner: Planner) {
  return async function weftPlan(request: PlanningRequest): Promise<PlanningResult> {
    const ctx = Context.current();
    let result: PlanningResult;
    try {
      result = await planner.plan(request, ctx.cancellationSignal);
    } catch (err) {
      if (err instanceof ApplicationFailure) throw err;
      throw ApplicationFailure.create({
        type: 'PLANNER_ERROR',
        message: `Planner '${planner.name}' failed for planning step '${request.planningStep}' (phase ${request.phase}, attempt ${request.attempt}): ${(err as Error).message}`,
        nonRetryable: false,
      });
    }
    if (jsonByteLength(result.output) > MAX_PLANNER_OUTPUT_BYTES) {
      const text = typeof result.output === 'string' ? result.output : JSON.stringify(result.output);
      return { ...result, output: text.slice(0, MAX_PLANNER_OUTPUT_BYTES) };
    }
    return result;
  };
}
