/**
 * The validator never throws: inputs nested far past any real fragment, values that contain
 * themselves or share children exponentially, numbers JSON cannot hold, and values whose reading
 * throws all come back as diagnostics with a pointer and a hint.
 */
import { describe, expect, it } from 'vitest';
import { orderTriageFragment } from '../../examples/order-triage/plan.js';
import { registry } from '../../examples/registry.js';
import { fragmentContext, planningStepOf } from '../../src/cli/validation-context.js';
import { DEFAULT_MAX_FRAGMENT_NESTING, findNestingProblem } from '../../src/core/nesting.js';
import { validateFragment, validateFragmentUnguarded } from '../../src/core/validator/index.js';
import { compileAll } from '../../src/worker.js';

const [plan] = compileAll(registry.templates, registry.handlers).filter((p) => p.name === 'order-triage');
if (!plan) throw new Error('examples/registry.ts does not serve order-triage');
const ctx = fragmentContext(plan, planningStepOf(plan, 'plan_processing'), 1);

/** `[[[...]]]`, `depth` arrays deep, built without recursion. */
function nestedArrays(depth: number): unknown {
  let v: unknown = [];
  for (let i = 1; i < depth; i++) v = [v];
  return v;
}

/** The fragment with `value` as a literal input of its first step. */
function withDeepInput(value: unknown): Record<string, unknown> {
  const [first, ...rest] = orderTriageFragment.steps;
  return { ...orderTriageFragment, steps: [{ ...first!, inputs: { ...first!.inputs, schema: value } }, ...rest] };
}

/** Follows a JSON Pointer into a value; throws when a token does not resolve. */
function resolvePointer(root: unknown, ptr: string): unknown {
  if (ptr === '') return root;
  let v = root;
  for (const raw of ptr.slice(1).split('/')) {
    const token = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (typeof v !== 'object' || v === null || !(token in v)) throw new Error(`pointer ${ptr} does not resolve at '${token}'`);
    v = (v as Record<string, unknown>)[token];
  }
  return v;
}

describe('deep nesting', () => {
  const deep = withDeepInput(nestedArrays(5_000));
  // JSON.stringify recurses too: the text is spliced together.
  const deepText = JSON.stringify(withDeepInput(0)).replace('"schema":0', `"schema":${'['.repeat(5_000)}${']'.repeat(5_000)}`);

  it('the checks without the guard overflow the stack on 5,000 nested arrays (what the limit prevents)', () => {
    expect(() => validateFragmentUnguarded(deep, ctx)).toThrow(RangeError);
  });

  it('is FRAGMENT_TOO_DEEP with a pointer to the first container past the limit, for a value and for its text', () => {
    for (const raw of [deep, deepText]) {
      const r = validateFragment(raw, ctx);
      expect(r.ok).toBe(false);
      expect(r.diagnostics).toHaveLength(1);
      const [d] = r.diagnostics;
      expect(d!.code).toBe('FRAGMENT_TOO_DEEP');
      expect(d!.path.startsWith('/steps/0/inputs/schema/0/0')).toBe(true);
      expect(d!.path.split('/').length - 1).toBe(DEFAULT_MAX_FRAGMENT_NESTING);
      expect(Array.isArray(resolvePointer(deep, d!.path))).toBe(true);
      expect(d!.hint).toContain(`${DEFAULT_MAX_FRAGMENT_NESTING} levels`);
    }
  });

  it('is reported when the deep value is in a sibling of a malformed step (zod would have recursed into it)', () => {
    const f = withDeepInput(nestedArrays(3_000));
    (f['steps'] as unknown[]).push({ name: 42 });
    expect(validateFragment(f, ctx).diagnostics.map((d) => d.code)).toEqual(['FRAGMENT_TOO_DEEP']);
  });

  it('accepts a fragment nested exactly to the limit and rejects one level more', () => {
    // fragment (1) → steps (2) → step (3) → inputs (4) → schema (5): the literal adds the rest
    const atLimit = withDeepInput(nestedArrays(DEFAULT_MAX_FRAGMENT_NESTING - 4));
    expect(validateFragment(atLimit, ctx).diagnostics.map((d) => d.code)).not.toContain('FRAGMENT_TOO_DEEP');
    const over = withDeepInput(nestedArrays(DEFAULT_MAX_FRAGMENT_NESTING - 3));
    expect(validateFragment(over, ctx).diagnostics.map((d) => d.code)).toEqual(['FRAGMENT_TOO_DEEP']);
  });

  it('honours a context that sets another limit', () => {
    expect(validateFragment(orderTriageFragment, { ...ctx, maxNesting: 3 }).diagnostics[0]?.code).toBe('FRAGMENT_TOO_DEEP');
    expect(validateFragment(orderTriageFragment, ctx).ok).toBe(true);
  });
});

describe('values that are not JSON', () => {
  it('a value that contains itself is FRAGMENT_TOO_DEEP, not a stack overflow', () => {
    const cyclic: Record<string, unknown> = { ...orderTriageFragment };
    cyclic['self'] = cyclic;
    expect(validateFragment(cyclic, ctx).diagnostics.map((d) => d.code)).toEqual(['FRAGMENT_TOO_DEEP']);
  });

  it('children shared exponentially (2^40 values as JSON) are FRAGMENT_TOO_LARGE after at most maxFragmentBytes visits', () => {
    let shared: unknown = 'x';
    for (let i = 0; i < 40; i++) shared = [shared, shared];
    const r = validateFragment(withDeepInput(shared), ctx);
    expect(r.diagnostics.map((d) => d.code)).toEqual(['FRAGMENT_TOO_LARGE']);
  });

  it('non-finite numbers and numbers JSON text turns into Infinity are diagnosed', () => {
    for (const raw of [withDeepInput(Number.NaN), withDeepInput(-Infinity), JSON.stringify(withDeepInput(1)).replace('"schema":1', '"schema":1e400')]) {
      const r = validateFragment(raw, ctx);
      expect(r.ok).toBe(false);
      expect(r.diagnostics.every((d) => typeof d.path === 'string' && d.hint.length > 0)).toBe(true);
    }
  });

  it('an exception while reading the value is VALIDATOR_FAILED, never thrown', () => {
    const hostile = {
      ...orderTriageFragment,
      get steps(): never {
        throw new TypeError('reading steps failed');
      },
    };
    const r = validateFragment(hostile, ctx);
    expect(r.ok).toBe(false);
    expect(r.diagnostics).toEqual([expect.objectContaining({ code: 'VALIDATOR_FAILED', path: '' })]);
    expect(r.diagnostics[0]!.message).toContain('reading steps failed');
  });
});

describe('findNestingProblem', () => {
  it('counts the root as level 1 and returns the path of the first container too deep', () => {
    expect(findNestingProblem([[[]]], 3)).toBeNull();
    expect(findNestingProblem([[[]]], 2)).toEqual({ kind: 'too_deep', depth: 3, path: [0, 0] });
    expect(findNestingProblem({ a: [1, { b: {} }] }, 3)).toEqual({ kind: 'too_deep', depth: 4, path: ['a', 1, 'b'] });
    expect(findNestingProblem('x'.repeat(10), 0)).toBeNull();
  });

  it('stops at maxValues', () => {
    expect(findNestingProblem([1, 2, 3], 10, 3)).toEqual({ kind: 'too_many', values: 4 });
    expect(findNestingProblem([1, 2, 3], 10, 4)).toBeNull();
  });
});
