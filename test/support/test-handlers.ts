/**
 * Real handlers for engine tests: arithmetic, controlled failures, and a concurrency tracker.
 * Activities run in the test process, so per-test state lives in module maps keyed by the
 * workflow ID.
 */
import { ApplicationFailure } from '@temporalio/common';
import { setTimeout as delay } from 'node:timers/promises';
import { z } from 'zod';
import { defineHandler } from '../../src/handler.js';

/** Returns a number given as input. */
export const emitNumber = defineHandler({
  name: 'emit_number',
  description: 'Returns the number it is given.',
  category: 'data',
  input: z.object({ value: z.number() }).strict(),
  output: z.object({ value: z.number() }),
  run: ({ value }) => Promise.resolve({ value }),
});

/** Adds numbers. */
export const add = defineHandler({
  name: 'add',
  description: 'Adds a list of numbers.',
  category: 'data',
  input: z.object({ values: z.array(z.number()) }).strict(),
  output: z.object({ value: z.number() }),
  run: ({ values }) => Promise.resolve({ value: values.reduce((a, b) => a + b, 0) }),
});

/** Collects results into a report-like object (a convergence handler). */
export const collect = defineHandler({
  name: 'collect',
  description: 'Collects planned results.',
  category: 'data',
  input: z.object({ results: z.record(z.string(), z.json()), partial: z.boolean(), reason: z.string().nullable() }).strict(),
  output: z.object({ keys: z.array(z.string()), partial: z.boolean(), reason: z.string().nullable(), results: z.record(z.string(), z.json()) }),
  run: ({ results, partial, reason }) => Promise.resolve({ keys: Object.keys(results).sort(), partial, reason, results }),
});

const failuresLeft = new Map<string, number>();

/** Fails until `failuresLeft` for this workflow+step is used up (set by tests). */
export const flaky = defineHandler({
  name: 'flaky',
  description: 'Fails while the test says so, then returns ok.',
  category: 'data',
  input: z.object({ label: z.string() }).strict(),
  output: z.object({ ok: z.literal(true), label: z.string() }),
  errorModes: [{ code: 'FLAKY_FAILURE', retryable: true, description: 'The test asked it to fail.' }],
  run: ({ label }, ctx) => {
    const key = `${ctx.workflowId}/${ctx.stepName}`;
    const left = failuresLeft.get(key) ?? 0;
    if (left > 0) {
      failuresLeft.set(key, left - 1);
      return Promise.reject(ApplicationFailure.create({ type: 'FLAKY_FAILURE', message: `planned failure, ${left - 1} left` }));
    }
    return Promise.resolve({ ok: true as const, label });
  },
});

/** Makes `flaky` fail `n` more times for a workflow's step. */
export function failTimes(workflowId: string, step: string, n: number): void {
  failuresLeft.set(`${workflowId}/${step}`, n);
}

const active = new Map<string, { now: number; max: number; order: string[] }>();

/** Sleeps `ms` real milliseconds and records how many ran at once per workflow. */
export const tracked = defineHandler({
  name: 'tracked',
  description: 'Sleeps a little and records concurrency.',
  category: 'data',
  input: z.object({ ms: z.number().int().min(0).max(5000) }).strict(),
  output: z.object({ started: z.number() }),
  run: async ({ ms }, ctx) => {
    const t = active.get(ctx.workflowId) ?? { now: 0, max: 0, order: [] };
    active.set(ctx.workflowId, t);
    t.now++;
    t.max = Math.max(t.max, t.now);
    t.order.push(`start:${ctx.stepName}`);
    const started = t.order.length;
    await delay(ms);
    t.now--;
    t.order.push(`end:${ctx.stepName}`);
    return { started };
  },
});

/** Concurrency observed for a workflow. */
export function concurrencyOf(workflowId: string): { max: number; order: readonly string[] } {
  const t = active.get(workflowId);
  return { max: t?.max ?? 0, order: t?.order ?? [] };
}

/** Produces `count` rows: a large output on purpose. */
export const makeRows = defineHandler({
  name: 'make_rows',
  description: 'Produces rows.',
  category: 'data',
  input: z.object({ count: z.number().int().min(0).max(100_000) }).strict(),
  output: z.object({ rows: z.array(z.object({ id: z.string(), amount: z.number() })), count: z.number() }),
  run: ({ count }) => Promise.resolve({ rows: Array.from({ length: count }, (_, i) => ({ id: `row-${i}`, amount: i })), count }),
});

/** Counts and sums rows. */
export const sumRows = defineHandler({
  name: 'sum_rows',
  description: 'Counts rows and sums their amounts.',
  category: 'data',
  input: z.object({ rows: z.array(z.object({ id: z.string(), amount: z.number() })) }).strict(),
  output: z.object({ count: z.number(), total: z.number() }),
  run: ({ rows }) => Promise.resolve({ count: rows.length, total: rows.reduce((a, r) => a + r.amount, 0) }),
});

/**
 * A fan-out child: returns its partition's items and their count after `ms` real milliseconds,
 * recording concurrency like `tracked`, and failing (retryably) while `failTimes` says so for its
 * step, e.g. `failTimes(workflowId, 'fan[2]', 5)`.
 */
export const batchEcho = defineHandler({
  name: 'batch_echo',
  description: 'Echoes a partition of items.',
  category: 'data',
  input: z.object({ data: z.array(z.json()), ms: z.number().int().min(0).max(5000).default(0), tag: z.string().default('') }).strict(),
  output: z.object({ count: z.number(), items: z.array(z.json()), tag: z.string() }),
  errorModes: [{ code: 'FLAKY_FAILURE', retryable: true, description: 'The test asked it to fail.' }],
  run: async ({ data, ms, tag }, ctx) => {
    const key = `${ctx.workflowId}/${ctx.stepName}`;
    const left = failuresLeft.get(key) ?? 0;
    if (left > 0) {
      failuresLeft.set(key, left - 1);
      throw ApplicationFailure.create({ type: 'FLAKY_FAILURE', message: `planned failure of ${ctx.stepName}, ${left - 1} left` });
    }
    const t = active.get(ctx.workflowId) ?? { now: 0, max: 0, order: [] };
    active.set(ctx.workflowId, t);
    t.now++;
    t.max = Math.max(t.max, t.now);
    t.order.push(`start:${ctx.stepName}`);
    try {
      await delay(ms);
    } finally {
      t.now--;
      t.order.push(`end:${ctx.stepName}`);
    }
    return { count: data.length, items: data, tag };
  },
});

/** Every test handler. */
/** `add` at a price: every step charges the budget (not in `testHandlers`). */
export const priced = defineHandler({
  name: 'priced',
  description: 'Adds numbers, at a price.',
  category: 'data',
  estimatedCostUsd: 0.001,
  input: z.object({ values: z.array(z.number()) }).strict(),
  output: z.object({ value: z.number() }),
  run: ({ values }) => Promise.resolve({ value: values.reduce((a, b) => a + b, 0) }),
});

export const testHandlers = [emitNumber, add, collect, flaky, tracked, makeRows, sumRows, batchEcho];
