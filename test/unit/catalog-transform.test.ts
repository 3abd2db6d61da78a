import { describe, expect, it } from 'vitest';
import {
  createTransformHandler,
  DEFAULT_JSONATA_LIMITS,
  evaluateJsonata,
  JsonataProblem,
  toJsonResult,
  transform,
} from '../../catalog/transform.js';
import { expectHandlerFailure, runHandler } from '../support/handler-context.js';

const orders = {
  orders: [
    { id: 'a', status: 'paid', total: 120.5 },
    { id: 'b', status: 'pending', total: 80 },
    { id: 'c', status: 'paid', total: 10 },
  ],
};

describe('transform', () => {
  it('evaluates JSONata against data, with bindings as $variables', async () => {
    const out = await runHandler(transform, {
      data: orders,
      expression: 'orders[status = $wanted and total >= $min].id',
      bindings: { wanted: 'paid', min: 50 },
    });
    expect(out).toEqual({ result: 'a' });
  });

  it('treats array data as one value, not a sequence', async () => {
    const out = await runHandler(transform, { data: [1, 2, 3], expression: '$count($)' });
    expect(out).toEqual({ result: 3 });
  });

  it('returns null when the expression matches nothing', async () => {
    const out = await runHandler(transform, { data: orders, expression: 'orders[status = "lost"]' });
    expect(out).toEqual({ result: null });
  });

  it('returns plain JSON: sequences become arrays, undefined fields are dropped', async () => {
    const out = await runHandler(transform, {
      data: orders,
      expression: 'orders.{ "id": id, "missing": nothing, "paid": status = "paid" }',
    });
    expect(out.result).toEqual([
      { id: 'a', paid: true },
      { id: 'b', paid: false },
      { id: 'c', paid: true },
    ]);
    expect(Object.getPrototypeOf(out.result)).toBe(Array.prototype);
    expect(JSON.parse(JSON.stringify(out.result))).toEqual(out.result);
  });

  it('rejects an expression that does not parse, naming position and token', async () => {
    const failure = await expectHandlerFailure(transform, { data: {}, expression: 'orders[status = "paid"' }, 'TRANSFORM_EXPRESSION_INVALID');
    expect(failure.message).toMatch(/position \d+/);
    expect(failure.message).toMatch(/S0\d{3}/);
    expect(failure.message).toContain('Fix the JSONata syntax');
    const failure2 = await expectHandlerFailure(transform, { data: {}, expression: 'foo(]' }, 'TRANSFORM_EXPRESSION_INVALID');
    expect(failure2.message).toContain("at position 5 near ']'");
    expect(failure2.message).toContain('foo(]\n    ^');
    expect(failure2.details).toEqual([expect.objectContaining({ code: 'S0211', position: 5, token: ']' })]);
  });

  it('fails evaluation errors with the JSONata code and position', async () => {
    const failure = await expectHandlerFailure(transform, { data: { a: 'x' }, expression: 'a + 1' }, 'TRANSFORM_EVALUATION_FAILED');
    expect(failure.message).toContain('T2001');
    expect(failure.message).toContain('shape of `data`');
  });

  it('fails when the result is a function, which is not JSON', async () => {
    const failure = await expectHandlerFailure(transform, { data: {}, expression: '{ "f": function($x) { $x } }' }, 'TRANSFORM_EVALUATION_FAILED');
    expect(failure.message).toContain('function at result.f');
  });

  it('stops recursion deeper than the depth limit', async () => {
    const shallow = createTransformHandler({ maxDepth: 100 });
    const expression = '($f := function($n) { $n = 0 ? 0 : 1 + $f($n - 1) }; $f(1000))';
    const failure = await expectHandlerFailure(shallow, { data: {}, expression }, 'TRANSFORM_EVALUATION_FAILED');
    expect(failure.message).toContain('deeper than 100');
    // The same recursion fits the default limit.
    await expect(runHandler(transform, { data: {}, expression })).resolves.toEqual({ result: 1000 });
  });

  it('stops a non-terminating expression at the default 1 s limit', async () => {
    const started = Date.now();
    const failure = await expectHandlerFailure(
      transform,
      { data: {}, expression: '($loop := function($n) { $loop($n + 1) }; $loop(0))' },
      'TRANSFORM_TIMEOUT',
    );
    const elapsed = Date.now() - started;
    expect(elapsed).toBeGreaterThanOrEqual(DEFAULT_JSONATA_LIMITS.timeoutMs);
    expect(elapsed).toBeLessThan(DEFAULT_JSONATA_LIMITS.timeoutMs + 1_500);
    expect(failure.message).toContain('longer than 1000 ms');
  });

  it('applies a configured time limit', async () => {
    const quick = createTransformHandler({ timeoutMs: 50 });
    const started = Date.now();
    await expectHandlerFailure(quick, { data: {}, expression: '$sum([1..500000].($ * 2))' }, 'TRANSFORM_TIMEOUT');
    expect(Date.now() - started).toBeLessThan(1_000);
  });

  it('fails a result over 1 MB of JSON', async () => {
    const failure = await expectHandlerFailure(
      transform,
      // cheap to build (a 100,000-object array took most of the 1 s time limit on a loaded machine)
      { data: {}, expression: '$pad("", 999999, "x")' },
      'TRANSFORM_RESULT_TOO_LARGE',
    );
    expect(failure.message).toContain('larger than 1000000 bytes');
    // Just under the cap passes: 1,000,000 bytes exactly.
    const exact = await runHandler(transform, { data: {}, expression: '$pad("", 999998, "x")' });
    expect(Buffer.byteLength(JSON.stringify(exact.result))).toBe(1_000_000);
  });

  it('fails a sequence longer than the sequence limit before building it', async () => {
    const failure = await expectHandlerFailure(transform, { data: {}, expression: '$count([1..5000000])' }, 'TRANSFORM_RESULT_TOO_LARGE');
    expect(failure.message).toContain('sequence longer than 1000000');
  });
});

describe('evaluateJsonata', () => {
  it('is usable without the handler and throws typed problems', async () => {
    await expect(evaluateJsonata('$sum(items.price)', { items: [{ price: 2 }, { price: 3 }] })).resolves.toBe(5);
    const problem = await evaluateJsonata('(', {}).catch((err: unknown) => err);
    expect(problem).toBeInstanceOf(JsonataProblem);
    expect((problem as JsonataProblem).kind).toBe('syntax');
  });
});

describe('toJsonResult', () => {
  const samples: unknown[] = [
    null,
    true,
    false,
    0,
    -12.5,
    'plain',
    'quotes " and \\ and \n and é and 😀',
    [],
    {},
    [1, 'two', null, { three: [3] }],
    { a: 1, 'b c': [true, { d: 'é' }], e: {} },
  ];

  it.each(samples.map((s) => [JSON.stringify(s), s]))('counts %s at its exact JSON size', (_, sample) => {
    const size = Buffer.byteLength(JSON.stringify(sample));
    expect(toJsonResult(sample, size)).toEqual(sample);
    expect(() => toJsonResult(sample, size - 1)).toThrow(JsonataProblem);
  });

  it('writes NaN and undefined array items as null, like JSON.stringify', () => {
    expect(toJsonResult([Number.NaN, undefined, 1], 100)).toEqual([null, null, 1]);
    expect(toJsonResult(undefined, 100)).toBeNull();
  });
});
