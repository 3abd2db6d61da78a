/**
 * A planning attempt's outcome as the memo keeps it, so that operator tools read accepted or
 * rejected, the fragment ID and the diagnostics from the task's history with no worker running
 * (a rejected attempt's diagnostics are otherwise only in the next attempt's input, and the last
 * attempt's in no event at all). Pure, sandbox-safe.
 */
import type { Diagnostic } from './diagnostics.js';

/** Diagnostics kept per attempt at most; the count says how many there were. */
export const OUTCOME_MAX_DIAGNOSTICS = 20;

/** One attempt's outcome. */
export interface PlanningOutcome {
  readonly step: string;
  readonly phase: number;
  readonly attempt: number;
  readonly source: 'planner' | 'fallback';
  readonly accepted: boolean;
  readonly fragmentId: string | null;
  readonly diagnostics: readonly Diagnostic[];
  /** How many diagnostics there were (more than kept when over the cap). */
  readonly diagnosticCount: number;
  readonly error: { readonly type: string; readonly message: string } | null;
}

/** The outcome of an attempt record, diagnostics capped. */
export function planningOutcome(a: {
  readonly planningStep: string;
  readonly phase: number;
  readonly attempt: number;
  readonly source: 'planner' | 'fallback';
  readonly accepted: boolean;
  readonly fragmentId: string | null;
  readonly diagnostics: readonly Diagnostic[];
  readonly error: { readonly type: string; readonly message: string } | null;
}): PlanningOutcome {
  return {
    step: a.planningStep,
    phase: a.phase,
    attempt: a.attempt,
    source: a.source,
    accepted: a.accepted,
    fragmentId: a.fragmentId,
    diagnostics: a.diagnostics.slice(0, OUTCOME_MAX_DIAGNOSTICS),
    diagnosticCount: a.diagnostics.length,
    error: a.error,
  };
}

/**
 * One line for a label: "accepted (plan:p1:3f2a)", "rejected: HANDLER_UNKNOWN, STEP_NAME_INVALID",
 * "planner failed: PROVIDER_UNAVAILABLE".
 */
export function outcomeLine(o: Pick<PlanningOutcome, 'accepted' | 'fragmentId' | 'diagnostics' | 'error'>): string {
  if (o.error) return `planner failed: ${o.error.type}`;
  if (o.accepted) return `accepted (${o.fragmentId ?? '?'})`;
  const codes = [...new Set(o.diagnostics.map((d) => d.code))];
  return `rejected: ${codes.slice(0, 5).join(', ')}${codes.length > 5 ? `, and ${codes.length - 5} more` : ''}`;
}
