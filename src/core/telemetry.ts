/**
 * What the workflow tells the worker's telemetry: plain events, sent through one Temporal sink
 * (`weftTelemetry`). Sinks are not called while a workflow replays, so nothing is counted twice,
 * and they add no commands to history, so emitting them changes no run on replay.
 *
 * Sandbox-safe: types and pure helpers only. The worker side (metrics, spans) is
 * `src/telemetry/`.
 */
import type { BudgetDimension, BudgetLedger } from './budget.js';
import type { CreatedBy, StepKind } from './plan.js';

/** Name of the sink the workflow calls and the worker injects. */
export const TELEMETRY_SINK = 'weftTelemetry';

/** How a step ended. */
export type StepOutcome = 'completed' | 'failed' | 'skipped' | 'cancelled';

/** The `handler` label of a planning step (it has no catalog handler; its activity is `weftPlan`). */
export const PLANNER_HANDLER_LABEL = 'planner';

/** One step, as telemetry sees it: the same fields for static, planned, spawned and planning steps. */
export interface StepTelemetry {
  readonly template: string;
  readonly step: string;
  readonly handler: string;
  readonly kind: StepKind;
  readonly createdBy: CreatedBy;
  readonly planningStep: string | null;
  readonly fragmentId: string | null;
  readonly planningPhase: number | null;
}

/** A step finished (once per step, after retries, parking and operator decisions). */
export interface StepEndedEvent extends StepTelemetry {
  readonly outcome: StepOutcome;
  readonly startedAtMs: number;
  readonly finishedAtMs: number;
  /** Activity executions started (an operator's retry starts another). */
  readonly executions: number;
  readonly errorType: string | null;
  /** Step data, put in spans only when content capture is on (`WEFT_OTEL_CAPTURE_CONTENT`). */
  readonly errorMessage: string | null;
  readonly reasoning: string | null;
}

/** A step parked (+1) or left the parking lot (-1). */
export interface StepParkedEvent {
  readonly template: string;
  readonly step: string;
  readonly handler: string;
  readonly createdBy: CreatedBy;
  readonly delta: 1 | -1;
}

/** How one planner attempt ended. */
export type PlanningAttemptResult = 'accepted' | 'rejected' | 'failed';

/** One call to the planner (an LLM call for Claude), after validation in the workflow. */
export interface PlanningAttemptEvent {
  readonly template: string;
  readonly planningStep: string;
  readonly phase: number;
  readonly attempt: number;
  readonly result: PlanningAttemptResult;
  /** Diagnostic codes of a rejected fragment (one per diagnostic), or the failure type. */
  readonly codes: readonly string[];
  readonly provider: string | null;
  readonly model: string | null;
  /** Token counts by type (`input`, `output`; cache types when the planner reports them). */
  readonly tokens: Readonly<Record<string, number>>;
  readonly costUsd: number;
  readonly latencyMs: number;
  readonly startedAtMs: number;
  readonly finishedAtMs: number;
}

/** An accepted fragment's shape. */
export interface FragmentAcceptedEvent {
  readonly template: string;
  readonly planningStep: string;
  readonly fragmentId: string;
  readonly steps: number;
  readonly depth: number;
  /** The handler of each planned step (repeats kept: counts are per use). */
  readonly handlers: readonly string[];
}

/** How a task ended. */
export type TaskOutcome = 'completed' | 'partial' | 'failed';

/** The budget dimensions as metric labels. */
export type UtilizationDimension = 'steps' | 'phases' | 'llm_calls' | 'cost' | 'wall_time';

/** A task ended. */
export interface TaskEndedEvent {
  readonly template: string;
  readonly outcome: TaskOutcome;
  readonly phases: number;
  readonly startedAtMs: number;
  readonly finishedAtMs: number;
  /** Used / limit per dimension (0 when the limit is 0). */
  readonly utilization: Readonly<Record<UtilizationDimension, number>>;
  readonly exhausted: UtilizationDimension | null;
  readonly costUsd: number;
  readonly steps: number;
}

/** LLM use outside planner calls that the ledger charges (the visible `summarize` steps before planning). */
export interface LlmUsageEvent {
  readonly template: string;
  readonly provider: string;
  readonly model: string;
  readonly tokens: Readonly<Record<string, number>>;
  readonly costUsd: number;
}

/** The sink's functions: what the workflow reports (a type alias: Temporal's `Sink` needs an index signature). */
export type TelemetrySink = {
  stepEnded(event: StepEndedEvent): void;
  stepParked(event: StepParkedEvent): void;
  planningAttempt(event: PlanningAttemptEvent): void;
  fragmentAccepted(event: FragmentAcceptedEvent): void;
  llmUsage(event: LlmUsageEvent): void;
  taskEnded(event: TaskEndedEvent): void;
};

/** The ledger's dimension names as metric labels. */
export const UTILIZATION_DIMENSION: Readonly<Record<BudgetDimension, UtilizationDimension>> = {
  steps: 'steps',
  planning_phases: 'phases',
  llm_calls: 'llm_calls',
  cost_usd: 'cost',
  wall_time: 'wall_time',
};

/** Used / limit for every dimension of a ledger at `nowMs`. */
export function utilization(ledger: BudgetLedger, nowMs: number): Record<UtilizationDimension, number> {
  const ratio = (used: number, limit: number) => (limit > 0 ? used / limit : 0);
  return {
    steps: ratio(ledger.used.steps, ledger.limits.maxSteps),
    phases: ratio(ledger.used.planningPhases, ledger.limits.maxPlanningPhases),
    llm_calls: ratio(ledger.used.llmCalls, ledger.limits.maxLlmCalls),
    cost: ratio(ledger.used.costUsd, ledger.limits.maxCostUsd),
    wall_time: ratio(nowMs - ledger.startedAtMs, ledger.limits.maxWallTimeMs),
  };
}
