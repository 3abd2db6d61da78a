/**
 * Observability end to end, with real processes: a dev server; `weft worker` as a child process
 * with its Prometheus endpoint (WEFT_METRICS_ADDRESS) and traces exported over OTLP/HTTP JSON to a
 * loopback receiver; the Claude planner (the real SDK) against the loopback Messages API; a real
 * Prometheus scraping the worker and loading the alert rules. Three tasks: one started by
 * `weft run` (traced from the CLI) whose first fragment is rejected; one whose planning fails and
 * parks until `weft dlq fail`; one started by a service that exhausts its cost budget.
 * Then: every metric family with its contract labels, the SDK's metrics beside them, cost in
 * Prometheus equal to WeftCostUsd, one trace per task with identical step spans for static and
 * planned steps, every dashboard query answering from Prometheus, the rules loaded and healthy.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { orderTriageFragment } from '../../examples/order-triage/plan.js';
import { WeftClient } from '../../src/client.js';
import { loadConfig } from '../../src/config.js';
import type { StepRecord } from '../../src/core/steps.js';
import { DASHBOARDS } from '../../src/telemetry/dashboards/weft.js';
import type { TaskResult } from '../../workflows/definitions.js';
import { startAnthropicServer, type AnthropicTestServer } from '../support/anthropic-server.js';
import { startDevServerEnv } from '../support/environments.js';
import { startOtlpReceiver, type OtlpReceiver, type ReceivedSpan } from '../support/otlp-receiver.js';
import { REPO_ROOT } from '../support/paths.js';
import { startPrometheus, type RunningPrometheus } from '../support/prometheus.js';
import { concreteQuery, promqlErrors } from '../support/promql.js';
import { runWeft } from '../support/cli.js';

const RULES = join(REPO_ROOT, 'observability/alerts/weft.rules.yml');
/** The metric contract of issue 11, written out here (not imported) so that a changed family or label fails. */
const CONTRACT: Readonly<Record<string, readonly string[]>> = {
  weft_step_duration_seconds: ['template', 'handler', 'kind', 'created_by', 'outcome'],
  weft_steps_total: ['template', 'handler', 'kind', 'created_by', 'outcome'],
  weft_tasks_total: ['template', 'outcome', 'phases'],
  weft_task_duration_seconds: ['template', 'outcome'],
  weft_planning_attempts_total: ['template', 'planning_step', 'result'],
  weft_validation_diagnostics_total: ['template', 'code'],
  weft_planning_failures_total: ['template', 'planning_step', 'type'],
  // gen_ai_operation_name too: OpenTelemetry's GenAI conventions require it on both.
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
};
const HISTOGRAMS = new Set([
  'weft_step_duration_seconds',
  'weft_task_duration_seconds',
  'gen_ai_client_token_usage',
  'gen_ai_client_operation_duration_seconds',
  'weft_budget_utilization_ratio',
  'weft_fragment_steps',
  'weft_fragment_depth',
]);

let env: TestWorkflowEnvironment;
let anthropic: AnthropicTestServer;
let otlp: OtlpReceiver;
let prom: RunningPrometheus;
let worker: ChildProcess;
let workerLog = '';
let baseEnv: Record<string, string>;
let weft: WeftClient;
const dir = mkdtempSync(join(tmpdir(), 'weft-observability-e2e-'));
const taskQueue = `obs-e2e-${randomUUID().slice(0, 8)}`;
const ids = { cli: `obs-cli-${randomUUID().slice(0, 8)}`, parked: `obs-parked-${randomUUID().slice(0, 8)}`, budget: `obs-budget-${randomUUID().slice(0, 8)}` };
const costs: Record<string, number> = {};
let costAfterFirst = NaN;
const parkedSeen: number[] = [];
let stepsOfCli: StepRecord[] = [];
let budgetResult: TaskResult;
let cliRun: { code: number; stdout: string; stderr: string };
const INPUT = { focus: 'Find malformed orders and totals by status.' };

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const a = srv.address();
      srv.close(() => resolve(typeof a === 'object' && a ? a.port : 0));
    });
  });
}

