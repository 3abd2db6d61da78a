import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { manifestEntry, toJsonSchema, type AnyHandler } from '../../src/handler.js';
import { aggregate } from '../../catalog/aggregate.js';
import {
  AT_MOST_ONE_MUTATING,
  compose,
  COMPOSITION_GUARD_MODES,
  emitPrimitive,
  fromHandler,
  isPrimitive,
  jsonataTransform,
  NOTHING_FALLIBLE_AFTER_MUTATION,
  persistPrimitive,
  transformPrimitive,
  validatePrimitive,
  validateRows,
  definePrimitive,
  type PrimitiveKind,
} from '../../catalog/grammar/index.js';
import { expectHandlerFailure, runHandler } from '../support/handler-context.js';

const meta = { description: 'A test composition.', category: 'data' } as const;
const order = z.object({ id: z.string(), total: z.number().nonnegative() });

const selectPaid = jsonataTransform({
  name: 'select_paid',
  expression: '{ "rows": [orders[status = "paid"].{ "id": id, "total": total }] }',
  input: z.object({ orders: z.array(z.json()) }),
  output: z.object({ rows: z.array(z.json()) }),
});
const checkOrders = validateRows({ name: 'check_orders', row: order, onInvalid: 'filter' });
const sumTotals = transformPrimitive({
  name: 'sum_totals',
  input: z.object({ rows: z.array(order) }),
  output: z.object({ count: z.number().int(), total: z.number() }),
  errorModes: [],
  run: ({ rows }) => Promise.resolve({ count: rows.length, total: rows.reduce((sum, row) => sum + row.total, 0) }),
});

/** A persist primitive writing to an in-memory store, recording its writes. */
function memoryStore() {
  const writes: unknown[] = [];
  const primitive = persistPrimitive({
    name: 'store_total',
    input: z.object({ count: z.number().int(), total: z.number() }),
    output: z.object({ key: z.string() }),
    errorModes: [{ code: 'STORE_UNAVAILABLE', retryable: true, description: 'The store did not answer.' }],
    run: (row, ctx) => {
      writes.push({ key: ctx.idempotencyKey, row });
      return Promise.resolve({ key: ctx.idempotencyKey });
    },
  });
  return { writes, primitive };
}

const orders = {
  orders: [
    { id: 'a', status: 'paid', total: 120.5 },
    { id: 'b', status: 'pending', total: 80 },
    { id: 'c', status: 'paid', total: -1 },
    { id: 'd', status: 'paid', total: 10 },
  ],
};

