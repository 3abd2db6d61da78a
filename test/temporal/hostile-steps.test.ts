/**
 * Planned steps that tried to freeze the worker, run for real on one worker beside a heartbeating
 * step: a catastrophic regex (`^(a+)+$` on 40 × `a` + `!`) in `validate`'s `pattern`,
 * `transform`'s `$match` and `decide`'s `$contains`; `$pad("x", 536000000)`; and a transform that
 * builds data nested 300 levels deep; a handler returning data nested 9,000 levels deep. Each completes, or fails with a declared non-retryable
 * error (and parks), while the worker's event loop is never blocked for more than a second —
 * measured by the heartbeating step itself and by a sampler on the same event loop (activities
 * run in this process).
 */
import { setTimeout as delay } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { decide, transform, validate } from '../../catalog/index.js';
import type { JsonValue } from '../../src/core/json.js';
import { defineHandler } from '../../src/handler.js';
import { scriptedPlanner } from '../../src/planner/scripted.js';
import { convergenceStep, defineTemplate, planningStep, staticStep } from '../../src/template/define.js';
import { stepsQuery } from '../../workflows/definitions.js';
import { fragment, runTask, step, testTemplate, waitFor } from '../support/engine.js';
import { useTimeSkippingEngine } from '../support/suite.js';
import { collect, emitNumber } from '../support/test-handlers.js';

const engine = useTimeSkippingEngine();

/** Returns data nested `depth` levels deep: what zod's recursive parse overflowed on. */
const deepMaker = defineHandler({
  name: 'deep_maker',
  description: 'Returns a value nested as deep as asked.',
  category: 'data',
  input: z.object({ depth: z.number().int() }).strict(),
  output: z.object({ value: z.json() }),
  run({ depth }) {
    let value: JsonValue = [];
    for (let i = 1; i < depth; i++) value = [value];
    return Promise.resolve({ value });
  },
});

/** The event-loop bound the issue sets: no gap between ticks longer than this. */
const MAX_GAP_MS = 1_000;
const PROBE_MS = 4_000;

/** Ticks every 20 ms and heartbeats for `ms`, returning the longest gap it saw between ticks. */
const probe = defineHandler({
  name: 'probe',
  description: 'Heartbeats for a while and reports the longest event-loop gap it saw.',
  category: 'data',
  input: z.object({ ms: z.number().int() }).strict(),
  output: z.object({ max_gap_ms: z.number(), ticks: z.number().int() }),
  async run({ ms }, ctx) {
    const end = Date.now() + ms;
    let last = Date.now();
    let maxGap = 0;
    let ticks = 0;
    while (Date.now() < end) {
      await delay(20);
      const now = Date.now();
      maxGap = Math.max(maxGap, now - last);
      last = now;
      ticks++;
      ctx.heartbeat({ ticks });
    }
    return { max_gap_ms: maxGap, ticks };
  },
});

const template = defineTemplate({
  name: 'hostile-steps',
  version: '1',
  input: z.object({ n: z.number().default(1) }),
  budget: { maxSteps: 20, maxPlanningPhases: 1, maxLlmCalls: 2, maxCostUsd: 1, maxWallTimeMs: 3600_000 },
  steps: [
    staticStep('seed', { handler: 'emit_number', inputs: { value: '${task.input.n}' } }),
    planningStep('plan', {
      dependencies: ['seed'],
      problem: 'Try to freeze the worker.',
      allow: { handlers: ['transform', 'validate', 'decide', 'probe', 'emit_number', 'deep_maker'] },
      convergence: 'converge',
      stepFailure: { onExhausted: 'park', retry: { maximumAttempts: 3 } },
    }),
    convergenceStep('converge', {
      handler: 'collect',
      dependencies: ['plan'],
      inputs: { results: '${steps.plan.output.results}', partial: '${steps.plan.output.partial}', reason: '${steps.plan.output.reason}' },
    }),
  ],
});

const EVIL = '^(a+)+$';
const SUBJECT = `${'a'.repeat(40)}!`;
const after = ['kick'];
const hostile = fragment([
  step('beat', 'probe', { ms: PROBE_MS }),
  step('kick', 'emit_number', { value: 1 }),
  step('evil_pattern', 'validate', { data: [SUBJECT, 'aaa'], schema: { type: 'string', pattern: EVIL }, on_invalid: 'filter' }, after),
  step('evil_match', 'transform', { data: { s: SUBJECT }, expression: `$match(s, /${EVIL}/)` }, after),
  step('evil_contains', 'decide', { data: SUBJECT, rules: [{ when: `$contains($, /${EVIL}/)`, outcome: 'frozen' }], default: 'fine', outcomes: ['frozen', 'fine'] }, after),
  step('evil_pad', 'transform', { data: null, expression: '$pad("x", 536000000)' }, after),
  step('deep_data', 'deep_maker', { depth: 9_000 }, after),
  step('evil_deep', 'transform', { data: null, expression: '$reduce([1..300], function($acc, $v) { {"a": $acc} }, {})' }, after),
]);

