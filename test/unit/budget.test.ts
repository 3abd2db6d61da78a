import { describe, expect, it } from 'vitest';
import {
  budgetLine,
  charge,
  exhaust,
  formatDuration,
  formatUsd,
  openLedger,
  planningAllowed,
  remaining,
  roundUsd,
  wallTimeExhaustion,
  type BudgetLedger,
} from '../../src/core/budget.js';
import type { Budget } from '../../src/core/plan.js';

const limits: Budget = { maxSteps: 10, maxPlanningPhases: 2, maxLlmCalls: 3, maxCostUsd: 1, maxWallTimeMs: 60_000 };
const T0 = 1_700_000_000_000;

describe('openLedger', () => {
  it('reserves the frame steps and starts everything else at zero', () => {
    expect(openLedger(limits, 4, T0)).toEqual({
      limits,
      used: { steps: 4, planningPhases: 0, llmCalls: 0, costUsd: 0 },
      startedAtMs: T0,
      exhausted: null,
    });
  });
});

describe('charge', () => {
  it('adds every dimension and leaves the input ledger unchanged', () => {
    const before = openLedger(limits, 4, T0);
    const after = charge(before, { steps: 3, planningPhases: 1, llmCalls: 2, costUsd: 0.25 });
    expect(after.used).toEqual({ steps: 7, planningPhases: 1, llmCalls: 2, costUsd: 0.25 });
    expect(before.used).toEqual({ steps: 4, planningPhases: 0, llmCalls: 0, costUsd: 0 });
    expect(charge(after, {}).used).toEqual(after.used);
  });

  it('keeps cost exact to the micro-dollar across many additions', () => {
    let ledger = openLedger(limits, 0, T0);
    for (let i = 0; i < 3; i++) ledger = charge(charge(ledger, { costUsd: 0.1 }), { costUsd: 0.2 });
    expect(ledger.used.costUsd).toBe(0.9);
    // Plain float addition drifts; the ledger must not.
    expect(0.1 + 0.2 + 0.1 + 0.2 + 0.1 + 0.2).not.toBe(0.9);
    for (let i = 0; i < 1000; i++) ledger = charge(ledger, { costUsd: 0.000123 });
    expect(ledger.used.costUsd).toBe(1.023);
  });

  it('rounds each charge to micro-dollars', () => {
    expect(charge(openLedger(limits, 0, T0), { costUsd: 0.0000004 }).used.costUsd).toBe(0);
    expect(charge(openLedger(limits, 0, T0), { costUsd: 0.0000016 }).used.costUsd).toBe(0.000002);
    expect(charge(openLedger(limits, 0, T0), { costUsd: 0.1234567 }).used.costUsd).toBe(0.123457);
    expect(roundUsd(1.0000004)).toBe(1);
    expect(roundUsd(2.4999996)).toBe(2.5);
  });
});

describe('remaining', () => {
  it('is limits minus usage, with wall time measured from startedAtMs', () => {
    const ledger = charge(openLedger(limits, 4, T0), { planningPhases: 1, llmCalls: 1, costUsd: 0.3 });
    expect(remaining(ledger, T0 + 15_000)).toEqual({ steps: 6, planningPhases: 1, llmCalls: 2, costUsd: 0.7, wallTimeMs: 45_000 });
    expect(remaining(ledger, T0).wallTimeMs).toBe(60_000);
  });

  it('is never negative', () => {
    const over = charge(openLedger(limits, 4, T0), { steps: 20, planningPhases: 5, llmCalls: 9, costUsd: 3.5 });
    expect(remaining(over, T0 + 3_600_000)).toEqual({ steps: 0, planningPhases: 0, llmCalls: 0, costUsd: 0, wallTimeMs: 0 });
  });
});

