/**
 * Telemetry building blocks without Temporal: configuration from the environment (off when
 * unset, bad values named), the metric families as exposition text, the endpoint, and spans built
 * from workflow events with stable IDs and one shape for every kind of step.
 */
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { context, trace } from '@opentelemetry/api';
import { describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/main.js';
import { ConfigError } from '../../src/config.js';
import type { StepEndedEvent } from '../../src/core/telemetry.js';
import { StableIdGenerator, stableId } from '../../src/telemetry/ids.js';
import { WeftMetrics } from '../../src/telemetry/metrics.js';
import { parseMetricsAddress, startMetricsServer } from '../../src/telemetry/metrics-server.js';
import { TaskSpans } from '../../src/telemetry/task-spans.js';
import { traceMemo, traceParentFromMemo } from '../../src/telemetry/trace-context.js';
import { tracingConfigured } from '../../src/telemetry/tracing.js';

const step = (over: Partial<StepEndedEvent>): StepEndedEvent => ({
  template: 'order-triage',
  step: 'load_orders',
  handler: 'load_orders',
  kind: 'static',
  createdBy: 'template',
  planningStep: null,
  fragmentId: null,
  planningPhase: null,
  outcome: 'completed',
  startedAtMs: 1_000,
  finishedAtMs: 1_250,
  executions: 1,
  errorType: null,
  errorMessage: null,
  reasoning: null,
  ...over,
});

describe('configuration', () => {
  it('parses WEFT_METRICS_ADDRESS and names it when bad', () => {
    expect(parseMetricsAddress('127.0.0.1:9464')).toEqual({ host: '127.0.0.1', port: 9464 });
    expect(parseMetricsAddress('[::1]:0')).toEqual({ host: '::1', port: 0 });
    for (const bad of ['9464', 'localhost:', 'host:99999', 'http://127.0.0.1:9464']) {
      expect(() => parseMetricsAddress(bad)).toThrow(ConfigError);
      expect(() => parseMetricsAddress(bad)).toThrow(/WEFT_METRICS_ADDRESS='.*' is not host:port/);
    }
  });

  it('turns tracing on only with an exporter or endpoint, and names bad values', () => {
    expect(tracingConfigured({})).toBe(false);
    expect(tracingConfigured({ OTEL_SERVICE_NAME: 'x' })).toBe(false);
    expect(tracingConfigured({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:4318' })).toBe(true);
    expect(tracingConfigured({ OTEL_TRACES_EXPORTER: 'otlp' })).toBe(true);
    expect(tracingConfigured({ OTEL_TRACES_EXPORTER: 'none', OTEL_EXPORTER_OTLP_ENDPOINT: 'http://x' })).toBe(false);
    expect(tracingConfigured({ OTEL_SDK_DISABLED: 'true', OTEL_EXPORTER_OTLP_ENDPOINT: 'http://x' })).toBe(false);
    expect(() => tracingConfigured({ OTEL_EXPORTER_OTLP_PROTOCOL: 'http/xml' })).toThrow(/OTEL_EXPORTER_OTLP_PROTOCOL='http\/xml'/);
    expect(() => tracingConfigured({ OTEL_TRACES_EXPORTER: 'otlp,carrier-pigeon' })).toThrow(/OTEL_TRACES_EXPORTER=.*carrier-pigeon/);
    expect(() => tracingConfigured({ WEFT_OTEL_CAPTURE_CONTENT: 'yes' })).toThrow(/WEFT_OTEL_CAPTURE_CONTENT/);
  });

  it('weft worker fails at start naming a bad WEFT_METRICS_ADDRESS', async () => {
    const err: string[] = [];
    const code = await runCli(['worker'], { env: { WEFT_METRICS_ADDRESS: 'nine-four-six-four' }, cwd: process.cwd(), out: () => undefined, err: (t) => err.push(t), connect: () => Promise.reject(new Error('not used')) });
    expect(code).toBe(2);
    expect(err.join('\n')).toMatch(/WEFT_METRICS_ADDRESS='nine-four-six-four' is not host:port/);
  });
});

describe('WeftMetrics', () => {
  it('exposes the families with their labels, fractional USD included', async () => {
    const m = new WeftMetrics();
    m.stepEnded(step({}));
    m.stepEnded(step({ step: 'flatten', handler: 'transform', kind: 'planned', createdBy: 'planning_step', planningStep: 'plan', fragmentId: 'plan:p1:abc', planningPhase: 1 }));
    m.planningAttempt({ template: 'order-triage', planningStep: 'plan', phase: 1, attempt: 1, result: 'rejected', codes: ['HANDLER_UNKNOWN', 'HANDLER_UNKNOWN'], provider: 'anthropic:claude-sonnet-4-6', model: 'claude-sonnet-4-6', tokens: { input: 9000, output: 300 }, costUsd: 0.0315, latencyMs: 1200, startedAtMs: 0, finishedAtMs: 1300 });
    m.llmCalls('order-triage', 'claude-sonnet-4-6', 'PROVIDER_UNAVAILABLE');
    m.llmUsage({ template: 'order-triage', provider: 'anthropic', model: 'claude-sonnet-4-6', tokens: { input: 100, output: 10 }, costUsd: 0.0005 });
    const text = await m.registry.metrics();
    expect(text).toContain('weft_steps_total{template="order-triage",handler="load_orders",kind="static",created_by="template",outcome="completed"} 1');
    expect(text).toContain('weft_steps_total{template="order-triage",handler="transform",kind="planned",created_by="planning_step",outcome="completed"} 1');
    expect(text).toContain('weft_step_duration_seconds_sum{template="order-triage",handler="load_orders",kind="static",created_by="template",outcome="completed"} 0.25');
    expect(text).toContain('weft_validation_diagnostics_total{template="order-triage",code="HANDLER_UNKNOWN"} 2');
    expect(text).toContain('weft_llm_cost_usd_total{template="order-triage",model="claude-sonnet-4-6"} 0.032');
    expect(text).toContain('gen_ai_client_token_usage_sum{gen_ai_operation_name="chat",gen_ai_provider_name="anthropic",gen_ai_request_model="claude-sonnet-4-6",gen_ai_token_type="input"} 9100');
    expect(text).toContain('weft_llm_calls_total{template="order-triage",model="claude-sonnet-4-6",outcome="PROVIDER_UNAVAILABLE"} 1');
    expect(text).not.toMatch(/flatten|plan:p1/); // no step names or fragment IDs in labels
  });

  it('counts parked steps per run and step: never below zero, released when the run ends here', async () => {
    const m = new WeftMetrics();
    const park = (run: string, step: string, delta: 1 | -1) => m.stepParked(run, { template: 't', step, handler: 'planner', createdBy: 'template', delta });
    const gauge = async () => Number(/weft_parked_steps\{template="t",handler="planner",created_by="template"\} (\S+)/.exec(await m.registry.metrics())?.[1]);
    park('r1', 'plan', 1);
    park('r1', 'plan', 1); // the same parking seen twice
    park('r2', 'plan', 1);
    expect(await gauge()).toBe(2);
    park('r3', 'plan', -1); // released here, parked on another worker
    expect(await gauge()).toBe(2);
    park('r1', 'plan', -1);
    expect(await gauge()).toBe(1);
    m.taskEnded({ template: 't', outcome: 'failed', phases: 0, startedAtMs: 0, finishedAtMs: 1, utilization: { steps: 0, phases: 0, llm_calls: 0, cost: 0, wall_time: 0 }, exhausted: null, costUsd: 0, steps: 1 }, 'r2');
    expect(await gauge()).toBe(0);
  });

  it('serves them at /metrics, with more text appended, and 404 elsewhere', async () => {
    const m = new WeftMetrics();
    m.taskEnded({ template: 't', outcome: 'completed', phases: 1, startedAtMs: 0, finishedAtMs: 2000, utilization: { steps: 0.5, phases: 0.5, llm_calls: 0.25, cost: 0.1, wall_time: 0.01 }, exhausted: null, costUsd: 0.1, steps: 4 });
    const server = await startMetricsServer({ host: '127.0.0.1', port: 0 }, m, () => Promise.resolve('temporal_worker_start 1\n'));
    try {
      const text = await (await fetch(server.url)).text();
      expect(text).toContain('weft_tasks_total{template="t",outcome="completed",phases="1"} 1');
      expect(text).toContain('weft_budget_utilization_ratio_count{template="t",dimension="cost"} 1');
      expect(text.trimEnd().endsWith('temporal_worker_start 1')).toBe(true);
      expect((await fetch(server.url.replace('/metrics', '/'))).status).toBe(404);
      await expect(startMetricsServer({ host: '127.0.0.1', port: server.port }, m)).rejects.toThrow(/WEFT_METRICS_ADDRESS=127\.0\.0\.1:\d+: cannot listen \(EADDRINUSE\)/);
    } finally {
      await server.close();
    }
  });
});

describe('spans from workflow events', () => {
  function tracer() {
    const exporter = new InMemorySpanExporter();
    const ids = new StableIdGenerator();
    const provider = new BasicTracerProvider({ idGenerator: ids, spanProcessors: [new SimpleSpanProcessor(exporter)] });
    return { exporter, spans: new TaskSpans(provider.getTracer('test'), ids), provider };
  }

  it('give static and planned steps one shape under the task span, with IDs derived from run and step', () => {
    const { exporter, spans } = tracer();
    const info = { workflowId: 'wf', runId: 'run-1' };
    spans.stepEnded(info, step({}));
    spans.stepEnded(info, step({ step: 'flatten', handler: 'transform', kind: 'planned', createdBy: 'planning_step', planningStep: 'plan', fragmentId: 'plan:p1:abc', planningPhase: 1 }));
    spans.taskEnded(info, { template: 'order-triage', outcome: 'completed', phases: 1, startedAtMs: 0, finishedAtMs: 5000, utilization: { steps: 0, phases: 0, llm_calls: 0, cost: 0, wall_time: 0 }, exhausted: null, costUsd: 0, steps: 2 });
    const [a, b, task] = exporter.getFinishedSpans();
    expect(Object.keys(a!.attributes).sort()).toEqual(Object.keys(b!.attributes).sort());
    expect(a!.name).toBe(b!.name);
    expect(task!.spanContext().spanId).toBe(stableId(8, 'run-1', 'task'));
    expect(task!.spanContext().traceId).toBe(stableId(16, 'run-1'));
    expect(a!.spanContext().spanId).toBe(stableId(8, 'run-1', 'step', 'load_orders'));
    expect(a!.parentSpanId).toBe(task!.spanContext().spanId);
    expect(a!.spanContext().traceId).toBe(task!.spanContext().traceId);
    expect(a!.duration).toEqual([0, 250_000_000]);
  });

  it("put a slice's steps and a continued run's under the task's one span", () => {
    const { exporter, spans } = tracer();
    // the task's first run was run-1; a later run continued it as new; a slice ran some steps
    spans.stepEnded({ workflowId: 'wf', runId: 'run-1', firstExecutionRunId: 'run-1' }, step({ step: 'first' }));
    spans.stepEnded({ workflowId: 'wf', runId: 'run-3', firstExecutionRunId: 'run-1' }, step({ step: 'later' }));
    spans.stepEnded({ workflowId: 'wf/plan#0', runId: 'slice-run', firstExecutionRunId: 'slice-run', memo: { weft_slice: { task: 'wf', taskRun: 'run-1', step: 'plan', index: 0 } } }, step({ step: 'sliced' }));
    spans.taskEnded({ workflowId: 'wf', runId: 'run-3', firstExecutionRunId: 'run-1' }, { template: 't', outcome: 'completed', phases: 2, startedAtMs: 0, finishedAtMs: 5000, utilization: { steps: 0, phases: 0, llm_calls: 0, cost: 0, wall_time: 0 }, exhausted: null, costUsd: 0, steps: 3 });
    const finished = exporter.getFinishedSpans();
    const task = finished.find((s) => s.name === 'weft.task')!;
    expect(task.spanContext().spanId).toBe(stableId(8, 'run-1', 'task'));
    expect(task.attributes['weft.task.run_id']).toBe('run-3');
    const steps = finished.filter((s) => s.name !== 'weft.task');
    expect(steps.map((s) => s.parentSpanId)).toEqual([task.spanContext().spanId, task.spanContext().spanId, task.spanContext().spanId]);
    expect(new Set(steps.map((s) => s.spanContext().traceId))).toEqual(new Set([stableId(16, 'run-1')]));
    expect(steps.map((s) => s.attributes['weft.task.id'])).toEqual(['wf', 'wf', 'wf']);
  });

  it("join the starter's trace through the memo", async () => {
    const { exporter, spans, provider } = tracer();
    const starter = provider.getTracer('test').startSpan('weft run');
    const memo = traceMemo(trace.setSpan(context.active(), starter));
    starter.end();
    expect(traceParentFromMemo(memo)?.spanId).toBe(starter.spanContext().spanId);
    spans.taskEnded({ workflowId: 'wf', runId: 'run-2', memo }, { template: 't', outcome: 'failed', phases: 0, startedAtMs: 0, finishedAtMs: 1, utilization: { steps: 0, phases: 0, llm_calls: 0, cost: 0, wall_time: 0 }, exhausted: null, costUsd: 0, steps: 0 });
    await provider.forceFlush();
    const task = exporter.getFinishedSpans().find((s) => s.name === 'weft.task')!;
    expect(task.parentSpanId).toBe(starter.spanContext().spanId);
    expect(task.spanContext().traceId).toBe(starter.spanContext().traceId);
    expect(traceParentFromMemo({ weft_trace: { traceparent: 'garbage' } })).toBeNull();
    expect(traceMemo()).toEqual({}); // no active span: nothing in the memo
  });
});
