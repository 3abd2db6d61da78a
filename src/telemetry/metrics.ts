/**
 * weft's Prometheus metric families (names and labels are a contract: the shipped dashboards,
 * alert rules and tests use them). Labels come only from bounded sets — template, handler, kind,
 * provenance, outcome, planning step, diagnostic code, model — never task IDs or planned step
 * names: topology is attributes on spans, never a metric name or label.
 *
 * Why `prom-client` on its own endpoint and not the Temporal SDK's Prometheus exporter: the SDK's
 * counters are integers (a USD counter would read 0) and it drops names it does not like with only
 * a log line; a separate registry keeps these families exact and lets the endpoint add the SDK's
 * own metrics beside them (`metrics-server.ts`).
 * @example
 * const metrics = new WeftMetrics();
 * metrics.stepEnded({ template: 'order-triage', handler: 'transform', kind: 'planned', createdBy: 'planning_step', outcome: 'completed' }, 0.12);
 * await metrics.registry.metrics(); // the exposition text
 */
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { CompiledPlan } from '../core/plan.js';
import type { FragmentAcceptedEvent, LlmUsageEvent, PlanningAttemptEvent, StepEndedEvent, StepParkedEvent, TaskEndedEvent, UtilizationDimension } from '../core/telemetry.js';

/** Every family weft exports, with its labels: the contract in one place. */
export const METRIC_FAMILIES = {
  weft_step_duration_seconds: ['template', 'handler', 'kind', 'created_by', 'outcome'],
  weft_steps_total: ['template', 'handler', 'kind', 'created_by', 'outcome'],
  weft_tasks_total: ['template', 'outcome', 'phases'],
  weft_task_duration_seconds: ['template', 'outcome'],
  weft_planning_attempts_total: ['template', 'planning_step', 'result'],
  weft_validation_diagnostics_total: ['template', 'code'],
  weft_planning_failures_total: ['template', 'planning_step', 'type'],
  gen_ai_client_token_usage: ['gen_ai_operation_name', 'gen_ai_provider_name', 'gen_ai_request_model', 'gen_ai_token_type'],
  gen_ai_client_operation_duration_seconds: ['gen_ai_operation_name', 'gen_ai_provider_name', 'gen_ai_request_model'],
  weft_llm_cost_usd_total: ['template', 'model'],
  weft_llm_calls_total: ['template', 'model', 'outcome'],
  weft_budget_utilization_ratio: ['template', 'dimension'],
  weft_budget_exhausted_total: ['template', 'dimension'],
  weft_parked_steps: ['template', 'handler', 'created_by'],
  weft_fragment_steps: ['template', 'planning_step'],
  weft_fragment_depth: ['template', 'planning_step'],
  weft_planned_handler_total: ['template', 'handler'],
} as const;

/** A family name. */
export type MetricFamily = keyof typeof METRIC_FAMILIES;

type Labels<F extends MetricFamily> = (typeof METRIC_FAMILIES)[F][number];

/** The GenAI operation weft's planner performs (OpenTelemetry GenAI conventions). */
export const GEN_AI_OPERATION = 'chat';

/** Splits a planner name such as `anthropic:claude-sonnet-4-6` into provider and model. */
export function providerOf(planner: string | null): { provider: string; model: string } {
  if (!planner) return { provider: 'unknown', model: 'unknown' };
  const i = planner.indexOf(':');
  return i < 0 ? { provider: planner, model: 'unknown' } : { provider: planner.slice(0, i), model: planner.slice(i + 1) };
}

