/**
 * weft's three dashboards — the essay's task-level, planning-specific and handler-catalog
 * dashboards, every panel it lists — on the metric families of `../metrics.ts`. Static and
 * planned steps are the same series; provenance is a label (`created_by`), never a separate
 * metric. `npm run dashboards` writes them to `observability/dashboards/`.
 */
import { panel, q, renderDashboard, timeseries, type DashboardSpec } from './model.js';

const T = 'template=~"$template"';
const R = '$__rate_interval';

/** Task-level dashboard. */
export const tasksDashboard: DashboardSpec = {
  uid: 'weft-tasks',
  title: 'weft — Tasks',
  description: 'Tasks of every template: completion by planning phases, steps per task (static vs planned), budget use, planning success, parked steps.',
  customVariables: { dimension: ['steps', 'phases', 'llm_calls', 'cost', 'wall_time'] },
  panels: [
    timeseries('Task completion rate by planning phases', 'Tasks ended per second by outcome (completed, partial, failed) and the number of planning phases they used.', [
      q(`sum by (outcome, phases) (rate(weft_tasks_total{${T}}[${R}]))`, '{{outcome}}, {{phases}} phase(s)'),
    ], { unit: 'ops', stack: true }),
    timeseries('Steps per task: static vs planned', 'Average steps per ended task by provenance: template (static), planning_step (planned), batch_spawn (fan-out children).', [
      q(`sum by (created_by) (rate(weft_steps_total{${T}}[${R}])) / scalar(sum(rate(weft_tasks_total{${T}}[${R}])))`, '{{created_by}}'),
    ], { stack: true }),
    panel('heatmap', 'Budget utilization at task end', 'Distribution of used / limit at task end, for the selected budget dimensions (histogram weft_budget_utilization_ratio).', [
      q(`sum by (le) (increase(weft_budget_utilization_ratio_bucket{${T}, dimension=~"$dimension"}[${R}]))`, '{{le}}', { format: 'heatmap' }),
    ], { unit: 'percentunit' }),
    timeseries('Planning success rate', 'Fragments validated / fragments generated (planner attempts accepted over all planner attempts).', [
      q(`sum(rate(weft_planning_attempts_total{${T}, result="accepted"}[${R}])) / sum(rate(weft_planning_attempts_total{${T}}[${R}]))`, 'accepted / generated'),
    ], { unit: 'percentunit' }),
    timeseries('Budget exhausted by dimension', 'Tasks whose budget ran out, by the dimension that ran out (they converge with partial results).', [
      q(`sum by (dimension) (increase(weft_budget_exhausted_total{${T}}[${R}]))`, '{{dimension}}'),
    ], { stack: true }),
    timeseries('Parked steps', 'Steps waiting for an operator (the dead-letter queue), by template, handler and provenance.', [
      q(`sum by (template, handler, created_by) (weft_parked_steps{${T}})`, '{{template}} {{handler}} ({{created_by}})'),
    ]),
    timeseries('Task duration (p50, p95)', 'Task duration from start to end.', [
      q(`histogram_quantile(0.5, sum by (le) (rate(weft_task_duration_seconds_bucket{${T}}[${R}])))`, 'p50'),
      q(`histogram_quantile(0.95, sum by (le) (rate(weft_task_duration_seconds_bucket{${T}}[${R}])))`, 'p95'),
    ], { unit: 's' }),
    timeseries('Average budget utilization by dimension', 'Mean used / limit at task end per dimension; the alert WeftBudgetConsumptionAnomaly watches its 30-minute mean.', [
      q(`sum by (dimension) (rate(weft_budget_utilization_ratio_sum{${T}}[${R}])) / sum by (dimension) (rate(weft_budget_utilization_ratio_count{${T}}[${R}]))`, '{{dimension}}'),
    ], { unit: 'percentunit' }),
  ],
};