describe('compose', () => {
  it('runs the primitives in order, end to end', async () => {
    const paidTotal = compose('paid_total', meta).then(selectPaid).then(checkOrders).then(sumTotals).build();
    // Row c has a negative total: validation filters it out.
    await expect(runHandler(paidTotal, orders)).resolves.toEqual({ count: 2, total: 130.5 });
    expect(paidTotal.name).toBe('paid_total');
    expect(paidTotal.input).toBe(selectPaid.input);
    expect(paidTotal.output).toBe(sumTotals.output);
  });

  it('derives the manifest entry from the first input and the last output', () => {
    const paidTotal = compose('paid_total', meta).then(selectPaid).then(checkOrders).then(sumTotals).build();
    const entry = manifestEntry(paidTotal);
    expect(entry).toMatchObject({ name: 'paid_total', description: meta.description, category: 'data', mutating: false });
    expect(entry.inputSchema).toEqual(toJsonSchema(selectPaid.input, 'input'));
    expect(entry.outputSchema).toEqual(toJsonSchema(sumTotals.output, 'output'));
    expect(entry.errorModes.map((m) => m.code)).toEqual([
      'TRANSFORM_EXPRESSION_INVALID',
      'TRANSFORM_EVALUATION_FAILED',
      'TRANSFORM_TIMEOUT',
      'TRANSFORM_RESULT_TOO_LARGE',
      'TRANSFORM_RESULT_MISMATCH',
      'VALIDATE_SCHEMA_INVALID',
      'VALIDATION_FAILED',
      'COMPOSITION_STEP_INPUT_INVALID',
    ]);
  });

  it('unions error modes by code, and rejects one code declared two ways', () => {
    const mode = { code: 'SHARED_FAILURE', retryable: false, description: 'Shared.' } as const;
    const a = validatePrimitive({ name: 'a', input: z.object({ n: z.number() }), output: z.object({ n: z.number() }), errorModes: [mode], run: (x) => Promise.resolve(x) });
    const b = validatePrimitive({ name: 'b', input: z.object({ n: z.number() }), output: z.object({ n: z.number() }), errorModes: [mode], run: (x) => Promise.resolve(x) });
    expect(compose('twice', meta).then(a).then(b).build().errorModes).toEqual([mode, ...COMPOSITION_GUARD_MODES]);
    // One step has no guard, so only its own modes.
    expect(compose('once', meta).then(a).build().errorModes).toEqual([mode]);
    const retryable = validatePrimitive({ name: 'r', input: z.object({ n: z.number() }), output: z.object({ n: z.number() }), errorModes: [{ ...mode, retryable: true }], run: (x) => Promise.resolve(x) });
    expect(() => compose('clash', meta).then(a).then(retryable).build()).toThrow(/SHARED_FAILURE is declared both retryable and not/);
  });

  it('is mutating when one of its primitives is', async () => {
    const { writes, primitive } = memoryStore();
    const store = compose('store_paid_total', meta).then(selectPaid).then(checkOrders).then(sumTotals).then(primitive).build();
    expect(store.mutating).toBe(true);
    expect(manifestEntry(store).mutating).toBe(true);
    expect(store.errorModes.map((m) => m.code)).toContain('STORE_UNAVAILABLE');
    await expect(runHandler(store, orders)).resolves.toEqual({ key: 'wf-test.test_step' });
    expect(writes).toEqual([{ key: 'wf-test.test_step', row: { count: 2, total: 130.5 } }]);
    expect(compose('pure', meta).then(selectPaid).then(checkOrders).build().mutating).toBe(false);
  });

  it('does not reach the mutation when an earlier step fails', async () => {
    const { writes, primitive } = memoryStore();
    const strict = validateRows({ name: 'strict_orders', row: order });
    const store = compose('store_strict', meta).then(selectPaid).then(strict).then(sumTotals).then(primitive).build();
    const failure = await expectHandlerFailure(store, orders, 'VALIDATION_FAILED');
    expect(failure.message).toContain('1 of 3 rows do not match the schema');
    expect(writes).toEqual([]);
  });

  it('parses each output with the next input schema at run time', async () => {
    // The types agree (number into number); the refinement does not.
    const minusOne = transformPrimitive({ name: 'minus_one', input: z.object({ n: z.number() }), output: z.object({ n: z.number() }), run: ({ n }) => Promise.resolve({ n: n - 1 }) });
    const positive = transformPrimitive({ name: 'positive', input: z.object({ n: z.number().positive() }), output: z.object({ n: z.number() }), run: (x) => Promise.resolve(x) });
    const handler = compose('guarded', meta).then(minusOne).then(positive).build();
    await expect(runHandler(handler, { n: 2 })).resolves.toEqual({ n: 1 });
    const failure = await expectHandlerFailure(handler, { n: 1 }, 'COMPOSITION_STEP_INPUT_INVALID');
    expect(failure.message).toContain("the output of 'minus_one' (transform) does not pass the input schema of 'positive' (transform): n:");
    expect(failure.nonRetryable).toBe(true);
  });

  it('hands each step the parsed value, with defaults applied', async () => {
    const emit = transformPrimitive({ name: 'emit_text', input: z.object({ n: z.number() }), output: z.object({ text: z.string() }), run: ({ n }) => Promise.resolve({ text: `n=${n}` }) });
    const shout = transformPrimitive({
      name: 'shout',
      input: z.object({ text: z.string(), upper: z.boolean().default(true) }),
      output: z.object({ text: z.string() }),
      run: ({ text, upper }) => Promise.resolve({ text: upper ? text.toUpperCase() : text }),
    });
    await expect(runHandler(compose('shouted', meta).then(emit).then(shout).build(), { n: 3 })).resolves.toEqual({ text: 'N=3' });
  });

  it('checks the composition rules at run time when types are erased', () => {
    const { primitive: store } = memoryStore();
    const notify = emitPrimitive({ name: 'notify', input: z.object({ key: z.string() }), output: z.object({ sent: z.boolean() }), run: () => Promise.resolve({ sent: true }) });
    const audit = validatePrimitive({
      name: 'audit',
      input: z.object({ key: z.string() }),
      output: z.object({ key: z.string() }),
      errorModes: [{ code: 'AUDIT_FAILED', retryable: false, description: 'Audit failed.' }],
      run: (x) => Promise.resolve(x),
    });
    const erased = compose('erased', meta).then(sumTotals).then(store) as unknown as { then(p: unknown): unknown };
    expect(() => erased.then(notify)).toThrow(AT_MOST_ONE_MUTATING);
    expect(() => erased.then(notify)).toThrow(/'notify' \(emit\) follows 'store_total' \(persist\)/);
    expect(() => erased.then(audit)).toThrow(NOTHING_FALLIBLE_AFTER_MUTATION);
    expect(() => erased.then('✗ a composition has at most one mutating primitive')).toThrow(/takes a primitive/);
    expect(() => (compose('empty', meta) as unknown as { build(): unknown }).build()).toThrow(/has no steps/);
  });

  it('rejects a composition name the handler contract does not allow', () => {
    expect(() => compose('Paid Total', meta).then(sumTotals).build()).toThrow(/Handler name 'Paid Total' is invalid/);
  });
});

