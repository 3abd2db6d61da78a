/**
 * The engine's data handlers are grammar compositions: each built-in below is what `compose`
 * built from one primitive of its kind, not a `defineHandler` call. Their manifests are pinned
 * elsewhere (catalog-manifest, catalog-docs); this pins how they are made.
 */
import { ApplicationFailure } from '@temporalio/common';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { aggregate } from '../../catalog/aggregate.js';
import { createDecideHandler, decide } from '../../catalog/decide.js';
import { gate } from '../../catalog/gate.js';
import { compose, compositionOf, type CompositionStep } from '../../catalog/grammar/compose.js';
import { transformPrimitive } from '../../catalog/grammar/kinds.js';
import { createSummarizeHandler } from '../../catalog/summarize.js';
import { createTransformHandler, transform } from '../../catalog/transform.js';
import { validate } from '../../catalog/validate.js';
import { defineHandler, type AnyHandler } from '../../src/handler.js';
import { runHandler } from '../support/handler-context.js';

const builtins: readonly (readonly [AnyHandler, readonly CompositionStep[]])[] = [
  [transform, [{ kind: 'transform', name: 'evaluate_expression' }]],
  [createTransformHandler({ timeoutMs: 50 }), [{ kind: 'transform', name: 'evaluate_expression' }]],
  [validate, [{ kind: 'validate', name: 'check_schema' }]],
  [aggregate, [{ kind: 'aggregate', name: 'reduce_rows' }]],
  [decide, [{ kind: 'decide', name: 'apply_rules' }]],
  [createDecideHandler({ timeoutMs: 50 }), [{ kind: 'decide', name: 'apply_rules' }]],
  [gate, [{ kind: 'gate', name: 'await_approval' }]],
  [createSummarizeHandler({ env: {} }), [{ kind: 'transform', name: 'summarize_json' }]],
];

describe('built-in handlers as compositions', () => {
  it.each(builtins.map(([handler, steps]) => [handler.name, handler, steps] as const))(
    '%s is built by compose from one primitive of its kind',
    (_, handler, steps) => {
      expect(compositionOf(handler)).toEqual(steps);
    },
  );

  it('says nothing about handlers compose did not build, or copies of composed ones', () => {
    const plain = defineHandler({
      name: 'plain',
      description: 'Returns its input.',
      category: 'data',
      input: z.object({ n: z.number() }),
      output: z.object({ n: z.number() }),
      run: (input) => Promise.resolve(input),
    });
    expect(compositionOf(plain)).toBeUndefined();
    expect(compositionOf({ ...transform })).toBeUndefined();
  });

  it('records kinds and names of every step, in order, frozen, without changing the handler', () => {
    const double = transformPrimitive({
      name: 'double',
      input: z.object({ n: z.number() }),
      output: z.object({ n: z.number() }),
      errorModes: [],
      run: ({ n }) => Promise.resolve({ n: n * 2 }),
    });
    const handler = compose('quadruple', { description: 'Multiplies by four.', category: 'data' }).then(double).then(double).build();
    const steps = compositionOf(handler);
    expect(steps).toEqual([
      { kind: 'transform', name: 'double' },
      { kind: 'transform', name: 'double' },
    ]);
    expect(Object.isFrozen(steps)).toBe(true);
    expect(Object.isFrozen(steps?.[0])).toBe(true);
    // The record lives beside the handler: its own keys are exactly defineHandler's.
    expect(Reflect.ownKeys(handler).sort()).toEqual(
      ['category', 'description', 'errorModes', 'estimatedCostUsd', 'input', 'mutating', 'name', 'output', 'run'],
    );
  });

  it('keeps the gate out of activities: its composed run rejects with GATE_IN_WORKFLOW', async () => {
    const failure = await runHandler(gate, { prompt: 'Ship it?' }).then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(failure).toBeInstanceOf(ApplicationFailure);
    expect((failure as ApplicationFailure).type).toBe('GATE_IN_WORKFLOW');
    expect((failure as ApplicationFailure).nonRetryable).toBe(true);
  });
});