describe('hostile planned steps on one worker', () => {
  it('complete or fail with a declared error, and no step blocks the event loop for a second', async () => {
    // A sampler on this process's event loop, which is the worker's: its activities run here.
    let last = Date.now();
    let samplerMaxGap = 0;
    const sampler = setInterval(() => {
      const now = Date.now();
      samplerMaxGap = Math.max(samplerMaxGap, now - last);
      last = now;
    }, 20);
    try {
      const outcome = await runTask({
        ...engine,
        template,
        planner: scriptedPlanner(() => hostile),
        handlers: [emitNumber, collect, probe, deepMaker, transform, validate, decide],
        during: async (handle) => {
          const settled = (s: { name: string; state: string }) => s.state === 'completed' || s.state === 'parked';
          await waitFor(
            () => handle.query(stepsQuery),
            (steps) => hostile.steps.every((h) => steps.some((s) => s.name === h.name && settled(s))),
            'every hostile step completed or parked',
            60_000,
          );
          await handle.terminate('the test has what it needs');
        },
      });
      const byName = new Map(outcome.steps.map((s) => [s.name, s]));
      const output = (name: string) => outcome.details[name]?.output as JsonValue;

      expect(byName.get('beat')?.state).toBe('completed');
      const beat = output('beat') as { max_gap_ms: number; ticks: number };
      expect(beat.ticks).toBeGreaterThan(20);
      expect(beat.max_gap_ms).toBeLessThanOrEqual(MAX_GAP_MS);

      // the catastrophic regex ran, in linear time, with the same answers a backtracking engine gives
      expect(byName.get('evil_pattern')?.state).toBe('completed');
      expect(output('evil_pattern')).toMatchObject({ valid: ['aaa'], invalid_count: 1 });
      expect(byName.get('evil_match')?.state).toBe('completed');
      expect(output('evil_match')).toEqual({ result: null });
      expect(byName.get('evil_contains')?.state).toBe('completed');
      expect(output('evil_contains')).toMatchObject({ outcome: 'fine' });

      // refused before allocating, and before zod could recurse: declared, non-retryable, parked
      const pad = byName.get('evil_pad')!;
      expect(pad.state).toBe('parked');
      expect(pad.error).toMatchObject({ type: 'TRANSFORM_RESULT_TOO_LARGE' });
      expect(pad.error?.message).toContain('$pad for 536000000 characters');
      expect(pad.executions).toBe(1);
      const built = byName.get('evil_deep')!;
      expect(built.state).toBe('parked');
      expect(built.error).toMatchObject({ type: 'TRANSFORM_RESULT_TOO_LARGE' });
      expect(built.error?.message).toContain('nested more than 256 levels deep');
      const deep = byName.get('deep_data')!;
      expect(deep.state).toBe('parked');
      expect(deep.error).toMatchObject({ type: 'STEP_DATA_TOO_DEEP' });
      expect(deep.error?.message).toMatch(/its output nests arrays and objects more than 256 levels deep \(level 257 at '\/value(\/0)+'\)/);
      expect(deep.executions).toBe(1);
      expect(samplerMaxGap).toBeLessThanOrEqual(MAX_GAP_MS);
    } finally {
      clearInterval(sampler);
    }
  });
});

describe('a fragment nested 3,000 levels deep', () => {
  it('is a rejected attempt with FRAGMENT_TOO_DEEP, and the planner is asked again (not a failed workflow task)', async () => {
    let deep: unknown = [];
    for (let i = 1; i < 3_000; i++) deep = [deep];
    const planner = scriptedPlanner((req) =>
      req.attempt === 1
        ? fragment([step('deep', 'add', { values: deep as number[] })])
        : fragment([step('double_seed', 'add', { values: ['${steps.seed.output.value}', '${steps.seed.output.value}'] }, ['seed'])]),
    );
    const { result, planning } = await runTask({ ...engine, template: testTemplate(), planner, input: { n: 3 } });
    expect(planning.map((a) => [a.attempt, a.accepted])).toEqual([
      [1, false],
      [2, true],
    ]);
    expect(planning[0]!.diagnostics.map((d) => d.code)).toEqual(['FRAGMENT_TOO_DEEP']);
    expect(planning[0]!.diagnostics[0]!.path).toMatch(/^\/steps\/0\/inputs\/values(\/0)+$/);
    expect(result?.result).toMatchObject({ results: { double_seed: { value: 6 } } });
  });
});
