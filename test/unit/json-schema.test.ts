import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { checkSchema, describeSchema, isAssignable, schemaAtPath } from '../../src/core/json-schema/index.js';
import type { JsonSchema, JsonValue } from '../../src/core/json.js';
import { toJsonSchema } from '../../src/handler.js';

const out = (s: z.ZodType): JsonSchema => toJsonSchema(s, 'output');
const inp = (s: z.ZodType): JsonSchema => toJsonSchema(s, 'input');

const Order = z.object({ id: z.string(), qty: z.number().int().min(0).max(100), note: z.string().optional() });
const Kitchen = z.object({
  orders: z.array(Order),
  status: z.enum(['new', 'done']),
  lit: z.literal('x'),
  rec: z.record(z.string(), z.number()),
  keyed: z.record(z.enum(['a', 'b']), z.boolean()),
  un: z.union([z.string(), z.number()]),
  nul: z.string().nullable(),
  obj: z.object({ a: z.string() }).nullable(),
  js: z.json(),
  big: z.number().int().gte(-5).lt(10),
  pat: z.string().regex(/^a+$/).min(1).max(4),
  email: z.email(),
  tup: z.tuple([z.string(), z.number()]),
  disc: z.discriminatedUnion('k', [z.object({ k: z.literal('a'), a: z.string() }), z.object({ k: z.literal('b') })]),
  strict: z.strictObject({ a: z.string() }),
  loose: z.looseObject({ a: z.string() }),
  many: z.array(z.number()).min(1).max(3),
  step: z.number().multipleOf(0.1),
});
const kitchenSchema = out(Kitchen);

const good: JsonValue = {
  orders: [{ id: 'o1', qty: 3 }, { id: 'o2', qty: 0, note: 'n' }],
  status: 'new',
  lit: 'x',
  rec: { any: 1 },
  keyed: { a: true, b: false },
  un: 3,
  nul: null,
  obj: { a: 'y' },
  js: { deep: [1, 'two', null, { ok: true }] },
  big: -5,
  pat: 'aa',
  email: 'someone@example.com',
  tup: ['a', 1],
  disc: { k: 'a', a: 'z' },
  strict: { a: 'q' },
  loose: { a: 'q', extra: [1] },
  many: [1],
  step: 0.3,
};

const issuesOf = (schema: JsonSchema, value: JsonValue) => checkSchema(schema, value).map((i) => [i.pointer, i.keyword]);

