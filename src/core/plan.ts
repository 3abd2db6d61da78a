/**
 * A compiled template: plain data, content-hashed, pinned into history at workflow start so
 * a deploy that changes a template never changes an in-flight run on replay.
 */
import type { Fragment } from './fragment.js';
import type { JsonSchema, JsonValue } from './json.js';
import type { HandlerManifest } from './manifest.js';

/** Where a step came from (provenance `created_by`). */
export type CreatedBy = 'template' | 'planning_step' | 'batch_spawn' | 'decision_point';

/** The frame's step kinds. Planned steps are `planned`. */
export type StepKind = 'static' | 'planning' | 'convergence' | 'finalization' | 'planned';

/** Temporal retry settings for one step. */
export interface RetrySettings {
  readonly maximumAttempts: number;
  readonly initialIntervalMs: number;
  readonly backoffCoefficient: number;
  readonly maximumIntervalMs: number;
}

/** What happens when a step has exhausted its retries. */
export type ExhaustedAction = 'fail' | 'park';

/** Failure policy of a step. */
export interface FailurePolicy {
  readonly retry: RetrySettings;
  /** Start-to-close timeout of one attempt. */
  readonly timeoutMs: number;
  /**
   * Heartbeat timeout of one attempt of a handler that heartbeats (all do unless they declare
   * `heartbeats: false`): how soon a step whose worker died is retried. Absent: 15 s
   * (`DEFAULT_HEARTBEAT_TIMEOUT_MS`), capped at `timeoutMs`.
   */
  readonly heartbeatTimeoutMs?: number;
  /** Fail the task, or park the step for an operator (retry / skip with output / fail). */
  readonly onExhausted: ExhaustedAction;
}

/**
 * Heartbeat timeout of a step whose handler heartbeats (the worker beats for every handler that
 * does not declare `heartbeats: false`, every third of this): a worker that dies mid-step has the
 * step retried after this long rather than after the step's start-to-close timeout. Workflow code
 * applies it (patch `weft-12-heartbeat-timeout`), so compiled plans leave it out.
 */
export const DEFAULT_HEARTBEAT_TIMEOUT_MS = 15_000;

/** Task-level resource limits. */
export interface Budget {
  readonly maxSteps: number;
  readonly maxPlanningPhases: number;
  readonly maxLlmCalls: number;
  readonly maxCostUsd: number;
  readonly maxWallTimeMs: number;
}

/** A frame step that runs a handler: static, convergence or finalization. */
export interface PlanHandlerStep {
  readonly kind: 'static' | 'convergence' | 'finalization';
  readonly name: string;
  readonly description: string;
  readonly handler: string;
  /** Literal values and `${...}` references, resolved right before the step runs. */
  readonly inputs: Readonly<Record<string, JsonValue>>;
  readonly dependencies: readonly string[];
  readonly failure: FailurePolicy;
}

/** Summarization thresholds for results shown to the planner. */
export interface SummarizationSettings {
  /** Below this size (bytes of JSON) a result is shown verbatim. */
  readonly verbatimBytes: number;
  /** Below this size a structured summary is shown. */
  readonly structuredBytes: number;
  /**
   * From `structuredBytes` up to this size an LLM summary (a visible `summarize` step) is shown when
   * the catalog has `summarize`; from this size up, a reference with size, shape and sample.
   */
  readonly referenceBytes: number;
}

/**
 * What a planner may plan that changes the world: nothing (`forbid`), only behind an approval
 * gate it also plans upstream (`require_gate`, the default), or freely (`allow`).
 */
export type MutationPolicy = 'forbid' | 'require_gate' | 'allow';

/** A planning step of the frame, with its constraints. */
export interface PlanPlanningStep {
  readonly kind: 'planning';
  readonly name: string;
  readonly description: string;
  /** The problem, given to the planner whole. May contain `${task.input...}` references. */
  readonly problem: string;
  /** Earlier steps whose results the planner sees. */
  readonly sees: readonly string[];
  /** Handler names the planner may use (categories are resolved at compile time). */
  readonly allowedHandlers: readonly string[];
  readonly maxSteps: number;
  readonly maxDepth: number;
  /** Planning attempts per phase (first try plus re-plans with diagnostics). */
  readonly maxAttempts: number;
  /** Planning phases for this step (`"next": "replan"` asks for another). */
  readonly maxPhases: number;
  /** Largest fragment accepted, in bytes of JSON. */
  readonly maxFragmentBytes: number;
  /** Concurrent planned steps at most. */
  readonly concurrency: number;
  readonly mutations: MutationPolicy;
  /** The convergence step this planning step feeds. */
  readonly convergence: string;
  /** Fragment used when attempts are exhausted or the provider is out; validated like any other. */
  readonly fallback: Fragment | null;
  /** When attempts are exhausted and there is no fallback: fail the task or park the step. */
  readonly onExhausted: ExhaustedAction;
  readonly dependencies: readonly string[];
  /** Failure policy of the planning activity itself (provider errors). */
  readonly failure: FailurePolicy;
  /** Failure policy of every step this planning step plans. */
  readonly stepFailure: FailurePolicy;
  readonly summarization: SummarizationSettings;
  /** How the planning model should think for this step; absent: the planner's own settings. */
  readonly planner?: PlannerSettings;
}

/**
 * Thinking of the planning model: the model's default (nothing sent), off, adaptive, or a fixed
 * budget of thinking tokens (at least 1024, below the planner's `maxTokens`).
 */
export type PlannerThinking = 'default' | 'off' | 'adaptive' | { readonly budgetTokens: number };

/** `output_config.effort` values, least first. */
export const PLANNER_EFFORTS = ['low', 'medium', 'high', 'xhigh', 'max'] as const;

/** How much effort the model puts into its answer (models that take it). */
export type PlannerEffort = (typeof PLANNER_EFFORTS)[number];

/** A planning step's settings for the planning model; they override the planner's own. */
export interface PlannerSettings {
  readonly thinking?: PlannerThinking;
  readonly effort?: PlannerEffort;
}

/** Any frame step. */
export type PlanStep = PlanHandlerStep | PlanPlanningStep;

/** A template compiled to plain data. */
export interface CompiledPlan {
  readonly name: string;
  readonly version: string;
  /** sha256 of the canonical JSON of everything else, hex. */
  readonly hash: string;
  readonly description: string;
  readonly inputSchema: JsonSchema;
  /** Frame steps in a topological order. */
  readonly steps: readonly PlanStep[];
  readonly budget: Budget;
  /** The handlers this plan may use, pinned. */
  readonly catalog: HandlerManifest;
}