/** The families, in one registry, with methods that take the workflow's telemetry events. */
export class WeftMetrics {
  readonly registry = new Registry();
  private readonly stepDuration = this.histogram('weft_step_duration_seconds', 'Step duration from first start to end (after retries, parking and operator decisions), every kind of step alike.', [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900]);
  private readonly steps = this.counter('weft_steps_total', 'Steps ended, by template, handler, kind, provenance and outcome.');
  private readonly tasks = this.counter('weft_tasks_total', 'Tasks ended, by template, outcome (completed, partial, failed) and planning phases used.');
  private readonly taskDuration = this.histogram('weft_task_duration_seconds', 'Task duration from start to end.', [0.1, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900, 1800, 3600, 14400]);
  private readonly planningAttempts = this.counter('weft_planning_attempts_total', 'Planner attempts by result: accepted (valid fragment), rejected (diagnostics), failed (the planner failed).');
  private readonly planningFailures = this.counter('weft_planning_failures_total', "Planner attempts that failed after the activity's retries, by failure type (TIMEOUT_START_TO_CLOSE, PROVIDER_UNAVAILABLE, ...).");
  private readonly diagnostics = this.counter('weft_validation_diagnostics_total', 'Diagnostics of rejected fragments, by code.');
  private readonly tokenUsage = this.histogram('gen_ai_client_token_usage', 'Tokens per planning call by token type (OpenTelemetry GenAI conventions).', [1, 4, 16, 64, 256, 1024, 4096, 16384, 65536, 262144, 1048576]);
  private readonly operationDuration = this.histogram('gen_ai_client_operation_duration_seconds', 'Planning call duration (OpenTelemetry GenAI conventions).', [0.01, 0.02, 0.04, 0.08, 0.16, 0.32, 0.64, 1.28, 2.56, 5.12, 10.24, 20.48, 40.96, 81.92]);
  private readonly cost = this.counter('weft_llm_cost_usd_total', 'USD charged to task budgets for planning calls, by model (the sum of WeftCostUsd over tasks, less handler estimates).');
  private readonly llmCallCount = this.counter('weft_llm_calls_total', 'Planner provider calls by outcome: success, or the failure type (failed calls count, retried or not).');
  private readonly utilization = this.histogram('weft_budget_utilization_ratio', 'Budget used / limit per dimension at task end.', [0.05, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1]);
  private readonly exhausted = this.counter('weft_budget_exhausted_total', 'Tasks whose budget ran out, by the dimension that ran out.');
  private readonly parked = new Gauge({ name: 'weft_parked_steps', help: 'Steps parked (waiting for an operator) in workflows this worker runs.', labelNames: METRIC_FAMILIES.weft_parked_steps, registers: [this.registry] });
  private readonly fragmentSteps = this.histogram('weft_fragment_steps', 'Steps per accepted fragment.', [1, 2, 3, 5, 8, 13, 21, 34, 55, 100, 200]);
  private readonly fragmentDepth = this.histogram('weft_fragment_depth', 'Longest dependency chain per accepted fragment, in steps.', [1, 2, 3, 4, 5, 6, 8, 10, 15, 20]);
  private readonly plannedHandlers = this.counter('weft_planned_handler_total', 'Planned steps per handler in accepted fragments (which catalog handlers planners choose).');

  private counter<F extends MetricFamily>(name: F, help: string): Counter<Labels<F>> {
    return new Counter({ name, help, labelNames: METRIC_FAMILIES[name], registers: [this.registry] });
  }

  private histogram<F extends MetricFamily>(name: F, help: string, buckets: number[]): Histogram<Labels<F>> {
    return new Histogram({ name, help, labelNames: METRIC_FAMILIES[name], buckets, registers: [this.registry] });
  }

  /** A step ended. */
  stepEnded(e: Pick<StepEndedEvent, 'template' | 'handler' | 'kind' | 'createdBy' | 'outcome' | 'startedAtMs' | 'finishedAtMs'>): void {
    const labels = { template: e.template, handler: e.handler, kind: e.kind, created_by: e.createdBy, outcome: e.outcome };
    this.steps.inc(labels);
    this.stepDuration.observe(labels, Math.max(0, e.finishedAtMs - e.startedAtMs) / 1000);
  }

  /** Parked steps this worker counts, by run and step, so a release it never saw parked is not counted. */
  private readonly parkedNow = new Map<string, { template: string; handler: string; created_by: string }>();

  /**
   * A step parked or was released (`run`: the workflow run, which with the step name keys it).
   * A release this worker did not see park (the workflow moved here from another worker, or this
   * worker restarted) is ignored rather than pushing the gauge below zero.
   */
  stepParked(run: string, e: StepParkedEvent): void {
    const key = `${run}\u0000${e.step}`;
    const labels = { template: e.template, handler: e.handler, created_by: e.createdBy };
    if (e.delta === 1 && !this.parkedNow.has(key)) {
      this.parkedNow.set(key, labels);
      this.parked.inc(labels);
    } else if (e.delta === -1 && this.parkedNow.delete(key)) {
      this.parked.dec(labels);
    }
  }

  /** A run ended here: whatever it still had parked is no longer waiting. */
  private releaseRun(run: string): void {
    for (const [key, labels] of this.parkedNow) {
      if (key.startsWith(`${run}\u0000`)) {
        this.parkedNow.delete(key);
        this.parked.dec(labels);
      }
    }
  }