/** Planning-specific dashboard. */
export const planningDashboard: DashboardSpec = {
  uid: 'weft-planning',
  title: 'weft — Planning',
  description: 'The planner: LLM call volume, latency, tokens and cost; handlers chosen; validation failures by reason; planning depth.',
  panels: [
    timeseries('LLM call volume by outcome', 'Provider calls per second by model and outcome (success, or the failure type: failed calls count too).', [
      q(`sum by (model, outcome) (rate(weft_llm_calls_total{${T}}[${R}]))`, '{{model}} {{outcome}}'),
    ], { unit: 'reqps', stack: true }),
    timeseries('LLM call latency (p50, p95)', 'Planning call duration (gen_ai_client_operation_duration_seconds).', [
      q(`histogram_quantile(0.5, sum by (le, gen_ai_request_model) (rate(gen_ai_client_operation_duration_seconds_bucket[${R}])))`, 'p50 {{gen_ai_request_model}}'),
      q(`histogram_quantile(0.95, sum by (le, gen_ai_request_model) (rate(gen_ai_client_operation_duration_seconds_bucket[${R}])))`, 'p95 {{gen_ai_request_model}}'),
    ], { unit: 's' }),
    timeseries('Token usage', 'Tokens per second by type and model (gen_ai_client_token_usage).', [
      q(`sum by (gen_ai_token_type, gen_ai_request_model) (rate(gen_ai_client_token_usage_sum[${R}]))`, '{{gen_ai_token_type}} {{gen_ai_request_model}}'),
    ], { stack: true }),
    panel('bargauge', 'Most used handlers in planned fragments', 'Planned steps per catalog handler in accepted fragments, over the dashboard range.', [
      q(`topk(10, sum by (handler) (increase(weft_planned_handler_total{${T}}[$__range])))`, '{{handler}}', { instant: true }),
    ]),
    timeseries('Fragment validation failure rate by rejection reason', 'Diagnostics per planner attempt, by diagnostic code (a rejected fragment can have several).', [
      q(`sum by (code) (rate(weft_validation_diagnostics_total{${T}}[${R}])) / scalar(sum(rate(weft_planning_attempts_total{${T}}[${R}])))`, '{{code}}'),
    ], { unit: 'percentunit', stack: true }),
    timeseries('Planner attempts by result', 'Planner attempts per second: accepted, rejected (diagnostics fed back), failed (the planner failed after its retries).', [
      q(`sum by (result) (rate(weft_planning_attempts_total{${T}}[${R}]))`, '{{result}}'),
    ], { unit: 'ops', stack: true }),
    timeseries('Cost per planning phase', 'USD of planning calls per accepted fragment (one per phase), averaged across tasks.', [
      q(`sum(rate(weft_llm_cost_usd_total{${T}}[${R}])) / sum(rate(weft_fragment_steps_count{${T}}[${R}]))`, 'USD per phase'),
    ], { unit: 'currencyUSD' }),
    panel('barchart', 'Planning depth distribution', 'How many planning phases tasks actually use: ended tasks by phases, over the dashboard range.', [
      q(`sum by (phases) (increase(weft_tasks_total{${T}}[$__range]))`, '{{phases}} phase(s)', { instant: true, format: 'table' }),
    ]),
    timeseries('Fragment size', 'Steps and depth (longest dependency chain) of accepted fragments, median and p95.', [
      q(`histogram_quantile(0.5, sum by (le) (rate(weft_fragment_steps_bucket{${T}}[${R}])))`, 'steps p50'),
      q(`histogram_quantile(0.95, sum by (le) (rate(weft_fragment_steps_bucket{${T}}[${R}])))`, 'steps p95'),
      q(`histogram_quantile(0.5, sum by (le) (rate(weft_fragment_depth_bucket{${T}}[${R}])))`, 'depth p50'),
    ]),
    timeseries('Planning failures by type', "Planner attempts that failed after the activity's retries, by failure type (timeouts, provider errors).", [
      q(`sum by (type) (increase(weft_planning_failures_total{${T}}[${R}]))`, '{{type}}'),
    ], { stack: true }),
    panel('stat', 'LLM cost', 'USD charged to task budgets for planning calls over the dashboard range, by model.', [
      q(`sum by (model) (increase(weft_llm_cost_usd_total{${T}}[$__range]))`, '{{model}}', { instant: true }),
    ], { unit: 'currencyUSD', width: 24, height: 4 }),
  ],
};

/** Handler catalog dashboard. */
export const handlersDashboard: DashboardSpec = {
  uid: 'weft-handlers',
  title: 'weft — Handler catalog',
  description: 'Catalog handlers, static and planned steps alike: usage, success rate, latency, and how they are used (kind and provenance).',
  panels: [
    panel('piechart', 'Handler usage distribution', 'Steps per handler over the dashboard range (static, planned and spawned steps alike).', [
      q(`sum by (handler) (increase(weft_steps_total{${T}, handler!="planner"}[$__range]))`, '{{handler}}', { instant: true }),
    ]),
    timeseries('Handler success rate', 'Completed / ended steps per handler.', [
      q(`sum by (handler) (rate(weft_steps_total{${T}, handler!="planner", outcome="completed"}[${R}])) / sum by (handler) (rate(weft_steps_total{${T}, handler!="planner"}[${R}]))`, '{{handler}}'),
    ], { unit: 'percentunit' }),
    timeseries('Latency by handler', 'p95 step duration per handler (first start to end, retries included).', [
      q(`histogram_quantile(0.95, sum by (le, handler) (rate(weft_step_duration_seconds_bucket{${T}, handler!="planner"}[${R}])))`, '{{handler}}'),
    ], { unit: 's' }),
    panel('table', 'Configuration patterns: handler by kind and provenance', 'How each handler is used: by step kind (static, planned, convergence, …) and provenance (template, planning_step, batch_spawn). Configuration values are not metric labels (unbounded); see them in step spans and `weft inspect --layer 3`.', [
      q(`sum by (handler, kind, created_by) (increase(weft_steps_total{${T}}[$__range]))`, '', { instant: true, format: 'table' }),
    ], { width: 24 }),
    timeseries('Failures by handler and outcome', 'Steps that did not complete, per handler and outcome (failed, skipped, cancelled).', [
      q(`sum by (handler, outcome) (increase(weft_steps_total{${T}, outcome!="completed"}[${R}]))`, '{{handler}} {{outcome}}'),
    ], { stack: true }),
    timeseries('Step duration by provenance', 'Median step duration of static vs planned steps: the same handlers, the same telemetry.', [
      q(`histogram_quantile(0.5, sum by (le, created_by) (rate(weft_step_duration_seconds_bucket{${T}}[${R}])))`, '{{created_by}}'),
    ], { unit: 's' }),
  ],
};

/** Every dashboard, with its file name under `observability/dashboards/`. */
export const DASHBOARDS: readonly { readonly file: string; readonly spec: DashboardSpec }[] = [
  { file: 'weft-tasks.json', spec: tasksDashboard },
  { file: 'weft-planning.json', spec: planningDashboard },
  { file: 'weft-handlers.json', spec: handlersDashboard },
];

/** The file contents: formatted JSON with a trailing newline. */
export function dashboardFile(spec: DashboardSpec): string {
  return `${JSON.stringify(renderDashboard(spec), null, 2)}\n`;
}
