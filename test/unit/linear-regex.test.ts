/**
 * Planner-written regexes: matched in linear time with the answers a JavaScript RegExp gives,
 * and refused at validation time (PATTERN_UNSUPPORTED, with a pointer and a hint) when the
 * linear-time engine cannot run them, wherever a handler's input schema marks patterns.
 */
import { describe, expect, it } from 'vitest';
import { evaluateJsonata } from '../../catalog/transform.js';
import { validateData } from '../../catalog/validate.js';
import { orderTriageFragment } from '../../examples/order-triage/plan.js';
import { registry } from '../../examples/registry.js';
import { fragmentContext, planningStepOf } from '../../src/cli/validation-context.js';
import type { Fragment } from '../../src/core/fragment.js';
import type { JsonValue } from '../../src/core/json.js';
import { compileLinear, LinearRegExp, linearRegexProblem } from '../../src/core/linear-regex.js';
import { jsonataRegexLiterals } from '../../src/core/validator/patterns.js';
import { validateFragment } from '../../src/core/validator/index.js';
import { compileAll } from '../../src/worker.js';

const [plan] = compileAll(registry.templates, registry.handlers).filter((p) => p.name === 'order-triage');
if (!plan) throw new Error('examples/registry.ts does not serve order-triage');
const ctx = fragmentContext(plan, planningStepOf(plan, 'plan_processing'), 1);

const EVIL = '^(a+)+$';
const SUBJECT = `${'a'.repeat(40)}!`;

describe('the linear-time engine', () => {
  it('answers the catastrophic pattern at once (a backtracking engine takes minutes)', () => {
    const started = performance.now();
    expect(new LinearRegExp(EVIL).test(SUBJECT)).toBe(false);
    expect(new LinearRegExp(EVIL).test('a'.repeat(40))).toBe(true);
    // a correctness bound, not a benchmark: 2^40 steps would take hours
    expect(performance.now() - started).toBeLessThan(1_000);
  });

  it('exec behaves as a global RegExp: index, groups, lastIndex', () => {
    for (const [source, flags, input] of [
      ['a(b)?', 'g', 'xxab a ab'],
      ['(\\d+)-(\\d+)', 'g', 'r 10-20, 3-4'],
      ['^b', 'gm', 'a\nb\nb'],
      ['X', 'gi', 'axbx'],
      ['é+', 'g', 'caféé é'],
    ] as const) {
      const native = new RegExp(source, flags);
      const linear = new LinearRegExp(source, flags);
      for (;;) {
        const n = native.exec(input);
        const l = linear.exec(input);
        expect(l === null ? null : { m: [...l], index: l.index }).toEqual(n === null ? null : { m: [...n], index: n.index });
        expect(linear.lastIndex).toBe(native.lastIndex);
        if (n === null) break;
      }
    }
  });

  it('refuses backreferences and lookaround with the reason', () => {
    expect(linearRegexProblem('(a)\\1')).toMatch(/invalid escape sequence/);
    expect(linearRegexProblem('foo(?=bar)')).toMatch(/Perl syntax/);
    expect(linearRegexProblem('^[a-z]+$', 'u')).toBeNull();
    expect(() => compileLinear('(?<!x)y')).toThrow(/cannot run on the linear-time engine/);
  });

  it('runs JSONata regexes: $match, $contains, $replace, $split', async () => {
    const run = (e: string, data: JsonValue = null) => evaluateJsonata(e, data);
    expect(await run(`$match(s, /${EVIL}/)`, { s: SUBJECT })).toBeNull();
    expect(await run(`$contains(s, /${EVIL}/)`, { s: SUBJECT })).toBe(false);
    expect(await run('$replace("abcabc", /b(c)/, "[$1]")')).toBe('a[c]a[c]');
    expect(await run('$split("a1b22c", /[0-9]+/)')).toEqual(['a', 'b', 'c']);
    expect(await run('$match("xAby", /a(b)?/i)')).toEqual({ match: 'Ab', index: 1, groups: ['b'] });
    await expect(run('$contains("x", /(a)\\1/)')).rejects.toThrow(/cannot run on the linear-time engine/);
  });

  it('runs schema patterns in validate, and refuses one it cannot run as a declared error', () => {
    const out = validateData({ data: [SUBJECT, 'aaa'], schema: { type: 'string', pattern: EVIL }, on_invalid: 'filter' });
    expect(out).toMatchObject({ valid: ['aaa'], invalid_count: 1 });
    let thrown: unknown;
    try {
      validateData({ data: ['x'], schema: { type: 'string', pattern: '(a)\\1' }, on_invalid: 'filter' });
    } catch (err) {
      thrown = err;
    }
    expect(thrown).toMatchObject({ type: 'VALIDATE_SCHEMA_INVALID', nonRetryable: true });
    expect((thrown as Error).message).toContain('cannot run on the linear-time engine');
  });

  it('bounds $pad and $join before allocating', async () => {
    await expect(evaluateJsonata('$pad("x", 536000000)', null)).rejects.toThrow(/\$pad for 536000000 characters, over the limit/);
    await expect(evaluateJsonata('$join([1..2000].$pad("", 1000), "")', null)).rejects.toThrow(/\$join for 2000000 characters/);
    expect(await evaluateJsonata('$pad("ab", -5, "-=")', null)).toBe('-=-ab');
    expect(await evaluateJsonata('$pad("ab", 4)', null)).toBe('ab  ');
    expect(await evaluateJsonata('$join(["a","b"], ",")', null)).toBe('a,b');
  });
});

