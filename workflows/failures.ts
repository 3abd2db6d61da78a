/**
 * Turning Temporal failures into what operators read, and domain failures into
 * `ApplicationFailure`s (a plain Error in workflow code would retry the workflow task forever).
 */
import { ActivityFailure, ApplicationFailure, TimeoutFailure, TemporalFailure } from '@temporalio/workflow';
import type { StepError } from '../src/core/steps.js';

/** The type and message of a failure, unwrapping activity failures to their cause. */
export function describeFailure(err: unknown): StepError {
  let e: unknown = err;
  if (e instanceof ActivityFailure && e.cause) e = e.cause;
  if (e instanceof ApplicationFailure) return { type: e.type ?? 'APPLICATION_ERROR', message: e.message };
  if (e instanceof TimeoutFailure) return { type: `TIMEOUT_${e.timeoutType}`, message: `The step timed out (${e.timeoutType}).` };
  if (e instanceof TemporalFailure) return { type: e.name, message: e.message };
  if (e instanceof Error) {
    const code = (e as { code?: unknown }).code;
    return { type: typeof code === 'string' ? code : e.name, message: e.message };
  }
  return { type: 'UNKNOWN', message: String(e) };
}

/** A non-retryable task failure with a stable type. */
export function taskFailure(type: string, message: string, details?: unknown): ApplicationFailure {
  return ApplicationFailure.create({ type, message, nonRetryable: true, details: details === undefined ? [] : [details] });
}