describe('checkSchema', () => {
  it('accepts a valid value of every construct zod emits', () => {
    expect(checkSchema(kitchenSchema, good)).toEqual([]);
  });

  it('reports each problem with a JSON Pointer, keyword, message and expectation', () => {
    const bad = {
      ...(good as object),
      orders: [{ id: 1, qty: 3.5 }, { qty: 101 }],
      status: 'old',
      lit: 'y',
      rec: { a: 'one' },
      keyed: { c: true },
      un: true,
      nul: 3,
      big: 10,
      pat: 'aaaab',
      email: 'not-an-email',
      tup: ['a', 1, 2],
      strict: { a: 'q', b: 1 },
      many: [],
      step: 0.25,
      extra: 1,
    } as JsonValue;
    expect(issuesOf(kitchenSchema, bad)).toEqual([
      ['/orders/0/id', 'type'],
      ['/orders/0/qty', 'type'],
      ['/orders/1/id', 'required'],
      ['/orders/1/qty', 'maximum'],
      ['/status', 'enum'],
      ['/lit', 'const'],
      ['/rec/a', 'type'],
      ['/keyed/a', 'required'],
      ['/keyed/b', 'required'],
      ['/keyed/c', 'propertyNames'],
      ['/un', 'type'],
      ['/nul', 'type'],
      ['/big', 'exclusiveMaximum'],
      ['/pat', 'maxLength'],
      ['/pat', 'pattern'],
      ['/email', 'pattern'],
      ['/tup', 'maxItems'],
      ['/tup/2', 'items'],
      ['/strict/b', 'additionalProperties'],
      ['/many', 'minItems'],
      ['/step', 'multipleOf'],
      ['/extra', 'additionalProperties'],
    ]);
    const [first] = checkSchema(kitchenSchema, bad);
    expect(first).toEqual({ pointer: '/orders/0/id', keyword: 'type', message: 'must be string, got number', expected: 'string', property: null });
    const status = checkSchema(kitchenSchema, bad).find((i) => i.pointer === '/status');
    expect(status?.message).toBe("must be one of 'new', 'done', got 'old'");
  });

  it('reports the branch of a union the value was meant for', () => {
    const s = out(z.object({ disc: Kitchen.shape.disc }));
    expect(checkSchema(s, { disc: { k: 'a' } })).toEqual([
      { pointer: '/disc/a', keyword: 'required', message: 'is required but missing', expected: "property 'a' (string)", property: 'a' },
    ]);
    const nullableObject = out(z.object({ o: z.object({ a: z.string() }).nullable() }));
    expect(issuesOf(nullableObject, { o: { a: 1 } })).toEqual([['/o/a', 'type']]);
    expect(checkSchema(nullableObject, { o: 'x' })).toEqual([
      { pointer: '/o', keyword: 'anyOf', message: "must be object | null, got 'x'", expected: 'object | null', property: null },
    ]);
  });

  it('follows $ref into $defs and recursive "#" refs', () => {
    const json = out(z.object({ js: z.json() }));
    expect(checkSchema(json, { js: { a: [1, { b: null }] } })).toEqual([]);
    const Node: z.ZodType<unknown> = z.lazy(() => z.object({ v: z.number(), children: z.array(Node) }));
    const tree = out(Node);
    expect(checkSchema(tree, { v: 1, children: [{ v: 2, children: [] }] })).toEqual([]);
    expect(issuesOf(tree, { v: 1, children: [{ v: 'x', children: [] }] })).toEqual([['/children/0/v', 'type']]);
  });

  it('handles boolean schemas, allOf and not', () => {
    expect(checkSchema(true, 1)).toEqual([]);
    expect(issuesOf(false, 1)).toEqual([['', 'false']]);
    expect(issuesOf({ allOf: [{ type: 'number' }, { minimum: 2 }] }, 1)).toEqual([['', 'minimum']]);
    expect(issuesOf({ not: { type: 'string' } }, 'x')).toEqual([['', 'not']]);
    expect(issuesOf({ oneOf: [{ type: 'number' }, { type: 'integer' }] }, 1)).toEqual([['', 'oneOf']]);
  });

  it('treats bounds as inclusive or exclusive exactly', () => {
    const s = out(z.object({ a: z.number().min(0).max(100), b: z.number().gt(0).lt(10) }));
    expect(checkSchema(s, { a: 100, b: 9.5 })).toEqual([]);
    expect(checkSchema(s, { a: 0, b: 0.1 })).toEqual([]);
    expect(issuesOf(s, { a: 100.5, b: 10 })).toEqual([
      ['/a', 'maximum'],
      ['/b', 'exclusiveMaximum'],
    ]);
    expect(issuesOf(s, { a: -1, b: 0 })).toEqual([
      ['/a', 'minimum'],
      ['/b', 'exclusiveMinimum'],
    ]);
  });

  it('counts string length in code points and ignores format', () => {
    expect(checkSchema({ type: 'string', maxLength: 1 }, '😀')).toEqual([]);
    expect(checkSchema({ type: 'string', format: 'date-time' }, 'not a date')).toEqual([]);
  });

  it('skips the positions the skip hook names', () => {
    const s = inp(z.object({ limit: z.number().int(), tags: z.array(z.string()) }));
    const skipped = new Set(['/limit', '/tags/1']);
    expect(checkSchema(s, { limit: '${task.input.n}', tags: ['a', '${x}'] }, { skip: (_v, p) => skipped.has(p) })).toEqual([]);
    expect(issuesOf(s, { limit: '${task.input.n}', tags: ['a'] })).toEqual([['/limit', 'type']]);
  });
});