  /** A planner attempt (validated or failed in the workflow). */
  planningAttempt(e: PlanningAttemptEvent): void {
    this.planningAttempts.inc({ template: e.template, planning_step: e.planningStep, result: e.result });
    if (e.result === 'rejected') for (const code of e.codes) this.diagnostics.inc({ template: e.template, code });
    if (e.result === 'failed') {
      for (const type of e.codes) this.planningFailures.inc({ template: e.template, planning_step: e.planningStep, type });
      return;
    }
    const { provider } = providerOf(e.provider);
    const model = e.model ?? 'unknown';
    const genAi = { gen_ai_operation_name: GEN_AI_OPERATION, gen_ai_provider_name: provider, gen_ai_request_model: model };
    for (const [type, count] of Object.entries(e.tokens)) this.tokenUsage.observe({ ...genAi, gen_ai_token_type: type }, count);
    this.operationDuration.observe(genAi, e.latencyMs / 1000);
    this.cost.inc({ template: e.template, model }, e.costUsd);
  }

  /** LLM use charged outside planner calls (summaries before planning): tokens and cost. */
  llmUsage(e: LlmUsageEvent): void {
    for (const [type, count] of Object.entries(e.tokens)) {
      this.tokenUsage.observe({ gen_ai_operation_name: GEN_AI_OPERATION, gen_ai_provider_name: e.provider, gen_ai_request_model: e.model, gen_ai_token_type: type }, count);
    }
    this.cost.inc({ template: e.template, model: e.model }, e.costUsd);
  }

  /** Provider calls made by one planning activity execution (counted where they happen, retries included). */
  llmCalls(template: string, model: string, outcome: string, calls = 1): void {
    if (calls > 0) this.llmCallCount.inc({ template, model, outcome }, calls);
  }

  /** A fragment was accepted. */
  fragmentAccepted(e: FragmentAcceptedEvent): void {
    const labels = { template: e.template, planning_step: e.planningStep };
    this.fragmentSteps.observe(labels, e.steps);
    this.fragmentDepth.observe(labels, e.depth);
    for (const handler of e.handlers) this.plannedHandlers.inc({ template: e.template, handler });
  }

  /** A task ended (`run`: its workflow run). */
  taskEnded(e: TaskEndedEvent, run?: string): void {
    if (run !== undefined) this.releaseRun(run);
    this.tasks.inc({ template: e.template, outcome: e.outcome, phases: String(e.phases) });
    this.taskDuration.observe({ template: e.template, outcome: e.outcome }, Math.max(0, e.finishedAtMs - e.startedAtMs) / 1000);
    for (const [dimension, ratio] of Object.entries(e.utilization) as [UtilizationDimension, number][]) {
      this.utilization.observe({ template: e.template, dimension }, ratio);
    }
    if (e.exhausted) this.exhausted.inc({ template: e.template, dimension: e.exhausted });
  }

  /**
   * Creates the zero series a worker can know in advance from the plans it serves (task outcomes
   * by phase count, budget dimensions, planner results, frame steps completing), so that rates
   * and ratios see a series' first increment instead of a series born at 1. Label values still
   * come only from the plans: nothing unbounded.
   */
  initialize(plans: readonly CompiledPlan[]): void {
    for (const plan of plans) {
      const template = plan.name;
      for (const outcome of ['completed', 'partial', 'failed'] as const) {
        this.taskDuration.zero({ template, outcome });
        for (let phases = 0; phases <= plan.budget.maxPlanningPhases; phases++) this.tasks.inc({ template, outcome, phases: String(phases) }, 0);
      }
      for (const dimension of ['steps', 'phases', 'llm_calls', 'cost', 'wall_time'] as const) {
        this.exhausted.inc({ template, dimension }, 0);
        this.utilization.zero({ template, dimension });
      }
      for (const step of plan.steps) {
        if (step.kind === 'planning') {
          for (const result of ['accepted', 'rejected', 'failed'] as const) this.planningAttempts.inc({ template, planning_step: step.name, result }, 0);
          continue;
        }
        const labels = { template, handler: step.handler, kind: step.kind, created_by: 'template', outcome: 'completed' };
        this.steps.inc(labels, 0);
        this.stepDuration.zero(labels);
      }
    }
  }
}