/** The example fragment with step `name`'s inputs changed. */
function withInputs(name: string, inputs: Record<string, JsonValue>): Fragment {
  return { ...orderTriageFragment, steps: orderTriageFragment.steps.map((s) => (s.name === name ? { ...s, inputs: { ...s.inputs, ...inputs } } : s)) };
}
const indexOf = (name: string) => orderTriageFragment.steps.findIndex((s) => s.name === name);

describe('PATTERN_UNSUPPORTED at validation time', () => {
  it('points at a schema pattern and a patternProperties key of validate', () => {
    const schema = { type: 'object', properties: { id: { type: 'string', pattern: '(x)\\1' } }, patternProperties: { '^(?!_)': {} } };
    const r = validateFragment(withInputs('valid_orders', { schema }), ctx);
    const i = indexOf('valid_orders');
    expect(r.diagnostics.map((d) => [d.code, d.path])).toEqual([
      ['PATTERN_UNSUPPORTED', `/steps/${i}/inputs/schema/patternProperties/^(?!_)`],
      ['PATTERN_UNSUPPORTED', `/steps/${i}/inputs/schema/properties/id/pattern`],
    ]);
    expect(r.diagnostics[1]!.message).toContain("Step 'valid_orders' gives the schema pattern /(x)\\1/");
    expect(r.diagnostics[1]!.hint).toContain('RE2 syntax');
  });

  it('points at a transform expression and a decide rule that use lookaround or backreferences', () => {
    const decideStep = orderTriageFragment.steps[indexOf('review_decision')]!;
    const rules = (decideStep.inputs['rules'] as { when: string; outcome: string }[]).map((r, k) => (k === 0 ? { ...r, when: '$contains(note, /(?<=x)y/)' } : r));
    const f = withInputs('order_rows', { expression: '$.{ "n": $count($match(name, /(a)\\1/)) }' });
    const g: Fragment = { ...f, steps: f.steps.map((s) => (s.name === 'review_decision' ? { ...s, inputs: { ...s.inputs, rules } } : s)) };
    const r = validateFragment(g, ctx);
    expect(r.diagnostics.map((d) => [d.code, d.path])).toEqual([
      ['PATTERN_UNSUPPORTED', `/steps/${indexOf('order_rows')}/inputs/expression`],
      ['PATTERN_UNSUPPORTED', `/steps/${indexOf('review_decision')}/inputs/rules/0/when`],
    ]);
  });

  it('accepts patterns it can run, division, and pattern-looking data', () => {
    const schema = { type: 'object', properties: { id: { type: 'string', pattern: '^[A-Z]{2}-\\d+$' } }, examples: [{ pattern: '(a)\\1' }] };
    const f = withInputs('valid_orders', { schema });
    const g = { ...f, steps: f.steps.map((s) => (s.name === 'order_rows' ? { ...s, inputs: { ...s.inputs, expression: '$.{ "half": total / 2, "ok": $contains(id, /^[a-z]+$/i) }' } } : s)) };
    expect(validateFragment(g, ctx).diagnostics.map((d) => d.code)).not.toContain('PATTERN_UNSUPPORTED');
  });

  it('finds regex literals as JSONata does: not after operands, not in strings or comments', () => {
    expect(jsonataRegexLiterals('a / b')).toEqual([]);
    expect(jsonataRegexLiterals('$split(x, /[,;]/) /* /no/ */ & "a/b/"')).toEqual([{ source: '[,;]', flags: '' }]);
    expect(jsonataRegexLiterals('x ~> $match(/a\\/b(c)/im)')).toEqual([{ source: 'a\\/b(c)', flags: 'im' }]);
    expect(jsonataRegexLiterals('(a) / 2 and /z/')).toEqual([{ source: 'z', flags: '' }]);
  });
});
