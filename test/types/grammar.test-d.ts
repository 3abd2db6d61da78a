/**
 * Type tests for the action grammar: the built handler's types follow its first and last
 * primitives, and each composition rule is a compile error whose message is a sentence in the
 * position of `then`'s parameter.
 */
import { describe, expectTypeOf, it } from 'vitest';
import { z } from 'zod';
import type { Handler } from '../../src/handler.js';
import type { JsonValue } from '../../src/core/json.js';
import { transform as transformHandler } from '../../catalog/transform.js';
import {
  compose,
  emitPrimitive,
  fromHandler,
  jsonataTransform,
  persistPrimitive,
  transformPrimitive,
  validatePrimitive,
  validateRows,
  type Composition,
  type DescribeType,
  type EmptyComposition,
} from '../../catalog/grammar/index.js';

const meta = { description: 'A test composition.', category: 'data' } as const;
const failsOnce = [{ code: 'CHECK_FAILED', retryable: false, description: 'The check failed.' }] as const;

const toText = transformPrimitive({
  name: 'to_text',
  input: z.object({ n: z.number() }),
  output: z.object({ text: z.string() }),
  errorModes: [],
  run: ({ n }) => Promise.resolve({ text: String(n) }),
});
const measure = transformPrimitive({
  name: 'measure',
  input: z.object({ text: z.string() }),
  output: z.object({ length: z.number() }),
  run: ({ text }) => Promise.resolve({ length: text.length }),
});
const double = transformPrimitive({
  name: 'double',
  input: z.object({ n: z.number() }),
  output: z.object({ n: z.number() }),
  run: ({ n }) => Promise.resolve({ n: n * 2 }),
});
const check = validatePrimitive({
  name: 'check',
  input: z.object({ length: z.number() }),
  output: z.object({ length: z.number() }),
  errorModes: failsOnce,
  run: (x) => Promise.resolve(x),
});
const save = persistPrimitive({
  name: 'save',
  input: z.object({ length: z.number() }),
  output: z.object({ id: z.string() }),
  errorModes: failsOnce,
  run: () => Promise.resolve({ id: 'row-1' }),
});
const notify = emitPrimitive({
  name: 'notify',
  input: z.object({ id: z.string() }),
  output: z.object({ sent: z.boolean() }),
  run: () => Promise.resolve({ sent: true }),
});
const receipt = transformPrimitive({
  name: 'receipt',
  input: z.object({ id: z.string() }),
  output: z.object({ receipt: z.string() }),
  run: ({ id }) => Promise.resolve({ receipt: `saved ${id}` }),
});
const audit = validatePrimitive({
  name: 'audit',
  input: z.object({ id: z.string() }),
  output: z.object({ id: z.string() }),
  errorModes: failsOnce,
  run: (x) => Promise.resolve(x),
});

describe('primitives', () => {
  it('carry their kind as a literal mutating flag and their error modes as a fallible flag', () => {
    expectTypeOf(toText.mutating).toEqualTypeOf<false>();
    expectTypeOf(save.mutating).toEqualTypeOf<true>();
    expectTypeOf(notify.mutating).toEqualTypeOf<true>();
    expectTypeOf(toText.fallible).toEqualTypeOf<false>();
    expectTypeOf(measure.fallible).toEqualTypeOf<false>();
    expectTypeOf(check.fallible).toEqualTypeOf<true>();
    // A handler's error modes are an array of unknown length: it may fail.
    expectTypeOf(fromHandler('transform', transformHandler).fallible).toEqualTypeOf<boolean>();
    expectTypeOf(toText.name).toEqualTypeOf<'to_text'>();
  });

  it('type run from the schemas', () => {
    expectTypeOf<Parameters<typeof toText.run>[0]>().toEqualTypeOf<{ n: number }>();
    expectTypeOf<Awaited<ReturnType<typeof toText.run>>>().toEqualTypeOf<{ text: string }>();
    transformPrimitive({
      input: z.object({ n: z.number() }),
      output: z.object({ n: z.number() }),
      // @ts-expect-error the output schema says n is a number
      run: () => Promise.resolve({ n: 'two' }),
    });
  });

  it('types the ready JSONata and Ajv primitives', () => {
    const select = jsonataTransform({
      name: 'select',
      expression: '{ "rows": [orders] }',
      input: z.object({ orders: z.array(z.json()) }),
      output: z.object({ rows: z.array(z.json()) }),
    });
    expectTypeOf(select.fallible).toEqualTypeOf<true>();
    expectTypeOf<Awaited<ReturnType<typeof select.run>>>().toEqualTypeOf<{ rows: JsonValue[] }>();
    const rows = validateRows({ row: z.object({ id: z.string(), total: z.number() }) });
    expectTypeOf(rows.name).toEqualTypeOf<'validate'>();
    expectTypeOf<Awaited<ReturnType<typeof rows.run>>['rows']>().toEqualTypeOf<{ id: string; total: number }[]>();
    // @ts-expect-error JSONata reads JSON: a Date input is not JSON
    jsonataTransform({ expression: '$', input: z.object({ at: z.date() }), output: z.json() });
  });
});