describe('schemaAtPath', () => {
  it('reaches sub-schemas through properties, items, records and unions', () => {
    expect(schemaAtPath(kitchenSchema, ['orders', 0, 'id'])).toEqual({ found: true, schema: { type: 'string' } });
    expect(schemaAtPath(kitchenSchema, ['rec', 'anything'])).toEqual({ found: true, schema: { type: 'number' } });
    expect(schemaAtPath(kitchenSchema, ['obj', 'a'])).toEqual({ found: true, schema: { type: 'string' } });
    expect(schemaAtPath(kitchenSchema, ['tup', 1])).toEqual({ found: true, schema: { type: 'number' } });
    expect(schemaAtPath(kitchenSchema, ['loose', 'whatever'])).toEqual({ found: true, schema: true });
    expect(schemaAtPath(kitchenSchema, ['disc', 'k'])).toEqual({ found: true, schema: { anyOf: [{ type: 'string', const: 'a' }, { type: 'string', const: 'b' }] } });
    expect(schemaAtPath(kitchenSchema, [])).toEqual({ found: true, schema: kitchenSchema });
  });

  it('answers "anything" inside unconstrained values (z.json())', () => {
    expect(schemaAtPath(kitchenSchema, ['js', 'a', 3, 'b'])).toEqual({ found: true, schema: true });
  });

  it('says where a path fails and which keys exist there', () => {
    expect(schemaAtPath(kitchenSchema, ['orders', 0, 'name'])).toEqual({ found: false, failedAt: 2, available: ['id', 'qty', 'note'], reason: "there is no key 'name'" });
    expect(schemaAtPath(kitchenSchema, ['ordrs'])).toMatchObject({ found: false, failedAt: 0, available: expect.arrayContaining(['orders', 'status']) as unknown });
    expect(schemaAtPath(kitchenSchema, ['status', 'x'])).toEqual({ found: false, failedAt: 1, available: [], reason: 'it is a string, not an object' });
    expect(schemaAtPath(kitchenSchema, ['orders', 'x'])).toMatchObject({ found: false, failedAt: 1, reason: 'it is an array, not an object' });
    expect(schemaAtPath(kitchenSchema, ['tup', 2])).toMatchObject({ found: false, failedAt: 1, reason: 'it has 2 item(s)' });
    expect(schemaAtPath(kitchenSchema, ['keyed', 'c'])).toMatchObject({ found: false, available: ['a', 'b'] });
  });

  it('treats a plain z.object input schema (no additionalProperties) as closed: zod strips unknown keys', () => {
    const s = inp(z.object({ a: z.string() }));
    expect(s).not.toHaveProperty('additionalProperties');
    expect(schemaAtPath(s, ['b'])).toEqual({ found: false, failedAt: 0, available: ['a'], reason: "there is no key 'b'" });
  });

  it('follows recursive refs, resolving against the given root', () => {
    const Node: z.ZodType<unknown> = z.lazy(() => z.object({ v: z.number(), children: z.array(Node) }));
    const tree = out(Node);
    const child = schemaAtPath(tree, ['children', 0]);
    expect(child).toEqual({ found: true, schema: { $ref: '#' } });
    expect(schemaAtPath(tree, ['children', 0, 'children', 3, 'v'])).toEqual({ found: true, schema: { type: 'number' } });
  });
});