function weftCli(args: readonly string[], extra: Record<string, string> = {}) {
  return runWeft(args, { ...baseEnv, ...extra }, 90_000);
}

/** Polls until `check` returns a value that is not undefined (or fails after `ms`, saying what it waited for). */
async function until<T>(what: string, check: () => Promise<T | undefined>, ms = 30_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await check();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}\nworker log:\n${workerLog.slice(-3000)}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

async function scalar(expr: string): Promise<number | undefined> {
  const r = await prom.query(expr);
  return r[0] ? Number(r[0].value[1]) : undefined;
}

async function searchCost(workflowId: string): Promise<number> {
  const d = await env.client.workflow.getHandle(workflowId).describe();
  const v = d.searchAttributes['WeftCostUsd'];
  return Array.isArray(v) ? Number(v[0]) : 0;
}

beforeAll(async () => {
  [env, anthropic, otlp] = await Promise.all([startDevServerEnv(), startAnthropicServer(), startOtlpReceiver()]);
  const [metricsPort, promPort] = [await freePort(), await freePort()];
  const { WEFT_UI_URL: _ui, WEFT_REGISTRY: _registry, WEFT_METRICS_ADDRESS: _m, ...inherited } = process.env;
  const otelInherited = Object.keys(inherited).filter((k) => k.startsWith('OTEL_'));
  for (const k of otelInherited) delete inherited[k];
  baseEnv = {
    ...(inherited as Record<string, string>),
    TEMPORAL_ADDRESS: env.address,
    TEMPORAL_NAMESPACE: 'default',
    WEFT_TASK_QUEUE: taskQueue,
    ANTHROPIC_API_KEY: 'test-key',
    ANTHROPIC_BASE_URL: anthropic.baseURL,
    WEFT_MODEL: 'claude-sonnet-4-6',
    WEFT_BLOB_DIR: join(dir, 'blobs'),
    WEFT_REPORT_DIR: join(dir, 'reports'),
    OTEL_EXPORTER_OTLP_ENDPOINT: otlp.endpoint,
    OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
    OTEL_BSP_SCHEDULE_DELAY: '100',
  };
  worker = spawn(process.execPath, ['bin/weft.js', 'worker'], {
    cwd: REPO_ROOT,
    env: { ...baseEnv, WEFT_REGISTRY: 'test/support/observability-registry.ts', WEFT_METRICS_ADDRESS: `127.0.0.1:${metricsPort}`, OTEL_SERVICE_NAME: 'weft-worker-e2e' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  worker.stdout!.on('data', (d: Buffer) => (workerLog += d.toString()));
  worker.stderr!.on('data', (d: Buffer) => (workerLog += d.toString()));
  await until('the worker to run', async () => (workerLog.includes('weft worker: running') ? true : worker.exitCode !== null ? Promise.reject(new Error(`worker exited:\n${workerLog}`)) : undefined), 120_000);
  prom = await startPrometheus({ targets: [`127.0.0.1:${metricsPort}`], ruleFiles: [RULES], port: promPort });
  weft = new WeftClient(env.client, loadConfig(baseEnv), { env: baseEnv });

  // 1. From the CLI, traced: a first answer naming an unknown handler is rejected, the second accepted.
  const hostile = { ...orderTriageFragment, steps: [{ name: 'wipe', handler: 'rm_rf', reasoning: 'x', dependencies: [], inputs: {} }] };
  anthropic.script({ fragment: hostile, usage: { input_tokens: 9000, output_tokens: 300 } }, { fragment: orderTriageFragment, usage: { input_tokens: 11_000, output_tokens: 1200 } });
  // `weft worker` serves compiled plans, so the task input carries `focus` itself (no zod defaults there).
  writeFileSync(join(dir, 'input.json'), JSON.stringify(INPUT));
  cliRun = await weftCli(['run', 'order-triage', '--id', ids.cli, '--input', join(dir, 'input.json')], { OTEL_SERVICE_NAME: 'weft-cli-e2e' });
  costs[ids.cli] = await searchCost(ids.cli);
  stepsOfCli = await weft.steps(ids.cli);
  costAfterFirst = await until('the first task in Prometheus', async () => ((await scalar('sum(weft_tasks_total)')) === 1 ? scalar('sum(weft_llm_cost_usd_total)') : undefined));

  // 2. Planning fails (400, not retried), the planning step parks; an operator fails it.
  anthropic.script({ status: 400 });
  await weftCli(['run', 'order-triage-parking', '--id', ids.parked, '--no-wait', '--input', join(dir, 'input.json')]);
  parkedSeen.push(await until('the parked step in Prometheus', async () => ((await scalar('sum(weft_parked_steps)')) === 1 ? 1 : undefined)));
  const failed = await weftCli(['dlq', 'fail', ids.parked, 'plan_processing', '--reason', 'observability e2e']);
  expect(failed.code, failed.stderr).toBe(0);
  await env.client.workflow.getHandle(ids.parked).result().catch(() => null);
  parkedSeen.push(await until('the released step in Prometheus', async () => ((await scalar('sum(weft_parked_steps)')) === 0 ? 0 : undefined)));
  costs[ids.parked] = await searchCost(ids.parked);

  // 3. From a service: phase 1 costs more than the budget, so phase 2 is not planned.
  anthropic.script({ fragment: { ...orderTriageFragment, next: 'replan' }, usage: { input_tokens: 700_000, output_tokens: 1000 } });
  const handle = await weft.start('order-triage', INPUT, { workflowId: ids.budget });
  budgetResult = await weft.result(handle.workflowId);
  costs[ids.budget] = await searchCost(ids.budget);

  await until('all three tasks in Prometheus', async () => ((await scalar('sum(weft_tasks_total)')) === 3 ? true : undefined));
  await until('the three task spans', () => Promise.resolve(Object.values(ids).every((id) => otlp.spans.some((s) => s.name === 'weft.task' && s.attributes['weft.task.id'] === id)) ? true : undefined));
  await until('the CLI span', () => Promise.resolve(otlp.spans.some((s) => s.name === 'weft run order-triage') ? true : undefined));
}, 300_000);

afterAll(async () => {
  if (worker && worker.exitCode === null) {
    const exited = new Promise((r) => worker.once('exit', r));
    worker.kill('SIGTERM');
    await exited;
  }
  await prom?.close();
  await otlp?.close();
  await anthropic?.close();
  await env?.teardown();
  rmSync(dir, { recursive: true, force: true });
});

describe('the tasks', () => {
  it('ran as scripted: accepted after a rejection, parked then failed by an operator, partial on its cost budget', async () => {
    expect(cliRun.code, cliRun.stderr).toBe(0);
    await expect(env.client.workflow.getHandle(ids.parked).result()).rejects.toThrow();
    expect(budgetResult.partial).toBe(true);
    expect(budgetResult.budget.exhausted?.dimension).toBe('cost_usd');
    expect(anthropic.unexpected).toBe(0);
    expect(anthropic.pending()).toBe(0);
  });
});

describe('metrics, scraped by Prometheus from the worker', () => {
  it('has every family with exactly its contract labels', async () => {
    for (const [family, labels] of Object.entries(CONTRACT)) {
      const name = HISTOGRAMS.has(family) ? `${family}_bucket` : family;
      const series = await prom.series(`${name}{job="weft-worker"}`);
      expect(series.length, `${name}: no series`).toBeGreaterThan(0);
      for (const s of series) {
        const keys = Object.keys(s).filter((k) => !['__name__', 'job', 'instance', 'le'].includes(k)).sort();
        expect(keys, `${name} labels`).toEqual([...labels].sort());
      }
    }
  });

  it("serves the Temporal SDK's own metrics on the same endpoint", async () => {
    const series = await prom.series('{__name__=~"temporal_.+", job="weft-worker"}');
    expect(series.length).toBeGreaterThan(0);
  });

  it('counts LLM cost equal to the tasks\' WeftCostUsd: after the first task, and in total', async () => {
    expect(costs[ids.cli]).toBeGreaterThan(0);
    expect(costAfterFirst).toBeCloseTo(costs[ids.cli]!, 9);
    const total = Object.values(costs).reduce((a, b) => a + b, 0);
    expect(await scalar('sum(weft_llm_cost_usd_total)')).toBeCloseTo(total, 9);
  });

  it('counts steps, attempts, diagnostics, parking, provider failures and budget exhaustion by their labels', async () => {
    expect(await scalar('sum(weft_planning_attempts_total{template="order-triage", planning_step="plan_processing", result="rejected"})')).toBe(1);
    expect(await scalar('sum(weft_planning_attempts_total{template="order-triage", result="accepted"})')).toBe(2);
    expect(await scalar('sum(weft_validation_diagnostics_total{template="order-triage", code="HANDLER_UNKNOWN"})')).toBeGreaterThanOrEqual(1);
    expect(await scalar('sum(weft_llm_calls_total{template="order-triage-parking", outcome="PROVIDER_BAD_REQUEST"})')).toBe(1);
    expect(await scalar('sum(weft_planning_failures_total{template="order-triage-parking", type="PROVIDER_BAD_REQUEST"})')).toBe(1);
    expect(parkedSeen).toEqual([1, 0]);
    expect(await scalar('sum(weft_budget_exhausted_total{template="order-triage", dimension="cost"})')).toBe(1);
    expect(await scalar('sum(weft_tasks_total{template="order-triage-parking", outcome="failed"})')).toBe(1);
    const planned = stepsOfCli.filter((s) => s.provenance.createdBy === 'planning_step').length;
    expect(await scalar(`sum(weft_steps_total{template="order-triage", kind="planned", created_by="planning_step"})`)).toBe(planned * 2);
    expect(await scalar('sum(weft_steps_total{template="order-triage", kind="static", created_by="template", handler="load_orders", outcome="completed"})')).toBe(2);
    expect(await scalar('sum(weft_planned_handler_total{template="order-triage"})')).toBe(planned * 2);
  });
});

describe('traces, received over OTLP', () => {
  const of = (id: string) => otlp.spans.filter((s) => s.attributes['weft.task.id'] === id);

  it('make one trace per task, starting at the CLI span that started it', () => {
    const spans = of(ids.cli);
    const traceIds = new Set(spans.map((s) => s.traceId));
    expect(traceIds.size).toBe(1);
    const cli = otlp.spans.find((s) => s.name === 'weft run order-triage')!;
    expect(cli.resource['service.name']).toBe('weft-cli-e2e');
    expect(cli.traceId).toBe([...traceIds][0]);
    const task = spans.find((s) => s.name === 'weft.task')!;
    expect(task.parentSpanId).toBe(cli.spanId);
    expect(task.resource['service.name']).toBe('weft-worker-e2e');
    const parked = of(ids.parked);
    expect(new Set(parked.map((s) => s.traceId)).size).toBe(1);
    const parkedCli = otlp.spans.find((s) => s.name === 'weft run order-triage-parking')!;
    expect(parked.find((s) => s.name === 'weft.task')!.parentSpanId).toBe(parkedCli.spanId);
    const service = of(ids.budget);
    expect(new Set(service.map((s) => s.traceId)).size).toBe(1);
    expect(service.find((s) => s.name === 'weft.task')!.parentSpanId, 'a task started with no active span is a root').toBe('');
  });

  it('give every step — static, planning, planned — one span of the same name and attributes, under the task span', () => {
    const spans = of(ids.cli);
    const task = spans.find((s) => s.name === 'weft.task')!;
    const steps = spans.filter((s) => s.name === 'weft.step');
    expect(steps.map((s) => s.attributes['weft.step.name']).sort()).toEqual(stepsOfCli.map((s) => s.name).sort());
    const shape = (s: ReceivedSpan) => Object.keys(s.attributes).sort();
    const staticStep = steps.find((s) => s.attributes['weft.step.kind'] === 'static')!;
    const plannedStep = steps.find((s) => s.attributes['weft.step.kind'] === 'planned')!;
    const planning = steps.find((s) => s.attributes['weft.step.kind'] === 'planning')!;
    for (const s of steps) {
      expect(shape(s)).toEqual(shape(staticStep));
      expect(s.parentSpanId).toBe(task.spanId);
    }
    expect(shape(staticStep)).toEqual(expect.arrayContaining(['weft.template', 'weft.step.name', 'weft.step.handler', 'weft.step.kind', 'weft.step.created_by', 'weft.planning.step', 'weft.fragment.id', 'weft.planning.phase', 'weft.step.outcome']));
    expect(staticStep.attributes).toMatchObject({ 'weft.step.created_by': 'template', 'weft.fragment.id': '', 'weft.step.outcome': 'completed' });
    expect(plannedStep.attributes).toMatchObject({ 'weft.step.created_by': 'planning_step', 'weft.planning.step': 'plan_processing', 'weft.planning.phase': 1 });
    expect(String(plannedStep.attributes['weft.fragment.id'])).toMatch(/^plan_processing:p1:/);
    expect(planning.attributes).toMatchObject({ 'weft.step.handler': 'planner', 'weft.step.name': 'plan_processing' });
  });

  it('give each planning call a GenAI span under its planning step, with tokens, cost and the validation result', () => {
    const spans = of(ids.cli);
    const planning = spans.find((s) => s.name === 'weft.step' && s.attributes['weft.step.kind'] === 'planning')!;
    const calls = spans.filter((s) => s.attributes['gen_ai.operation.name'] === 'chat').sort((a, b) => Number(a.attributes['weft.planning.attempt']) - Number(b.attributes['weft.planning.attempt']));
    expect(calls).toHaveLength(2);
    for (const c of calls) {
      expect(c.name).toBe('chat claude-sonnet-4-6');
      expect(c.parentSpanId).toBe(planning.spanId);
      expect(c.attributes).toMatchObject({ 'gen_ai.provider.name': 'anthropic', 'gen_ai.request.model': 'claude-sonnet-4-6', 'gen_ai.response.model': 'claude-sonnet-4-6' });
      expect(Number(c.attributes['weft.llm.cost_usd'])).toBeGreaterThan(0);
    }
    expect(calls[0]!.attributes).toMatchObject({ 'gen_ai.usage.input_tokens': 9000, 'gen_ai.usage.output_tokens': 300, 'weft.validation.result': 'rejected' });
    expect(calls[0]!.attributes['weft.validation.diagnostic_codes']).toContain('HANDLER_UNKNOWN');
    expect(calls[1]!.attributes).toMatchObject({ 'gen_ai.usage.input_tokens': 11_000, 'weft.validation.result': 'accepted', 'weft.validation.diagnostic_codes': [] });
  });

  it('carry no step data by default', () => {
    for (const s of otlp.spans) {
      for (const key of Object.keys(s.attributes)) expect(key).not.toMatch(/error_message|reasoning|prompt|input$|output$/);
    }
    expect(otlp.rejected).toBe(0);
  });
});

describe('dashboards and alert rules against that Prometheus', () => {
  it('every dashboard query parses and returns data', async () => {
    const empty: string[] = [];
    for (const { spec } of DASHBOARDS) {
      for (const p of spec.panels) {
        for (const query of p.queries) {
          const expr = concreteQuery(query.expr.replaceAll('$__rate_interval', '10m'), '1h');
          expect(promqlErrors(expr), expr).toEqual([]);
          const result = await prom.query(expr);
          if (!result.some((r) => Number.isFinite(Number(r.value[1])))) empty.push(`${spec.uid} / ${p.title}: ${expr}`);
        }
      }
    }
    expect(empty, 'panels with no data').toEqual([]);
  });

  it('loads the alert rules, every one evaluated without error', async () => {
    const groups = await until('the rules to be evaluated', async () => {
      const g = await prom.rules();
      return g.flatMap((x) => x.rules).every((r) => r.health === 'ok') && g.length === 2 ? g : undefined;
    }).catch(async (err: Error) => Promise.reject(new Error(`${err.message.split('\n')[0]}: ${JSON.stringify(await prom.rules())}`)));
    const names = groups.flatMap((g) => g.rules.map((r) => r.name));
    expect(names).toEqual(expect.arrayContaining(['WeftPlanningStepTimeout', 'WeftFragmentValidationFailureRate', 'WeftBudgetConsumptionAnomaly', 'WeftCatalogHandlerErrorSpike', 'WeftPlanningDepthAnomaly', 'WeftLlmProviderErrors', 'WeftStepsParked']));
  });
});
