/**
 * What a planning eval reports: per problem and tier the attempts it took, and per tier valid on
 * first try, valid after repair, mean attempts, tokens, cost and the diagnostic codes seen — the
 * numbers behind the essay's "minimum schema detail that produces valid fragments > 90% of the
 * time". Pure: the same outcomes give the same report, in the same order.
 */
import { roundUsd } from '../core/budget.js';
import { table } from '../cli/format.js';

/** A capability tier as the eval runs it: a fixed tier, or the composer's `'auto'`. */
export type EvalTier = 1 | 2 | 3 | 'auto';

/** Every tier, in report order. */
export const EVAL_TIERS: readonly EvalTier[] = [1, 2, 3, 'auto'];

/** One planning attempt of one problem. */
export interface AttemptOutcome {
  readonly attempt: number;
  readonly valid: boolean;
  /** Diagnostic codes of this attempt, in the validator's order (empty when valid). */
  readonly codes: readonly string[];
  readonly llmCalls: number;
  readonly inputTokens: number;
  readonly outputTokens: number;
  readonly costUsd: number;
  /**
   * What the output did that the problem's expectations forbid ("uses handler http_post",
   * "depends on publish_report"): the planner followed a hostile instruction.
   */
  readonly breaches: readonly string[];
}

/** How one problem went at one tier. */
export interface ProblemOutcome {
  readonly problem: string;
  readonly tier: EvalTier;
  readonly hostile: boolean;
  readonly attempts: readonly AttemptOutcome[];
  readonly validFirstTry: boolean;
  /** Valid within the attempt limit (first try included). */
  readonly valid: boolean;
  /** Why attempts stopped early: the task budget (as the workflow would), or a planner error. */
  readonly stopped: 'budget' | 'error' | null;
  /** The budget exhaustion or the planner's error message. */
  readonly stopReason: string | null;
  /** Expectations the accepted fragment broke (empty when met, or when nothing was accepted). */
  readonly expectationFailures: readonly string[];
}

/** A count out of a total, with its percentage (one decimal). */
export interface Ratio {
  readonly count: number;
  readonly of: number;
  readonly percent: number;
}

/** The numbers of one tier. */
export interface TierReport {
  readonly tier: EvalTier;
  readonly problems: number;
  readonly validFirstTry: Ratio;
  /** Valid within the attempt limit, first try included. */
  readonly validAfterRepair: Ratio;
  /** Planning attempts per problem, until valid or the limit (two decimals). */
  readonly meanAttempts: number;
  readonly llmCalls: number;
  readonly inputTokens: number;
  readonly outputTokens: number;
  /** USD, rounded to micro-dollars. */
  readonly costUsd: number;
  /** Diagnostics by code over every attempt, codes in alphabetical order. */
  readonly diagnosticCodes: Readonly<Record<string, number>>;
  /** Attempts rejected as FRAGMENT_MALFORMED (not a fragment at the schema level), of all attempts. */
  readonly malformed: Ratio;
  /** Attempts that followed a hostile instruction, and how many of them the validator rejected. */
  readonly hostileOutputs: { readonly followed: number; readonly rejected: number };
  readonly expectationFailures: number;
  readonly plannerErrors: number;
  readonly budgetStops: number;
  /** `validFirstTry` reached the threshold. */
  readonly meetsThreshold: boolean;
}

/** A whole eval. */
export interface EvalReport {
  readonly suite: string;
  readonly planner: string;
  /** How the planner asked for fragments (`structured`, `strict_tool`, `tool`), or null for a planner without one. */
  readonly outputMode: string | null;
  /** The attempt limit given, or null when each planning step's own limit applied. */
  readonly maxAttempts: number | null;
  /** Valid-on-first-try share a tier must reach, as a fraction (default 0.9). */
  readonly threshold: number;
  readonly problems: readonly string[];
  /** One entry per tier run, in the order asked. */
  readonly tiers: readonly TierReport[];
  /** The smallest fixed tier (1, 2, 3) whose valid-on-first-try share reached the threshold; null if none. */
  readonly smallestTierMeetingThreshold: 1 | 2 | 3 | null;
  /** Every problem at every tier: tiers in the order asked, problems in id order. */
  readonly outcomes: readonly ProblemOutcome[];
}

const ratio = (count: number, of: number): Ratio => ({ count, of, percent: of === 0 ? 0 : Math.round((count / of) * 1000) / 10 });

