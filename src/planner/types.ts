/**
 * The planner contract: what a planner is asked and what it returns. Planners run in the
 * planning activity; everything they return is untrusted data validated by the workflow.
 */
import type { Diagnostic } from '../core/diagnostics.js';
import type { JsonSchema, JsonValue } from '../core/json.js';
import type { HandlerManifestEntry } from '../core/manifest.js';
import type { ResultView } from '../core/summarize.js';
import type { BudgetRemaining } from '../core/budget.js';
import type { BlobRef } from '../core/blob.js';
import type { PlannerSettings } from '../core/plan.js';
import type { RequestOmissions } from '../core/planning-request.js';
import type { PlanningUsage } from './usage.js';

/** A step whose output a fragment may depend on and reference. */
export interface AvailableStep {
  readonly name: string;
  readonly outputSchema: JsonSchema;
}

/** Constraints the planner must respect (always in the prompt). */
export interface PlanningConstraints {
  readonly maxSteps: number;
  readonly maxDepth: number;
  /** The convergence step the results feed; no planned step may depend on it. */
  readonly convergence: string;
  /** Names already taken (frame and earlier phases). */
  readonly reservedNames: readonly string[];
  /** Completed steps a fragment may depend on and reference. */
  readonly availableSteps: readonly AvailableStep[];
  /** Phases that may follow this one; `"next": "replan"` needs at least one. */
  readonly phasesAfterThis: number;
  readonly remaining: BudgetRemaining;
}

/** One earlier attempt that was rejected, with its diagnostics verbatim. */
export interface FailedAttempt {
  readonly attempt: number;
  readonly diagnostics: readonly Diagnostic[];
  /** The rejected output, as the planner returned it. */
  readonly rejected: unknown;
}

/** What a planner is asked, in the context-composition priority order. */
export interface PlanningRequest {
  readonly taskId: string;
  readonly template: { readonly name: string; readonly version: string };
  readonly planningStep: string;
  readonly phase: number;
  readonly attempt: number;
  /** The problem, whole, with task-input references resolved. */
  readonly problem: string;
  readonly taskInput: JsonValue;
  /** Results the planning step sees, summarized by size. */
  readonly results: readonly ResultView[];
  /** Handlers the planner may use. */
  readonly capabilities: readonly HandlerManifestEntry[];
  readonly constraints: PlanningConstraints;
  /** Rejected attempts of this phase, oldest first; empty on the first attempt. */
  readonly failures: readonly FailedAttempt[];
  /** The planning step's thinking and effort for the model, over the planner's own (absent: the planner's). */
  readonly planner?: PlannerSettings;
  /**
   * How many earlier planned steps' results, available steps and reserved names the request left
   * out to stay small in the task's history (absent: none). The template's steps and the newest
   * planned ones are always carried; the validator still knows every step.
   */
  readonly omitted?: RequestOmissions;
}

/** What the prompt composer did: sections and their treatment, what was cut, which capabilities at which tier. */
export interface PromptContextRecord {
  readonly estimatedTokens: number;
  readonly sections: readonly { readonly name: string; readonly tokens: number; readonly treatment: string; readonly note: string | null }[];
  readonly cut: readonly string[];
  readonly capabilitiesShown: readonly { readonly name: string; readonly tier: 1 | 2 | 3 }[];
}

/** What a planner returns: an untrusted candidate fragment plus accounting. */
export interface PlanningResult {
  /** The candidate fragment (parsed JSON or raw text); validated by the workflow. */
  readonly output: unknown;
  readonly planner: string;
  readonly model: string;
  readonly inputTokens: number;
  readonly outputTokens: number;
  readonly costUsd: number;
  readonly latencyMs: number;
  /** LLM calls this attempt made (0 for scripted planners). */
  readonly llmCalls: number;
  /**
   * Provider calls that failed in earlier tries of this attempt (Temporal retried the planning
   * activity after each); not included in `llmCalls`, charged to the budget too.
   */
  readonly failedCalls?: readonly FailedProviderCall[];
  /** The prompt as sent, when the planner has one (layer 2). */
  readonly prompt: string | null;
  /** Set instead of `prompt` when the prompt was large: it is kept in the blob store. */
  readonly promptRef?: BlobRef | null;
  /** How the prompt was composed (layer 2): null for planners without a prompt. */
  readonly context?: PromptContextRecord | null;
  /**
   * Tokens by billing class (input, cache reads, cache writes by lifetime, output, thinking) and
   * per call (layer 2, metrics by token type); absent for planners without LLM calls.
   */
  readonly usage?: PlanningUsage | null;
  /** How the fragment was asked for: `structured`, `strict_tool` or `tool` (see `output-format.ts`). */
  readonly outputMode?: string | null;
  /** The model's thinking text, only when the planner was told to keep it (`showThinking`). */
  readonly thinking?: string | null;
}

/**
 * A provider call that failed (401, 429, 5xx, a timeout): it counts against the task's LLM-call
 * budget like any call, with what is known of it and no tokens. Recorded by the planning
 * activity, across Temporal's retries of it.
 */
export interface FailedProviderCall {
  /** The failure type, e.g. `PROVIDER_RATE_LIMITED` (see `PROVIDER_ERRORS`). */
  readonly errorType: string;
  readonly message: string;
  /** HTTP status, or null for a connection error or timeout. */
  readonly status: number | null;
  readonly model: string | null;
  /** From the start of the planner call to the failure. */
  readonly latencyMs: number;
  readonly inputTokens: 0;
  readonly outputTokens: 0;
  /** Activity attempt (Temporal's retry count, from 1) that made the call. */
  readonly activityAttempt: number;
}

/** A planner: turns a request into a candidate fragment. */
export interface Planner {
  readonly name: string;
  plan(request: PlanningRequest, signal: AbortSignal): Promise<PlanningResult>;
}
