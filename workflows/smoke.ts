/**
 * Smoke-test workflows: the smallest real workloads that prove the local Temporal servers run
 * weft's kind of work (activities, long timers, search attributes). Used by
 * `test/temporal/smoke.test.ts` and `test/e2e/smoke.test.ts`; not registered by weft's worker.
 */
import type { SearchAttributePair, SearchAttributeUpdatePair } from '@temporalio/common';
import { proxyActivities, sleep, upsertSearchAttributes } from '@temporalio/workflow';
import type { SmokeActivities } from '../activities/smoke.js';
import { SA } from '../src/core/search-attributes.js';

const { greet } = proxyActivities<SmokeActivities>({ startToCloseTimeout: '30 seconds' });

/** What `smokeActivityDayTimer` returns. */
export interface DayTimerResult {
  readonly first: string;
  readonly second: string;
  /** Workflow time between the first and the second activity, in milliseconds. */
  readonly timerElapsedMs: number;
}

/** Runs an activity, sleeps one day, and runs it again. */
export async function smokeActivityDayTimer(name: string): Promise<DayTimerResult> {
  const first = await greet(name);
  // Date.now() in a workflow is the deterministic workflow time, which the timer moves.
  const before = Date.now();
  await sleep('1 day');
  const timerElapsedMs = Date.now() - before;
  const second = await greet(name);
  return { first, second, timerElapsedMs };
}

/** One value for every weft search attribute, keyed like `SA` and typed by its attribute type. */
export type SmokeSearchAttributeValues = {
  readonly [K in keyof typeof SA]: Extract<SearchAttributePair, { key: { type: (typeof SA)[K]['type'] } }>['value'];
};

/** Upserts every weft search attribute with the given values, then completes. */
export function smokeUpsertSearchAttributes(values: SmokeSearchAttributeValues): Promise<void> {
  const updates: SearchAttributeUpdatePair[] = [
    { key: SA.template, value: values.template },
    { key: SA.state, value: values.state },
    { key: SA.planningPhases, value: values.planningPhases },
    { key: SA.stepsUsed, value: values.stepsUsed },
    { key: SA.validationFailures, value: values.validationFailures },
    { key: SA.costUsd, value: values.costUsd },
    { key: SA.budgetExhausted, value: values.budgetExhausted },
    { key: SA.createdBy, value: values.createdBy },
    { key: SA.handlers, value: values.handlers },
    { key: SA.fragments, value: values.fragments },
  ];
  upsertSearchAttributes(updates);
  return Promise.resolve();
}