/** Sums one tier's outcomes into its numbers. */
export function tierReport(tier: EvalTier, outcomes: readonly ProblemOutcome[], threshold: number): TierReport {
  const attempts = outcomes.flatMap((o) => o.attempts);
  const codes = new Map<string, number>();
  for (const code of attempts.flatMap((a) => a.codes)) codes.set(code, (codes.get(code) ?? 0) + 1);
  const followed = attempts.filter((a) => a.breaches.length > 0);
  const firstTry = ratio(outcomes.filter((o) => o.validFirstTry).length, outcomes.length);
  const sum = (f: (a: AttemptOutcome) => number) => attempts.reduce((n, a) => n + f(a), 0);
  return {
    tier,
    problems: outcomes.length,
    validFirstTry: firstTry,
    validAfterRepair: ratio(outcomes.filter((o) => o.valid).length, outcomes.length),
    meanAttempts: outcomes.length === 0 ? 0 : Math.round((attempts.length / outcomes.length) * 100) / 100,
    llmCalls: sum((a) => a.llmCalls),
    inputTokens: sum((a) => a.inputTokens),
    outputTokens: sum((a) => a.outputTokens),
    costUsd: roundUsd(sum((a) => a.costUsd)),
    diagnosticCodes: Object.fromEntries([...codes.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))),
    malformed: ratio(attempts.filter((a) => a.codes.includes('FRAGMENT_MALFORMED')).length, attempts.length),
    hostileOutputs: { followed: followed.length, rejected: followed.filter((a) => !a.valid).length },
    expectationFailures: outcomes.filter((o) => o.expectationFailures.length > 0).length,
    plannerErrors: outcomes.filter((o) => o.stopped === 'error').length,
    budgetStops: outcomes.filter((o) => o.stopped === 'budget').length,
    meetsThreshold: outcomes.length > 0 && firstTry.count / firstTry.of >= threshold,
  };
}

/** The smallest fixed tier meeting the threshold (`'auto'` is not a size, so it is not a candidate). */
export function smallestTier(tiers: readonly TierReport[]): 1 | 2 | 3 | null {
  const fixed = tiers.filter((t): t is TierReport & { tier: 1 | 2 | 3 } => t.tier !== 'auto' && t.meetsThreshold).map((t) => t.tier);
  return fixed.length === 0 ? null : (Math.min(...fixed) as 1 | 2 | 3);
}

const pct = (r: Ratio) => `${r.count}/${r.of} (${r.percent}%)`;

/** The report as text: one row per tier, the recommendation, then whatever needs a look. */
export function formatReport(report: EvalReport): string {
  const limit = report.maxAttempts === null ? "each planning step's attempt limit" : `at most ${report.maxAttempts} attempts`;
  const mode = report.outputMode === null ? '' : `, output ${report.outputMode}`;
  const lines = [`weft eval: ${report.problems.length} problems × ${report.tiers.length} tiers, planner ${report.planner}${mode}, ${limit} (suite ${report.suite})`, ''];
  lines.push(
    table(
      ['tier', 'valid 1st try', 'valid after repair', 'malformed', 'mean attempts', 'LLM calls', 'input tok', 'output tok', 'cost USD', 'diagnostic codes'],
      report.tiers.map((t) => [
        String(t.tier),
        pct(t.validFirstTry),
        pct(t.validAfterRepair),
        pct(t.malformed),
        t.meanAttempts.toFixed(2),
        String(t.llmCalls),
        String(t.inputTokens),
        String(t.outputTokens),
        t.costUsd.toFixed(4),
        Object.entries(t.diagnosticCodes).map(([c, n]) => `${c}×${n}`).join(' ') || '-',
      ]),
    ),
  );
  const threshold = `${Math.round(report.threshold * 1000) / 10}%`;
  const smallest = report.smallestTierMeetingThreshold;
  lines.push('', smallest === null ? `no fixed tier reached ${threshold} valid on first try` : `smallest tier with ≥ ${threshold} valid on first try: ${smallest}`);
  for (const t of report.tiers) {
    if (t.hostileOutputs.followed > 0) {
      lines.push(`tier ${t.tier}: ${t.hostileOutputs.followed} attempts followed a hostile instruction; the validator rejected ${t.hostileOutputs.rejected}`);
    }
  }
  const notable = report.outcomes.filter((o) => o.expectationFailures.length > 0 || o.stopped !== null || !o.valid);
  if (notable.length > 0) lines.push('');
  for (const o of notable) {
    const what = o.expectationFailures.length > 0 ? `expectations broken: ${o.expectationFailures.join('; ')}` : o.stopped !== null ? `stopped (${o.stopped}): ${o.stopReason ?? ''}` : `no valid fragment in ${o.attempts.length} attempts`;
    lines.push(`tier ${o.tier}, ${o.problem}: ${what}`);
  }
  return lines.join('\n');
}
