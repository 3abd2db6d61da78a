/**
 * The contract of fragment validation: what the validator is told about the task at planning
 * time, and what it returns. Pure data, so validation replays identically.
 */
import type { Diagnostic } from './diagnostics.js';
import type { Fragment } from './fragment.js';
import type { JsonSchema } from './json.js';
import type { HandlerManifest } from './manifest.js';
import type { MutationPolicy, StepKind } from './plan.js';

/**
 * The largest planner answer (bytes of JSON) the planning activity passes on; a larger one is cut
 * to this size before it enters history, which keeps it well inside Temporal's 2 MB payload limit.
 * A planning step's `maxFragmentBytes` can be at most this: one fragment holds about 3,000 short
 * steps, and larger plans come in phases.
 */
export const MAX_PLANNER_OUTPUT_BYTES = 512 * 1024;

/** A step that exists before this fragment: a frame step or a step of an earlier phase. */
export interface KnownStep {
  readonly name: string;
  readonly kind: StepKind;
  /** JSON Schema of its output, for reference path and type checks. */
  readonly outputSchema: JsonSchema;
  /**
   * `complete`: finished before planning, a fragment may depend on and reference it.
   * `pending`: not finished at planning time (a parallel frame branch): DEPENDENCY_FORBIDDEN.
   * `forbidden`: the convergence step, anything after it, or the planning step itself: DEPENDENCY_FORBIDDEN.
   */
  readonly availability: 'complete' | 'pending' | 'forbidden';
}

/** What remains of the task budget when this fragment would run. */
export interface RemainingBudget {
  readonly steps: number;
  /** Planning phases that may still follow this one (a fragment with `next: "replan"` needs ≥ 1). */
  readonly phases: number;
  readonly costUsd: number;
}

/** Everything validation needs to know. */
export interface ValidationContext {
  /** Name of the planning step that asked for this fragment. */
  readonly planningStep: string;
  /** Handlers this planning step allows (subset of the catalog). */
  readonly allowedHandlers: readonly string[];
  readonly maxSteps: number;
  readonly maxDepth: number;
  readonly maxFragmentBytes: number;
  readonly catalog: HandlerManifest;
  readonly taskInputSchema: JsonSchema;
  /** Frame steps and earlier-phase steps, by name. */
  readonly knownSteps: Readonly<Record<string, KnownStep>>;
  readonly remaining: RemainingBudget;
  /**
   * How deep the fragment may nest (the fragment object is level 1); default
   * `DEFAULT_MAX_FRAGMENT_NESTING`. Checked iteratively before any recursive pass.
   */
  readonly maxNesting?: number;
  /** What the planner may plan that changes the world; default `require_gate`. */
  readonly mutationPolicy?: MutationPolicy;
}

/** The outcome of validating one fragment: every problem, not the first. */
export type ValidationResult =
  | { readonly ok: true; readonly fragment: Fragment; readonly diagnostics: readonly [] }
  | { readonly ok: false; readonly fragment: Fragment | null; readonly diagnostics: readonly Diagnostic[] };