describe('isAssignable', () => {
  const fits = (p: z.ZodType, c: z.ZodType) => isAssignable(out(p), inp(c));

  it('accepts the same or wider types', () => {
    expect(fits(z.string(), z.string())).toEqual({ ok: true });
    expect(fits(z.number().int(), z.number())).toEqual({ ok: true });
    expect(fits(z.string(), z.string().nullable())).toEqual({ ok: true });
    expect(fits(z.enum(['a', 'b']), z.enum(['a', 'b', 'c']))).toEqual({ ok: true });
    expect(fits(z.literal('a'), z.string())).toEqual({ ok: true });
    expect(fits(z.array(Order), z.array(z.object({ id: z.string() })))).toEqual({ ok: true });
    expect(fits(z.record(z.string(), z.number()), z.record(z.string(), z.number()))).toEqual({ ok: true });
    expect(fits(z.tuple([z.string(), z.number()]), z.array(z.union([z.string(), z.number()])))).toEqual({ ok: true });
  });

  it('is conservative: unconstrained producers, number → integer, string → enum and bounds pass', () => {
    expect(fits(z.json(), z.string())).toEqual({ ok: true });
    expect(fits(z.unknown(), z.object({ a: z.string() }))).toEqual({ ok: true });
    expect(fits(z.string(), z.json())).toEqual({ ok: true });
    expect(fits(z.number(), z.number().int())).toEqual({ ok: true });
    expect(fits(z.string(), z.enum(['a']))).toEqual({ ok: true });
    expect(fits(z.number(), z.number().min(1).max(2))).toEqual({ ok: true });
    expect(fits(z.record(z.string(), z.string()), z.object({ a: z.string() }))).toEqual({ ok: true });
  });

  it('rejects type mismatches with a reason and where', () => {
    expect(fits(z.string(), z.number())).toEqual({ ok: false, at: '', reason: 'string does not fit number' });
    expect(fits(z.string().nullable(), z.string())).toEqual({ ok: false, at: '', reason: 'null does not fit string' });
    expect(fits(z.array(z.string()), z.array(z.object({ id: z.string() })))).toEqual({ ok: false, at: '[*]', reason: 'string does not fit object' });
    expect(fits(z.array(Order), z.array(z.object({ qty: z.string() })))).toEqual({ ok: false, at: '[*].qty', reason: 'integer does not fit string' });
    expect(fits(z.enum(['a', 'z']), z.enum(['a', 'b']))).toEqual({ ok: false, at: '', reason: "'z' is not 'a' | 'b'" });
    expect(fits(z.union([z.string(), z.number()]), z.string())).toEqual({ ok: false, at: '', reason: 'number does not fit string' });
  });

  it('checks required properties of objects', () => {
    expect(fits(z.object({ a: z.string().optional() }), z.object({ a: z.string() }))).toEqual({ ok: false, at: 'a', reason: "'a' is optional in the producer but required here" });
    expect(fits(z.object({ b: z.string() }), z.object({ a: z.string() }))).toEqual({ ok: false, at: 'a', reason: "'a' is required here but the producer never has it" });
    expect(fits(z.object({ a: z.string(), b: z.number() }), z.strictObject({ a: z.string() }))).toMatchObject({ ok: false, at: 'b' });
    expect(fits(z.object({ a: z.string(), b: z.number() }), z.object({ a: z.string() }))).toEqual({ ok: true });
  });

  it('fits a union consumer when some branch fits', () => {
    expect(fits(z.object({ k: z.literal('b') }), Kitchen.shape.disc)).toEqual({ ok: true });
    expect(fits(z.number(), z.union([z.string(), z.array(z.string())]))).toMatchObject({ ok: false, reason: 'number does not fit string | array of string' });
  });

  it('resolves refs against the given roots', () => {
    const root = out(z.object({ js: z.json(), s: z.string() }));
    const js = schemaAtPath(root, ['js']);
    expect(js.found && isAssignable(js.schema, { type: 'number' }, { producerRoot: root })).toEqual({ ok: true });
  });
});

describe('describeSchema', () => {
  it('names types briefly', () => {
    expect(describeSchema(out(z.array(Order)))).toBe('array of object');
    expect(describeSchema(out(z.string().nullable()))).toBe('string | null');
    expect(describeSchema(out(z.enum(['a', 'b'])))).toBe("'a' | 'b'");
    expect(describeSchema(out(z.json()))).toBe('any JSON value');
    expect(describeSchema(true)).toBe('any value');
  });
});
