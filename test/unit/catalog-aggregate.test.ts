import { describe, expect, it } from 'vitest';
import { aggregate, aggregateData, parseFieldPath, readField } from '../../catalog/aggregate.js';
import { toJsonSchema } from '../../src/handler.js';
import { expectHandlerFailure, runHandler } from '../support/handler-context.js';

const orders = [
  { id: 'a', status: 'paid', total: 10.1, customer: { country: 'DE' }, items: [{ qty: 2 }] },
  { id: 'b', status: 'pending', total: 20.2, customer: { country: 'FR' }, items: [{ qty: 1 }] },
  { id: 'c', status: 'paid', total: 30.3, customer: { country: 'DE' }, items: [{ qty: 5 }] },
  { id: 'd', total: 1, customer: { country: 'US' }, items: [{ qty: 1 }] },
];

describe('aggregate', () => {
  it('counts rows', async () => {
    await expect(runHandler(aggregate, { op: 'count', data: orders })).resolves.toEqual({ op: 'count', result: 4, count: 4 });
  });

  it('sums a field by path, including nested keys and indexes', async () => {
    await expect(runHandler(aggregate, { op: 'sum', data: orders, field: 'items[0].qty' })).resolves.toEqual({ op: 'sum', result: 9, count: 4 });
    const out = await runHandler(aggregate, { op: 'sum', data: orders, field: 'total' });
    expect(out.result).toBeCloseTo(61.6, 10);
  });

  it('sums money without float drift', () => {
    const tenths = Array.from({ length: 10 }, () => ({ v: 0.1 }));
    expect(tenths.reduce((s, r) => s + r.v, 0)).not.toBe(1);
    expect(aggregateData({ op: 'sum', data: tenths, field: 'v' }).result).toBe(1);
  });

  it('groups by a field in order of first appearance, with counts and sums; missing keys group as null', async () => {
    const out = await runHandler(aggregate, { op: 'group', data: orders, by: 'status', sum_field: 'items[0].qty' });
    expect(out).toEqual({
      op: 'group',
      count: 4,
      result: [
        { key: 'paid', count: 2, sum: 7 },
        { key: 'pending', count: 1, sum: 1 },
        { key: null, count: 1, sum: 1 },
      ],
    });
    const byCountry = await runHandler(aggregate, { op: 'group', data: orders, by: 'customer.country' });
    expect(byCountry.result).toEqual([
      { key: 'DE', count: 2 },
      { key: 'FR', count: 1 },
      { key: 'US', count: 1 },
    ]);
  });

  it('keeps 1 and "1" in different groups', () => {
    const out = aggregateData({ op: 'group', data: [{ k: 1 }, { k: '1' }, { k: 1 }], by: 'k' });
    expect(out.result).toEqual([
      { key: 1, count: 2 },
      { key: '1', count: 1 },
    ]);
  });

  it('merges objects shallowly, later keys winning', async () => {
    const out = await runHandler(aggregate, { op: 'merge', data: [{ a: 1, b: { x: 1 } }, { b: { y: 2 } }, { c: 3 }] });
    expect(out).toEqual({ op: 'merge', result: { a: 1, b: { y: 2 }, c: 3 }, count: 3 });
  });

  it('merges a "__proto__" key as data, never as a prototype', () => {
    const hostile = JSON.parse('{"__proto__": {"polluted": true}, "ok": 1}') as Record<string, never>;
    const out = aggregateData({ op: 'merge', data: [hostile] });
    expect(Object.getPrototypeOf(out.result)).toBe(Object.prototype);
    expect(Object.hasOwn(out.result as object, '__proto__')).toBe(true);
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
  });

  it('concatenates arrays one level deep', async () => {
    const out = await runHandler(aggregate, { op: 'concat', data: [[1, 2], [], [[3]]] });
    expect(out).toEqual({ op: 'concat', result: [1, 2, [3]], count: 3 });
  });

  it('fails a sum over a non-number, naming the row and what it found', async () => {
    const data = [{ total: 1 }, { total: 2 }, { total: '3.00' }];
    const failure = await expectHandlerFailure(aggregate, { op: 'sum', data, field: 'total' }, 'AGGREGATE_INPUT_INVALID');
    expect(failure.message).toContain("Cannot sum 'total': row 2 has a string (\"3.00\") there, not a number");
    expect(failure.details).toEqual([{ index: 2, field: 'total', found: 'a string ("3.00")' }]);
    const missing = await expectHandlerFailure(aggregate, { op: 'group', data: orders, by: 'status', sum_field: 'discount' }, 'AGGREGATE_INPUT_INVALID');
    expect(missing.message).toContain('row 0 has missing there');
  });

  it('fails grouping by an object', async () => {
    const failure = await expectHandlerFailure(aggregate, { op: 'group', data: orders, by: 'customer' }, 'AGGREGATE_INPUT_INVALID');
    expect(failure.message).toContain("Cannot group by 'customer': row 0 has an object there");
  });

  it('rejects malformed field paths and unknown ops in its input schema', () => {
    expect(aggregate.input.safeParse({ op: 'sum', data: [], field: 'a..b' }).success).toBe(false);
    expect(aggregate.input.safeParse({ op: 'median', data: [] }).success).toBe(false);
    expect(aggregate.input.safeParse({ op: 'count', data: [], field: 'x' }).success).toBe(false);
  });

  it('shows the planner one JSON Schema variant per operation', () => {
    const schema = toJsonSchema(aggregate.input, 'input') as { oneOf: { properties: { op: { const: string } } }[] };
    expect(schema.oneOf.map((v) => v.properties.op.const)).toEqual(['count', 'sum', 'group', 'merge', 'concat']);
  });
});

describe('field paths', () => {
  it('parse keys and indexes and read them', () => {
    expect(parseFieldPath('items[0].qty')).toEqual(['items', 0, 'qty']);
    expect(readField({ items: [{ qty: 3 }] }, ['items', 0, 'qty'])).toBe(3);
    expect(readField({ items: [] }, ['items', 0, 'qty'])).toBeUndefined();
    expect(readField({}, ['toString'])).toBeUndefined();
  });
});
