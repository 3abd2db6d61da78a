/**
 * Type tests: handler and template definitions infer their types from zod schemas, and misuse
 * does not compile.
 */
import { describe, expectTypeOf, it } from 'vitest';
import { z } from 'zod';
import { defineHandler, type Handler, type HandlerContext } from '../../src/handler.js';
import { convergenceStep, planningStep, staticStep, type HandlerStepInput, type PlanningStepInput } from '../../src/template/define.js';
import type { Fragment } from '../../src/core/fragment.js';

describe('defineHandler', () => {
  it('infers run input and output from the zod schemas', () => {
    const double = defineHandler({
      name: 'double',
      description: 'Doubles a number.',
      category: 'data',
      input: z.object({ n: z.number() }),
      output: z.object({ n: z.number() }),
      run: ({ n }) => Promise.resolve({ n: n * 2 }),
    });
    expectTypeOf(double).toEqualTypeOf<Handler<{ n: number }, { n: number }>>();
    type Run = typeof double.run;
    expectTypeOf<Parameters<Run>[0]>().toEqualTypeOf<{ n: number }>();
    expectTypeOf<Parameters<Run>[1]>().toEqualTypeOf<HandlerContext>();
    expectTypeOf<Awaited<ReturnType<Run>>>().toEqualTypeOf<{ n: number }>();
  });

  it('rejects a run that returns the wrong shape', () => {
    defineHandler({
      name: 'bad',
      description: 'Returns a string where a number is declared.',
      category: 'data',
      input: z.object({ n: z.number() }),
      output: z.object({ n: z.number() }),
      // @ts-expect-error the output schema says n is a number
      run: () => Promise.resolve({ n: 'two' }),
    });
  });

  it('rejects a run that reads an input the schema does not declare', () => {
    defineHandler({
      name: 'bad_input',
      description: 'Reads a missing input.',
      category: 'data',
      // @ts-expect-error run reads `m`, which this input schema does not declare (the compiler reports it here)
      input: z.object({ n: z.number() }),
      output: z.object({ n: z.number() }),
      run: ({ m }: { m: number }) => Promise.resolve({ n: m }),
    });
  });
});

describe('template steps', () => {
  it('builds typed frame steps', () => {
    expectTypeOf(staticStep('load', { handler: 'load_orders' })).toEqualTypeOf<HandlerStepInput>();
    expectTypeOf(convergenceStep('done', { handler: 'compose_report' }).kind).toEqualTypeOf<'static' | 'convergence' | 'finalization'>();
    expectTypeOf(planningStep('plan', { problem: 'p', allow: {}, convergence: 'done' })).toEqualTypeOf<PlanningStepInput>();
  });

  it('requires the convergence step and a problem of a planning step', () => {
    // @ts-expect-error a planning step must name the convergence step it feeds
    planningStep('plan', { problem: 'p', allow: {} });
    // @ts-expect-error a planning step needs its problem
    planningStep('plan', { allow: {}, convergence: 'done' });
  });

  it('types the fallback as a fragment', () => {
    const fallback: Fragment = { fragment_version: '1', goal: 'g', reasoning: 'r', steps: [], next: 'done' };
    planningStep('plan', { problem: 'p', allow: {}, convergence: 'done', fallback });
    // @ts-expect-error next is "done" or "replan"
    planningStep('plan', { problem: 'p', allow: {}, convergence: 'done', fallback: { ...fallback, next: 'later' } });
  });
});