describe('compose', () => {
  it('builds a handler from the first input to the last output', () => {
    const handler = compose('measure_number', meta).then(toText).then(measure).then(check).then(save).build();
    expectTypeOf(handler).toEqualTypeOf<Handler<{ n: number }, { id: string }>>();
    expectTypeOf(compose('one_step', meta).then(double).build()).toEqualTypeOf<Handler<{ n: number }, { n: number }>>();
  });

  it('threads the types through every then', () => {
    const started = compose('c', meta).then(toText);
    expectTypeOf(started).toEqualTypeOf<Composition<{ n: number }, { text: string }, false>>();
    expectTypeOf(started.then(measure).then(save)).toEqualTypeOf<Composition<{ n: number }, { id: string }, true>>();
  });

  it('has no build before the first step', () => {
    expectTypeOf<EmptyComposition>().not.toHaveProperty('build');
    /* eslint-disable @typescript-eslint/no-unsafe-call -- build does not exist here, which is the point */
    // @ts-expect-error add a primitive with .then() before building
    compose('empty', meta).build();
    /* eslint-enable @typescript-eslint/no-unsafe-call */
  });

  it('accepts a previous output with more fields, and an input with a default it does not provide', () => {
    const withDefault = transformPrimitive({
      name: 'with_default',
      input: z.object({ text: z.string(), upper: z.boolean().default(false) }),
      output: z.object({ text: z.string() }),
      run: ({ text, upper }) => Promise.resolve({ text: upper ? text.toUpperCase() : text }),
    });
    const enriched = transformPrimitive({
      name: 'enriched',
      input: z.object({ n: z.number() }),
      output: z.object({ text: z.string(), n: z.number() }),
      run: ({ n }) => Promise.resolve({ text: String(n), n }),
    });
    expectTypeOf(compose('c', meta).then(enriched).then(withDefault).then(measure).build()).toEqualTypeOf<
      Handler<{ n: number }, { length: number }>
    >();
  });

  it('rule 1: the next input must accept the previous output', () => {
    const afterText = compose('c', meta).then(toText);
    // @ts-expect-error double expects { n: number } but to_text returns { text: string }
    afterText.then(double);
    expectTypeOf<Parameters<typeof afterText.then<typeof double>>[0]>().toEqualTypeOf<'✗ double expects { n: number } but the previous step returns { text: string }'>();
    // A missing field is as wrong as a mistyped one.
    const wantsMore = transformPrimitive({
      name: 'wants_more',
      input: z.object({ text: z.string(), lang: z.string() }),
      output: z.object({ text: z.string() }),
      run: (x) => Promise.resolve(x),
    });
    // @ts-expect-error wants_more also needs lang
    afterText.then(wantsMore);
  });

  it('rule 2: at most one mutating primitive', () => {
    const saved = compose('c', meta).then(toText).then(measure).then(save);
    // @ts-expect-error notify mutates too
    saved.then(notify);
    expectTypeOf<Parameters<typeof saved.then<typeof notify>>[0]>().toEqualTypeOf<'✗ a composition has at most one mutating primitive'>();
  });

  it('rule 3: nothing that can fail may follow the mutating primitive', () => {
    const saved = compose('c', meta).then(toText).then(measure).then(save);
    // @ts-expect-error audit declares CHECK_FAILED
    saved.then(audit);
    expectTypeOf<Parameters<typeof saved.then<typeof audit>>[0]>().toEqualTypeOf<'✗ nothing that can fail may follow the mutating primitive'>();
    // A handler whose error modes the compiler cannot count may fail: also rejected.
    const unknownModes = fromHandler('transform', compose('inner', meta).then(receipt).build());
    // @ts-expect-error the compiler cannot tell whether it fails
    saved.then(unknownModes);
    // Infallible steps after the mutation are fine, and fallible ones before it.
    expectTypeOf(saved.then(receipt).build()).toEqualTypeOf<Handler<{ n: number }, { receipt: string }>>();
  });

  it('renders types in messages readably', () => {
    expectTypeOf<DescribeType<{ id: string; tags?: string[] }>>().toEqualTypeOf<'{ id: string; tags?: string[] }'>();
    expectTypeOf<DescribeType<JsonValue[]>>().toEqualTypeOf<'JSON[]'>();
    expectTypeOf<DescribeType<'a' | 'b'>>().toEqualTypeOf<'"a" | "b"'>();
    expectTypeOf<DescribeType<{ a: { b: { c: number } } }>>().toEqualTypeOf<'{ a: { b: {…} } }'>();
  });
});
