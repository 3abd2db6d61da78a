import { describe, expect, it } from 'vitest';
import type { JsonValue } from '../../src/core/json.js';
import { DEFAULT_SUMMARIZATION, shapeOf, viewResult, type ResultView, type Shape } from '../../src/core/summarize.js';

const utf8 = (value: JsonValue): number => Buffer.byteLength(JSON.stringify(value), 'utf8');

function structured(view: ResultView): Extract<ResultView, { mode: 'structured' }> {
  if (view.mode !== 'structured') throw new Error(`expected a structured view, got ${view.mode}`);
  return view;
}

const orders = Array.from({ length: 200 }, (_, i) => ({ id: i, total: i * 1.5, tags: ['a'] }));

describe('viewResult: by size', () => {
  it('shows a small result verbatim with its byte size', () => {
    const value = { status: 'ok', count: 3 };
    expect(viewResult('load', value)).toEqual({ step: 'load', mode: 'verbatim', bytes: utf8(value), value });
  });

  it('switches to structured exactly at the verbatim threshold', () => {
    const settings = { verbatimBytes: 20, structuredBytes: 100, referenceBytes: 100 * 1024 };
    const under = 'x'.repeat(17); // 19 bytes of JSON
    const at = 'x'.repeat(18); // 20 bytes of JSON
    expect(viewResult('s', under, settings)).toMatchObject({ mode: 'verbatim', bytes: 19 });
    expect(viewResult('s', at, settings)).toMatchObject({ mode: 'structured', bytes: 20 });
  });

  it('uses the 1 KB default and honours a custom threshold', () => {
    expect(DEFAULT_SUMMARIZATION.verbatimBytes).toBe(1024);
    const value = { rows: Array.from({ length: 30 }, (_, i) => i * 1000) };
    expect(utf8(value)).toBeLessThan(1024);
    expect(viewResult('s', value).mode).toBe('verbatim');
    expect(viewResult('s', value, { verbatimBytes: 50, structuredBytes: 10_000, referenceBytes: 100 * 1024 }).mode).toBe('structured');
    expect(viewResult('s', orders, { verbatimBytes: 1_000_000, structuredBytes: 2_000_000, referenceBytes: 3_000_000 }).mode).toBe('verbatim');
  });

  it('counts bytes as UTF-8, not as UTF-16 code units', () => {
    for (const value of ['é'.repeat(10), '€uro', '😀 ok', { name: 'Zoë', city: '東京', emoji: ['🎉', '🇩🇪'] }] as JsonValue[]) {
      expect(viewResult('s', value, { verbatimBytes: 1_000_000, structuredBytes: 2_000_000, referenceBytes: 3_000_000 }).bytes).toBe(utf8(value));
    }
    // 602 UTF-16 code units but 1202 bytes: over the 1 KB threshold only when counted right.
    const accented = 'é'.repeat(600);
    expect(JSON.stringify(accented).length).toBeLessThan(1024);
    expect(viewResult('s', accented)).toMatchObject({ mode: 'structured', bytes: Buffer.byteLength(JSON.stringify(accented)) });
  });
});

