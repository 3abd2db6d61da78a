/**
 * Defaults for everything a template author may leave out. One place, so reviewers can see
 * what a template gets when it says nothing.
 */
import type { Budget, FailurePolicy, RetrySettings } from '../core/plan.js';
import { DEFAULT_SUMMARIZATION } from '../core/summarize.js';
import type { FailurePolicyInput } from './define.js';

/** Task budget defaults. */
export const DEFAULT_BUDGET: Budget = {
  maxSteps: 100,
  maxPlanningPhases: 5,
  maxLlmCalls: 20,
  maxCostUsd: 5,
  maxWallTimeMs: 60 * 60 * 1000,
};

/** Handler steps: three attempts with backoff, five minutes each, then fail the task. */
export const DEFAULT_STEP_FAILURE: FailurePolicy = {
  retry: { maximumAttempts: 3, initialIntervalMs: 1000, backoffCoefficient: 2, maximumIntervalMs: 30_000 },
  timeoutMs: 5 * 60 * 1000,
  onExhausted: 'fail',
};

export { DEFAULT_HEARTBEAT_TIMEOUT_MS } from '../core/plan.js';

/** The planning activity: provider hiccups deserve more patience than handler errors. */
export const DEFAULT_PLANNER_FAILURE: FailurePolicy = {
  retry: { maximumAttempts: 5, initialIntervalMs: 2000, backoffCoefficient: 2, maximumIntervalMs: 60_000 },
  timeoutMs: 2 * 60 * 1000,
  onExhausted: 'fail',
};

/** Planning-step defaults. */
export const DEFAULT_PLANNING = {
  maxSteps: 12,
  maxDepth: 4,
  maxAttempts: 3,
  maxPhases: 1,
  maxFragmentBytes: 64 * 1024,
  concurrency: 8,
  mutations: 'require_gate',
  onExhausted: 'fail',
  summarization: DEFAULT_SUMMARIZATION,
} as const;

/** Fills a failure policy from its defaults. */
export function failurePolicy(input: FailurePolicyInput | undefined, base: FailurePolicy): FailurePolicy {
  const retry: RetrySettings = { ...base.retry, ...(input?.retry ?? {}) };
  const heartbeatTimeoutMs = input?.heartbeatTimeoutMs ?? base.heartbeatTimeoutMs;
  // Only when set: a compiled plan (and its hash) without it is what it was before the setting.
  return { retry, timeoutMs: input?.timeoutMs ?? base.timeoutMs, ...(heartbeatTimeoutMs === undefined ? {} : { heartbeatTimeoutMs }), onExhausted: input?.onExhausted ?? base.onExhausted };
}