describe('planningAllowed', () => {
  const fresh = openLedger(limits, 3, T0);

  it('is null while every dimension has room', () => {
    expect(planningAllowed(fresh, T0 + 1000, true)).toBeNull();
    expect(planningAllowed(charge(fresh, { planningPhases: 1, llmCalls: 2, costUsd: 0.99 }), T0 + 59_999, true)).toBeNull();
  });

  it('refuses a new phase when the phases are used, but not a re-plan inside the phase', () => {
    const phasesUsed = charge(fresh, { planningPhases: 2, llmCalls: 1 });
    expect(planningAllowed(phasesUsed, T0, true)).toEqual({
      dimension: 'planning_phases',
      message: 'All 2 planning phases are used; converging with the results so far.',
    });
    expect(planningAllowed(phasesUsed, T0, false)).toBeNull();
  });

  it('refuses when the LLM calls are used', () => {
    expect(planningAllowed(charge(fresh, { llmCalls: 3 }), T0, false)).toEqual({
      dimension: 'llm_calls',
      message: 'All 3 LLM calls are used; converging with the results so far.',
    });
  });

  it('refuses when the cost is spent (exactly, or over)', () => {
    const expected = { dimension: 'cost_usd', message: 'The cost budget of $1.00 is spent; converging with the results so far.' };
    expect(planningAllowed(charge(fresh, { costUsd: 1 }), T0, false)).toEqual(expected);
    expect(planningAllowed(charge(fresh, { costUsd: 1.5 }), T0, false)).toEqual(expected);
    expect(planningAllowed(charge(fresh, { costUsd: 0.999999 }), T0, false)).toBeNull();
  });

  it('refuses when the wall time is spent', () => {
    const expected = {
      dimension: 'wall_time',
      message: 'The wall-time budget of 1m 0s is spent; no new planned steps start, converging with the results so far.',
    };
    expect(planningAllowed(fresh, T0 + 60_000, false)).toEqual(expected);
    expect(wallTimeExhaustion(fresh, T0 + 60_000)).toEqual(expected);
    expect(wallTimeExhaustion(fresh, T0 + 59_999)).toBeNull();
  });

  it('reports phases first, then LLM calls, then cost, then wall time', () => {
    const all = charge(fresh, { planningPhases: 2, llmCalls: 3, costUsd: 1 });
    expect(planningAllowed(all, T0 + 60_000, true)?.dimension).toBe('planning_phases');
    expect(planningAllowed(all, T0 + 60_000, false)?.dimension).toBe('llm_calls');
    expect(planningAllowed(charge(fresh, { costUsd: 1 }), T0 + 60_000, false)?.dimension).toBe('cost_usd');
  });
});

describe('exhaust', () => {
  it('records the first cause and keeps it', () => {
    const ledger: BudgetLedger = openLedger(limits, 3, T0);
    const first = { dimension: 'llm_calls', message: 'first' } as const;
    const once = exhaust(ledger, first);
    expect(once.exhausted).toEqual(first);
    expect(ledger.exhausted).toBeNull();
    const twice = exhaust(once, { dimension: 'wall_time', message: 'second' });
    expect(twice.exhausted).toEqual(first);
    expect(charge(twice, { steps: 1 }).exhausted).toEqual(first);
  });
});

describe('formatting', () => {
  it('formats USD with cents, or four decimals below a cent', () => {
    expect(formatUsd(0)).toBe('$0.00');
    expect(formatUsd(0.42)).toBe('$0.42');
    expect(formatUsd(5)).toBe('$5.00');
    expect(formatUsd(12.345)).toBe('$12.35');
    expect(formatUsd(0.01)).toBe('$0.01');
    expect(formatUsd(0.0042)).toBe('$0.0042');
    expect(formatUsd(0.000001)).toBe('$0.0000');
  });

  it('formats durations as ms, s, m s, h m', () => {
    expect(formatDuration(0)).toBe('0ms');
    expect(formatDuration(850)).toBe('850ms');
    expect(formatDuration(1000)).toBe('1s');
    expect(formatDuration(42_999)).toBe('42s');
    expect(formatDuration(60_000)).toBe('1m 0s');
    expect(formatDuration(65_000)).toBe('1m 5s');
    expect(formatDuration(3_599_999)).toBe('59m 59s');
    expect(formatDuration(3_600_000)).toBe('1h 0m');
    expect(formatDuration(3_900_000)).toBe('1h 5m');
    expect(formatDuration(26 * 3_600_000)).toBe('26h 0m');
  });

  it('writes the one-line budget summary', () => {
    const ledger = charge(openLedger({ maxSteps: 100, maxPlanningPhases: 5, maxLlmCalls: 10, maxCostUsd: 5, maxWallTimeMs: 1 }, 4, T0), {
      steps: 10,
      planningPhases: 2,
      llmCalls: 3,
      costUsd: 0.42,
    });
    expect(budgetLine(ledger)).toBe('14/100 steps, 2/5 phases, 3/10 LLM calls, $0.42/$5.00');
    expect(budgetLine(openLedger(limits, 0, T0))).toBe('0/10 steps, 0/2 phases, 0/3 LLM calls, $0.00/$1.00');
    expect(budgetLine(charge(openLedger(limits, 0, T0), { costUsd: 0.0031 }))).toBe('0/10 steps, 0/2 phases, 0/3 LLM calls, $0.0031/$1.00');
  });
});
