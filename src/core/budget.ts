/**
 * The task budget ledger: limits, what is used, and what remains. Pure arithmetic, so the
 * workflow can enforce budgets deterministically and operators see one place for all limits.
 */
import type { Budget } from './plan.js';

/** A budget dimension. */
export type BudgetDimension = 'steps' | 'planning_phases' | 'llm_calls' | 'cost_usd' | 'wall_time';

/** Why the budget stopped further work. */
export interface BudgetExhaustion {
  readonly dimension: BudgetDimension;
  /** Human sentence: what ran out and what the task did about it. */
  readonly message: string;
}

/** Used amounts, per dimension. */
export interface BudgetUsage {
  /** Steps created: every frame step (reserved at start) plus every accepted planned step. */
  readonly steps: number;
  readonly planningPhases: number;
  readonly llmCalls: number;
  readonly costUsd: number;
}

/** Limits, usage and the clock origin of one task. */
export interface BudgetLedger {
  readonly limits: Budget;
  readonly used: BudgetUsage;
  /** Workflow start time, epoch ms (the workflow clock). */
  readonly startedAtMs: number;
  /** Set once something ran out; the task then converges with partial results. */
  readonly exhausted: BudgetExhaustion | null;
}

/** What remains, per dimension (never negative). */
export interface BudgetRemaining {
  readonly steps: number;
  readonly planningPhases: number;
  readonly llmCalls: number;
  readonly costUsd: number;
  readonly wallTimeMs: number;
}

/** A new ledger with the frame's steps reserved, so convergence and finalization always fit. */
export function openLedger(limits: Budget, frameSteps: number, startedAtMs: number): BudgetLedger {
  return { limits, used: { steps: frameSteps, planningPhases: 0, llmCalls: 0, costUsd: 0 }, startedAtMs, exhausted: null };
}

/** Adds usage. Cost is rounded to micro-dollars so sums stay exact across replays and displays. */
export function charge(ledger: BudgetLedger, delta: Partial<BudgetUsage>): BudgetLedger {
  const u = ledger.used;
  return {
    ...ledger,
    used: {
      steps: u.steps + (delta.steps ?? 0),
      planningPhases: u.planningPhases + (delta.planningPhases ?? 0),
      llmCalls: u.llmCalls + (delta.llmCalls ?? 0),
      costUsd: roundUsd(u.costUsd + (delta.costUsd ?? 0)),
    },
  };
}

/** Rounds to micro-dollars. */
export function roundUsd(usd: number): number {
  return Math.round(usd * 1e6) / 1e6;
}

/** What remains at `nowMs`. */
export function remaining(ledger: BudgetLedger, nowMs: number): BudgetRemaining {
  const { limits: l, used: u } = ledger;
  return {
    steps: Math.max(0, l.maxSteps - u.steps),
    planningPhases: Math.max(0, l.maxPlanningPhases - u.planningPhases),
    llmCalls: Math.max(0, l.maxLlmCalls - u.llmCalls),
    costUsd: Math.max(0, roundUsd(l.maxCostUsd - u.costUsd)),
    wallTimeMs: Math.max(0, l.maxWallTimeMs - (nowMs - ledger.startedAtMs)),
  };
}

/**
 * Whether another planning call may be made now; if not, the exhaustion to record.
 * A call is refused when no phase, LLM call, cost or wall time remains.
 */
export function planningAllowed(ledger: BudgetLedger, nowMs: number, newPhase: boolean): BudgetExhaustion | null {
  const r = remaining(ledger, nowMs);
  const l = ledger.limits;
  if (newPhase && r.planningPhases < 1) {
    return { dimension: 'planning_phases', message: `All ${l.maxPlanningPhases} planning phases are used; converging with the results so far.` };
  }
  if (r.llmCalls < 1) {
    return { dimension: 'llm_calls', message: `All ${l.maxLlmCalls} LLM calls are used; converging with the results so far.` };
  }
  if (r.costUsd <= 0) {
    return { dimension: 'cost_usd', message: `The cost budget of ${formatUsd(l.maxCostUsd)} is spent; converging with the results so far.` };
  }
  return wallTimeExhaustion(ledger, nowMs);
}

/** The wall-time exhaustion, if the task is past its wall-time limit at `nowMs`. */
export function wallTimeExhaustion(ledger: BudgetLedger, nowMs: number): BudgetExhaustion | null {
  if (remaining(ledger, nowMs).wallTimeMs > 0) return null;
  return {
    dimension: 'wall_time',
    message: `The wall-time budget of ${formatDuration(ledger.limits.maxWallTimeMs)} is spent; no new planned steps start, converging with the results so far.`,
  };
}

/** Records the first exhaustion (later ones do not overwrite the cause). */
export function exhaust(ledger: BudgetLedger, why: BudgetExhaustion): BudgetLedger {
  return ledger.exhausted ? ledger : { ...ledger, exhausted: why };
}

/** "$0.42". */
export function formatUsd(usd: number): string {
  return `$${usd < 0.01 && usd > 0 ? usd.toFixed(4) : usd.toFixed(2)}`;
}

/** "1h 5m", "42s", "850ms". */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)}ms`;
  const s = Math.floor(ms / 1000);
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m ${s % 60}s`;
  const h = Math.floor(m / 60);
  return `${h}h ${m % 60}m`;
}

/** The one-line budget summary operators see: "14/100 steps, 2/5 phases, 3/10 LLM calls, $0.42/$5.00". */
export function budgetLine(ledger: BudgetLedger): string {
  const { limits: l, used: u } = ledger;
  return (
    `${u.steps}/${l.maxSteps} steps, ${u.planningPhases}/${l.maxPlanningPhases} phases, ` +
    `${u.llmCalls}/${l.maxLlmCalls} LLM calls, ${formatUsd(u.costUsd)}/${formatUsd(l.maxCostUsd)}`
  );
}
