import Ajv2020Module from 'ajv/dist/2020.js';
import { describe, expect, it } from 'vitest';
import { builtinHandlers } from '../../catalog/index.js';
import { createDecideHandler } from '../../catalog/decide.js';
import { createTransformHandler } from '../../catalog/transform.js';
import { orderTriageHandlers } from '../../examples/order-triage/handlers.js';
import { manifestEntry, manifestOf, type AnyHandler } from '../../src/handler.js';
import { expectHandlerFailure } from '../support/handler-context.js';

const Ajv2020 = Ajv2020Module.default;
const allHandlers: readonly AnyHandler[] = [...builtinHandlers, ...orderTriageHandlers];

describe('built-in catalog', () => {
  it('offers transform, validate, aggregate and decide', () => {
    expect(builtinHandlers.map((h) => [h.name, h.category, h.mutating])).toEqual([
      ['transform', 'data', false],
      ['validate', 'data', false],
      ['aggregate', 'data', false],
      ['decide', 'control', false],
    ]);
  });

  it.each(allHandlers.map((h) => [h.name, h]))('%s has a manifest entry the planner can be shown', (_, handler) => {
    const entry = manifestEntry(handler);
    // The derived schemas are themselves valid JSON Schema (2020-12): the validator compiles them.
    const ajv = new Ajv2020({ strict: false });
    expect(() => ajv.compile(entry.inputSchema as object)).not.toThrow();
    expect(() => ajv.compile(entry.outputSchema as object)).not.toThrow();
    expect(entry.description).not.toContain('\n');
  });

  it('derives one manifest for the built-ins and the example handlers together', () => {
    expect(Object.keys(manifestOf(allHandlers))).toEqual(allHandlers.map((h) => h.name));
  });

  it.each(allHandlers.map((h) => [h.name, h]))('%s declares unique SCREAMING_SNAKE error modes with descriptions', (_, handler) => {
    const codes = handler.errorModes.map((m) => m.code);
    expect(new Set(codes).size).toBe(codes.length);
    for (const mode of handler.errorModes) {
      expect(mode.code).toMatch(/^[A-Z][A-Z0-9_]*$/);
      expect(mode.description.length).toBeGreaterThan(10);
    }
  });
});

// Every declared error mode of every built-in handler, with an input that triggers it. The
// coverage test below fails when a mode is added without a case here.
const quickTransform = createTransformHandler({ timeoutMs: 50 });
const quickDecide = createDecideHandler({ timeoutMs: 50 });
const loop = '($f := function($n) { $f($n + 1) }; $f(0))';
const errorCases: readonly { handler: AnyHandler; code: string; input: unknown }[] = [
  { handler: createTransformHandler(), code: 'TRANSFORM_EXPRESSION_INVALID', input: { data: {}, expression: '$.(' } },
  { handler: createTransformHandler(), code: 'TRANSFORM_EVALUATION_FAILED', input: { data: { a: true }, expression: 'a + 1' } },
  { handler: quickTransform, code: 'TRANSFORM_TIMEOUT', input: { data: {}, expression: loop } },
  { handler: createTransformHandler({ maxResultBytes: 10 }), code: 'TRANSFORM_RESULT_TOO_LARGE', input: { data: {}, expression: '"eleven chars"' } },
  { handler: builtinHandlers[1] as AnyHandler, code: 'VALIDATE_SCHEMA_INVALID', input: { data: {}, schema: { type: 'nope' } } },
  { handler: builtinHandlers[1] as AnyHandler, code: 'VALIDATION_FAILED', input: { data: [1], schema: { type: 'string' } } },
  { handler: builtinHandlers[2] as AnyHandler, code: 'AGGREGATE_INPUT_INVALID', input: { op: 'sum', data: [{ n: 'x' }], field: 'n' } },
  { handler: quickDecide, code: 'DECIDE_OUTCOME_UNDECLARED', input: { data: {}, rules: [], default: 'x', outcomes: ['y'] } },
  { handler: quickDecide, code: 'DECIDE_RULE_INVALID', input: { data: {}, rules: [{ when: '(', outcome: 'y' }], default: 'y', outcomes: ['y'] } },
  { handler: quickDecide, code: 'DECIDE_RULE_FAILED', input: { data: {}, rules: [{ when: '"yes"', outcome: 'y' }], default: 'y', outcomes: ['y'] } },
  { handler: quickDecide, code: 'DECIDE_TIMEOUT', input: { data: {}, rules: [{ when: loop, outcome: 'y' }], default: 'y', outcomes: ['y'] } },
];

describe('error modes', () => {
  it('every declared mode of every built-in handler has a case', () => {
    const declared = builtinHandlers.flatMap((h) => h.errorModes.map((m) => `${h.name}:${m.code}`)).sort();
    const covered = errorCases.map((c) => `${c.handler.name}:${c.code}`).sort();
    expect(covered).toEqual(declared);
  });

  it.each(errorCases.map((c) => [`${c.handler.name} ${c.code}`, c]))('%s is thrown as a declared ApplicationFailure', async (_, c) => {
    const failure = await expectHandlerFailure(c.handler, c.input, c.code);
    expect(failure.message.length).toBeGreaterThan(20);
  });
});
