/**
 * Property tests of `validateFragment` (fast-check, fixed seed, a few thousand cases): it never
 * throws; it is deterministic; a value and its JSON text get the same diagnostics; every
 * diagnostic's pointer resolves in the fragment (or names the missing key of an object that
 * exists); and an accepted fragment passes independent checks (zod's own schemas, Kahn's
 * algorithm). The long run, 100,000+ fragments, is `npx tsx scripts/fuzz-validator.ts`.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { orderTriageFragment } from '../../examples/order-triage/plan.js';
import { registry } from '../../examples/registry.js';
import { fragmentContext, planningStepOf } from '../../src/cli/validation-context.js';
import type { ValidationResult } from '../../src/core/validation.js';
import { validateFragment } from '../../src/core/validator/index.js';
import { compileAll } from '../../src/worker.js';
import { acceptedViolations, mutate, resolvePointer, rng } from '../support/fragment-fuzz.js';

const [plan] = compileAll(registry.templates, registry.handlers).filter((p) => p.name === 'order-triage');
if (!plan) throw new Error('examples/registry.ts does not serve order-triage');
const ctx = fragmentContext(plan, planningStepOf(plan, 'plan_processing'), 1);

const SEED = 20261204;
const settings = { seed: SEED, numRuns: 1_000 };
// a correctness run, not a benchmark: generous for a loaded 2-core machine
const TIMEOUT_MS = 60_000;

/** A mutated copy of the example fragment, from a seed (so fast-check can replay and report it). */
const mutated = fc.integer({ min: 0, max: 2 ** 31 - 1 }).map((seed) => mutate(orderTriageFragment, rng(seed)));
/** Arbitrary JSON, and objects that look a little like fragments. */
const arbitraryJson = fc.oneof(
  fc.jsonValue({ maxDepth: 6 }),
  fc.record({ fragment_version: fc.constant('1'), goal: fc.string(), reasoning: fc.string(), steps: fc.array(fc.jsonValue({ maxDepth: 4 }), { maxLength: 4 }), next: fc.string() }),
);
const anyInput = fc.oneof(mutated, mutated, arbitraryJson);

function run(raw: unknown): ValidationResult {
  return validateFragment(raw, ctx);
}

/** Codes whose pointer may name a key that is absent (what must be added), in an object that exists. */
const ABSENT_KEY_CODES = new Set(['INPUT_MISSING', 'INPUT_INVALID', 'FRAGMENT_MALFORMED']);

describe('validateFragment, properties', () => {
  it('never throws, and always answers with coded diagnostics that have a message and a hint', () => {
    fc.assert(
      fc.property(anyInput, (raw) => {
        const r = run(raw);
        expect(r.ok || r.diagnostics.length > 0).toBe(true);
        for (const d of r.diagnostics) expect(d.message.length > 0 && d.hint.length > 0).toBe(true);
      }),
      settings,
    );
  }, TIMEOUT_MS);

  it('is deterministic, and a value and its JSON text get the same answer', () => {
    fc.assert(
      fc.property(anyInput, (raw) => {
        const a = run(raw);
        expect(run(raw)).toEqual(a);
        // a string is read as JSON text, so only non-string values have a text to compare with
        const text = typeof raw === 'string' ? undefined : JSON.stringify(raw);
        if (text !== undefined) expect(run(text).diagnostics).toEqual(a.diagnostics);
      }),
      settings,
    );
  }, TIMEOUT_MS);

  it('points every diagnostic into the fragment', () => {
    fc.assert(
      fc.property(mutated, (raw) => {
        for (const d of run(raw).diagnostics) {
          const at = resolvePointer(raw, d.path);
          const ok = at.found || (ABSENT_KEY_CODES.has(d.code) && at.parentFound);
          if (!ok) throw new Error(`${d.code} at '${d.path}' does not resolve in the fragment`);
        }
      }),
      settings,
    );
  }, TIMEOUT_MS);

  it('accepts only what independent checks accept too', () => {
    let accepted = 0;
    fc.assert(
      fc.property(mutated, (raw) => {
        const r = run(raw);
        if (!r.ok) return;
        accepted++;
        expect(acceptedViolations(r.fragment, ctx, registry.handlers)).toEqual([]);
      }),
      settings,
    );
    // the mutations keep some fragments valid (renames, reorderings), so the oracle is exercised
    expect(accepted).toBeGreaterThan(50);
  }, TIMEOUT_MS);

  it('rejects exactly the fragments the independent checks reject, for structural edits', () => {
    // dependency and name edits only: the oracle decides these completely
    const structural = fc.integer({ min: 0, max: 2 ** 31 - 1 }).map((seed) => {
      const r = rng(seed);
      const f = structuredClone(orderTriageFragment);
      const names = f.steps.map((s) => s.name);
      for (let n = 0; n < 1 + Math.floor(r() * 3); n++) {
        const s = f.steps[Math.floor(r() * f.steps.length)]!;
        const choice = r();
        if (choice < 0.4) s.dependencies = [...s.dependencies, names[Math.floor(r() * names.length)]!];
        else if (choice < 0.6) s.dependencies = [...s.dependencies, ['ghost', 'load_orders', 'summarize_results'][Math.floor(r() * 3)]!];
        else if (choice < 0.8) s.name = names[Math.floor(r() * names.length)]!;
        else s.dependencies = s.dependencies.slice(1);
      }
      return f;
    });
    fc.assert(
      fc.property(structural, (f) => {
        const r = run(f);
        const independent = acceptedViolations(f, ctx, registry.handlers);
        // a dropped dependency can leave a reference not upstream, which only the validator sees
        if (independent.length > 0) expect(r.ok).toBe(false);
        if (r.ok) expect(independent).toEqual([]);
      }),
      settings,
    );
  }, TIMEOUT_MS);
});