describe('viewResult: structured summaries', () => {
  it('describes nested objects and arrays', () => {
    const value = { orders, count: 200, source: '/data/orders.json', meta: null, ok: true };
    const view = structured(viewResult('load_orders', value));
    expect(view.step).toBe('load_orders');
    expect(view.bytes).toBe(utf8(value));
    expect(view.shape).toEqual({
      type: 'object',
      keys: 5,
      omittedKeys: 0,
      properties: {
        orders: {
          type: 'array',
          length: 200,
          items: {
            type: 'object',
            keys: 3,
            omittedKeys: 0,
            properties: { id: { type: 'number' }, total: { type: 'number' }, tags: { type: 'array', length: 1, items: { type: 'string' } } },
          },
        },
        count: { type: 'number' },
        source: { type: 'string' },
        meta: { type: 'null' },
        ok: { type: 'boolean' },
      },
    });
  });

  it('gives min and max of all-number arrays only', () => {
    expect(shapeOf([3, -1, 7.5, 0], 0)).toEqual({ type: 'array', length: 4, items: { type: 'number' }, min: -1, max: 7.5 });
    const mixed = shapeOf([3, 'x', 7], 0);
    expect(mixed).toEqual({ type: 'array', length: 3, items: { type: 'number' } });
    expect(mixed).not.toHaveProperty('min');
    const empty = shapeOf([], 0);
    expect(empty).toEqual({ type: 'array', length: 0, items: null });
    expect(empty).not.toHaveProperty('max');
  });

  it('lists at most 25 keys of an object and counts the rest as omitted', () => {
    const wide: Record<string, JsonValue> = {};
    for (let i = 0; i < 30; i++) wide[`k${i}`] = i;
    const shape = shapeOf(wide, 0);
    expect(shape).toMatchObject({ type: 'object', keys: 30, omittedKeys: 5 });
    const props = (shape as Extract<Shape, { type: 'object' }>).properties;
    expect(Object.keys(props)).toEqual(Array.from({ length: 25 }, (_, i) => `k${i}`));
    expect(shapeOf({ a: 1 }, 0)).toEqual({ type: 'object', keys: 1, properties: { a: { type: 'number' } }, omittedKeys: 0 });
  });

  it('stops describing at depth 4', () => {
    const deep = { a: { b: { c: { d: { e: { f: 1 } } } } } };
    const level4 = { type: 'object', keys: 1, properties: {}, omittedKeys: 1 };
    const wrap = (key: string, inner: Shape): Shape => ({ type: 'object', keys: 1, properties: { [key]: inner }, omittedKeys: 0 });
    expect(shapeOf(deep, 0)).toEqual(wrap('a', wrap('b', wrap('c', wrap('d', level4 as Shape)))));
    expect(shapeOf([[[[[[1]]]]]], 0)).toEqual({
      type: 'array',
      length: 1,
      items: { type: 'array', length: 1, items: { type: 'array', length: 1, items: { type: 'array', length: 1, items: { type: 'array', length: 1, items: null } } } },
    });
  });
});

describe('viewResult: samples', () => {
  const tiny = { verbatimBytes: 1, structuredBytes: 10, referenceBytes: 100 * 1024 };

  it('takes the first two items of a top-level array', () => {
    expect(structured(viewResult('s', orders)).samples).toEqual([orders[0], orders[1]]);
  });

  it('takes two items from each array property, four at most', () => {
    expect(structured(viewResult('s', { a: [1, 2, 3], n: 5, b: [4, 5, 6], c: [7, 8] }, tiny)).samples).toEqual([1, 2, 4, 5]);
    expect(structured(viewResult('s', { n: 5, s: 'text' }, tiny)).samples).toEqual([]);
  });

  it('cuts large samples: long values become their type and size in UTF-8 bytes', () => {
    const long = 'ü'.repeat(1000);
    expect(structured(viewResult('s', [long, 'short'])).samples).toEqual([`<string, ${utf8(long)} bytes>`, 'short']);
    const big = { id: 1, note: 'x'.repeat(500), nested: { deep: 'y'.repeat(100) }, tags: ['a', 'b'] };
    expect(structured(viewResult('s', [big, big])).samples).toEqual([
      { id: 1, note: '<string>', nested: '<object>', tags: ['a', 'b'] },
      { id: 1, note: '<string>', nested: '<object>', tags: ['a', 'b'] },
    ]);
  });

  it('bounds every sample to 300 bytes, even for objects with many small members', () => {
    const wide: Record<string, JsonValue> = {};
    for (let i = 0; i < 200; i++) wide[`key_${i}`] = 'v'.repeat(40);
    const values: JsonValue[] = [
      { items: [wide, wide, wide] },
      [wide, { list: Array.from({ length: 500 }, (_, i) => i) }],
      { a: ['€'.repeat(2000)], b: [wide] },
    ];
    for (const value of values) {
      const { samples } = structured(viewResult('s', value));
      expect(samples.length).toBeGreaterThan(0);
      expect(samples.length).toBeLessThanOrEqual(4);
      for (const sample of samples) expect(utf8(sample)).toBeLessThanOrEqual(300);
    }
    // What is kept of a wide object is its first members, verbatim.
    const [first] = structured(viewResult('s', [wide])).samples;
    expect(Object.entries(first as Record<string, JsonValue>).length).toBeGreaterThan(0);
    for (const [k, v] of Object.entries(first as Record<string, JsonValue>)) expect(v).toBe(wide[k]);
    expect(Object.keys(first as Record<string, JsonValue>)[0]).toBe('key_0');
  });
});
