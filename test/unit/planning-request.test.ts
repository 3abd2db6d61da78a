/**
 * What a planning request carries of a large task: its growing lists (results, available steps,
 * reserved names) keep the template's steps and the newest planned ones within a byte budget,
 * and the prompt says how many were left out.
 */
import { describe, expect, it } from 'vitest';
import { jsonByteLength } from '../../src/core/json.js';
import { newestWithin } from '../../src/core/planning-request.js';
import { composePlanningPrompt } from '../../src/planner/context.js';
import { constraintsBody } from '../../src/planner/prompt-text.js';
import { request } from '../support/planning-request.js';

describe('newestWithin', () => {
  const names = ['seed', 'plan', ...Array.from({ length: 1000 }, (_, i) => `s${i}`), 'converge'];
  const frame = new Set(['seed', 'plan', 'converge']);

  it('keeps everything when it fits', () => {
    expect(newestWithin(names, (n) => frame.has(n), 1_000_000)).toEqual({ kept: names, omitted: 0 });
  });

  it('keeps the pinned entries and the newest others within the budget, in their order', () => {
    const { kept, omitted } = newestWithin(names, (n) => frame.has(n), 200);
    expect(jsonByteLength(kept)).toBeLessThanOrEqual(200);
    expect(kept.slice(0, 2)).toEqual(['seed', 'plan']);
    expect(kept.at(-1)).toBe('converge');
    const planned = kept.filter((n) => !frame.has(n));
    expect(planned.at(-1)).toBe('s999');
    // the newest, unbroken: s(999 - k + 1) … s999
    expect(planned).toEqual(Array.from({ length: planned.length }, (_, i) => `s${1000 - planned.length + i}`));
    expect(omitted).toBe(1000 - planned.length);
  });

  it('keeps pinned entries even past the budget', () => {
    expect(newestWithin(['seed', 'a', 'b'], (n) => n === 'seed', 1)).toEqual({ kept: ['seed'], omitted: 2 });
  });
});

describe('the prompt of a request that left entries out', () => {
  const omitted = { results: 1200, availableSteps: 7000, reservedNames: 5000 };

  it('says how many results, available steps and names it does not list', () => {
    const text = constraintsBody({ ...request, omitted });
    expect(text).toContain('- and 7000 more completed steps of earlier phases, not listed (the newest are)');
    expect(text).toMatch(/^Reserved step names \(taken; do not reuse\): seed, plan, converge; and 5000 more names of earlier phases' steps, not listed$/m);
    expect(composePlanningPrompt({ ...request, omitted }).user).toContain('(and 1200 results of earlier planned steps, not carried: the newest are shown)');
  });

  it('is unchanged when nothing was left out', () => {
    expect(composePlanningPrompt({ ...request, omitted: { results: 0, availableSteps: 0, reservedNames: 0 } }).user).toBe(composePlanningPrompt(request).user);
  });
});
