/**
 * The planning query of a task with large fragments: Temporal refuses a query result over 2 MB,
 * so past 1 MB the oldest attempts come without their bulky fields.
 */
import { describe, expect, it } from 'vitest';
import { jsonByteLength } from '../../src/core/json.js';
import { attemptsWithin, PLANNING_QUERY_BYTES } from '../../src/core/planning-query.js';

/** An attempt of `phase` whose candidate is a fragment of `steps` steps (about 150 bytes each). */
const attempt = (phase: number, steps: number) => {
  const fragment = { steps: Array.from({ length: steps }, (_, i) => ({ name: `s${phase}_${i}`, handler: 'add', dependencies: [`s${phase - 1}_${i}`], inputs: { values: [`\${steps.s${phase - 1}_${i}.output.value}`, 1] } })) };
  return { planningStep: 'plan', phase, attempt: 1, accepted: true, output: fragment, fragment, prompt: null, context: null, diagnostics: [] };
};

describe('attemptsWithin', () => {
  it('answers small tasks whole', () => {
    const attempts = [attempt(1, 10), attempt(2, 10)];
    expect(attemptsWithin(attempts)).toEqual(attempts);
  });

  it('leaves out the oldest fragments of ten 1,000-step phases until the answer fits, keeping the newest', () => {
    const attempts = Array.from({ length: 10 }, (_, i) => attempt(i + 1, 1000));
    expect(jsonByteLength(attempts)).toBeGreaterThan(2 * 1024 * 1024);
    const answered = attemptsWithin(attempts);
    expect(jsonByteLength(answered)).toBeLessThanOrEqual(PLANNING_QUERY_BYTES);
    expect(answered.map((a) => a.phase)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    const kept = answered.map((a) => a.fragment !== null);
    expect(kept.at(-1)).toBe(true);
    // leaner from the oldest: once one keeps its fragment, every newer one does
    expect(kept.indexOf(true)).toBeGreaterThan(0);
    expect(kept.slice(kept.indexOf(true)).every(Boolean)).toBe(true);
    expect(answered[0]).toMatchObject({ phase: 1, accepted: true, output: null, fragment: null });
  });
});
