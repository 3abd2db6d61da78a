/**
 * Telemetry from workflow code: events through the `weftTelemetry` sink, which the worker turns
 * into metrics and spans. Sink calls are skipped on replay (no double counts) and record nothing
 * in history (no patch needed: a replayed run issues the same commands).
 */
import { proxySinks, type Sinks } from '@temporalio/workflow';
import { depth } from '../src/core/dag.js';
import type { Fragment } from '../src/core/fragment.js';
import type { StepRecord } from '../src/core/steps.js';
import {
  PLANNER_HANDLER_LABEL,
  TELEMETRY_SINK,
  UTILIZATION_DIMENSION,
  utilization,
  type LlmUsageEvent,
  type PlanningAttemptEvent,
  type StepOutcome,
  type StepTelemetry,
  type TaskOutcome,
  type TelemetrySink,
} from '../src/core/telemetry.js';
import type { TaskRun } from './run-state.js';

interface WeftSinks extends Sinks {
  [TELEMETRY_SINK]: TelemetrySink;
}

const sink = proxySinks<WeftSinks>()[TELEMETRY_SINK];

function describe(run: TaskRun, record: StepRecord): StepTelemetry {
  return {
    template: run.plan.name,
    step: record.name,
    handler: record.handler ?? PLANNER_HANDLER_LABEL,
    kind: record.kind,
    createdBy: record.provenance.createdBy,
    planningStep: record.provenance.planningStep,
    fragmentId: record.provenance.fragmentId,
    planningPhase: record.provenance.planningPhase,
  };
}

/** A step ended (call after `finishedAtMs` is set). */
export function stepEnded(run: TaskRun, record: StepRecord, outcome: StepOutcome): void {
  const finishedAtMs = record.finishedAtMs ?? Date.now();
  sink.stepEnded({
    ...describe(run, record),
    outcome,
    startedAtMs: record.startedAtMs ?? finishedAtMs,
    finishedAtMs,
    executions: record.executions,
    errorType: outcome === 'completed' ? null : (record.error?.type ?? null),
    errorMessage: outcome === 'completed' ? null : (record.error?.message ?? null),
    reasoning: record.provenance.planningReasoning,
  });
}

/** A step parked (+1) or an operator decided on it (-1). */
export function stepParked(run: TaskRun, record: StepRecord, delta: 1 | -1): void {
  sink.stepParked({ template: run.plan.name, step: record.name, handler: record.handler ?? PLANNER_HANDLER_LABEL, createdBy: record.provenance.createdBy, delta });
}

/** A planner attempt was validated (or failed). */
export function planningAttempt(event: PlanningAttemptEvent): void {
  sink.planningAttempt(event);
}

/** LLM use the ledger was charged for outside planner calls. */
export function llmUsage(event: LlmUsageEvent): void {
  sink.llmUsage(event);
}

/** A fragment was accepted: its size, depth and handlers. */
export function fragmentAccepted(run: TaskRun, planningStep: string, fragmentId: string, fragment: Fragment): void {
  const names = new Set(fragment.steps.map((s) => s.name));
  const nodes = fragment.steps.map((s) => ({ name: s.name, dependencies: s.dependencies.filter((d) => names.has(d)) }));
  sink.fragmentAccepted({
    template: run.plan.name,
    planningStep,
    fragmentId,
    steps: fragment.steps.length,
    depth: depth(nodes),
    handlers: fragment.steps.map((s) => s.handler),
  });
}

/** The task ended: outcome, phases, budget utilization. */
export function taskEnded(run: TaskRun, outcome: TaskOutcome): void {
  const now = Date.now();
  const exhausted = run.ledger.exhausted ? UTILIZATION_DIMENSION[run.ledger.exhausted.dimension] : null;
  sink.taskEnded({
    template: run.plan.name,
    outcome,
    phases: run.ledger.used.planningPhases,
    startedAtMs: run.ledger.startedAtMs,
    finishedAtMs: now,
    utilization: utilization(run.ledger, now),
    exhausted,
    costUsd: run.ledger.used.costUsd,
    steps: run.steps.size,
  });
}