describe('primitives', () => {
  it('derive mutating from the kind and fallible from the error modes', () => {
    const { primitive: store } = memoryStore();
    expect(store).toMatchObject({ kind: 'persist', mutating: true, fallible: true });
    expect(sumTotals).toMatchObject({ kind: 'transform', name: 'sum_totals', mutating: false, fallible: false });
    expect(isPrimitive(store)).toBe(true);
    expect(isPrimitive({ name: 'x' })).toBe(false);
  });

  it('jsonataTransform reuses the transform handler and checks the result shape', async () => {
    const handler = compose('select', meta).then(selectPaid).build();
    const notArray = jsonataTransform({ name: 'not_array', expression: '{ "rows": 1 }', input: z.object({}), output: z.object({ rows: z.array(z.json()) }) });
    const mismatch = await expectHandlerFailure(compose('bad_shape', meta).then(notArray).build(), {}, 'TRANSFORM_RESULT_MISMATCH');
    expect(mismatch.message).toContain("The result of 'not_array' does not match its output schema: rows:");
    const failing = jsonataTransform({ name: 'failing', expression: '$number("x") + 1', input: z.object({}), output: z.json() });
    await expectHandlerFailure(compose('failing', meta).then(failing).build(), {}, 'TRANSFORM_EVALUATION_FAILED');
    expect(() => jsonataTransform({ name: 'broken', expression: 'orders[', input: z.object({}), output: z.json() })).toThrow(
      /Expression of 'broken' has a syntax error/,
    );
    await expect(runHandler(handler, { orders: [{ id: 'x', status: 'paid', total: 1 }] })).resolves.toEqual({ rows: [{ id: 'x', total: 1 }] });
  });

  it('validateRows checks rows with Ajv against the row schema and returns the valid ones', async () => {
    const flag = compose('flag', meta).then(validateRows({ row: order, onInvalid: 'flag' })).build();
    const out = await runHandler(flag, { rows: [{ id: 'a', total: 1 }, { id: 'b', total: -2 }] });
    expect(out.rows).toEqual([{ id: 'a', total: 1 }]);
    expect(out.invalid_count).toBe(1);
    expect(out.errors).toEqual([{ index: 1, path: '/total', message: 'must be >= 0' }]);
    expect(out.flagged).toMatchObject([{ id: 'b', _index: 1 }]);
    expect(() => validateRows({ name: 'defaults', row: z.object({ n: z.number().default(1) }) })).toThrow(/reads differently as input and output/);
  });

  it('fromHandler wraps an existing handler, keeping its schemas and error modes', async () => {
    const count = fromHandler('aggregate', aggregate, { name: 'count_rows' });
    expect(count).toMatchObject({ kind: 'aggregate', name: 'count_rows', mutating: false, errorModes: aggregate.errorModes });
    const handler = compose('count_orders', meta).then(count).build();
    await expect(runHandler(handler, { op: 'count', data: [1, 2, 3] })).resolves.toMatchObject({ result: 3, count: 3 });
    expect(() => fromHandler('persist', aggregate)).toThrow(/Handler 'aggregate' is not mutating, but a persist primitive is/);
  });

  it('rejects invalid names and kinds', () => {
    expect(() => transformPrimitive({ name: '1st', input: z.object({}), output: z.object({}), run: () => Promise.resolve({}) })).toThrow(
      /Primitive name '1st' is invalid/,
    );
    expect(() => definePrimitive('store' as PrimitiveKind, { input: z.object({}), output: z.object({}), run: () => Promise.resolve({}) })).toThrow(
      /Primitive kind 'store' is unknown; use one of acquire, transform, validate, decide, gate, fanOut, aggregate, persist, emit/,
    );
  });

  it('every composed handler in this file has JSON-representable schemas', () => {
    const handlers: AnyHandler[] = [compose('a', meta).then(selectPaid).then(checkOrders).then(sumTotals).build()];
    for (const h of handlers) expect(() => manifestEntry(h)).not.toThrow();
  });
});
