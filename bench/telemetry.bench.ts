/**
 * Telemetry overhead: the orchestration benchmark's workload (weft's generic workflow running a
 * planned DAG of 100 no-op steps in 5 levels, on a dev server) with telemetry off and with
 * everything weft adds on — Prometheus metrics (scraped once a second while it runs) and traces
 * exported over OTLP/HTTP JSON to a loopback receiver — alternating runs on two workers of one
 * process. Reports medians and their ratio (on / off).
 *
 *   npx tsx bench/telemetry.bench.ts [--runs 9]
 *
 * The Temporal SDK's own metrics exporter is off for both (it is the SDK's, and the runtime is
 * process-wide). Starts its own dev server from the cached Temporal CLI (./temporal-dev.sh build first).
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { bundleWorkflowCode, Worker } from '@temporalio/worker';
import { z } from 'zod';
import { createActivities } from '../activities/index.js';
import { bundlerOptions } from '../src/bundler.js';
import type { Fragment } from '../src/core/fragment.js';
import { defineHandler } from '../src/handler.js';
import { scriptedPlanner } from '../src/planner/scripted.js';
import { WeftMetrics } from '../src/telemetry/metrics.js';
import { startMetricsServer } from '../src/telemetry/metrics-server.js';
import { telemetrySinks, type WorkerTelemetry } from '../src/telemetry/sinks.js';
import { TaskSpans } from '../src/telemetry/task-spans.js';
import { startTracing } from '../src/telemetry/tracing.js';
import { compileTemplate } from '../src/template/compile.js';
import { convergenceStep, defineTemplate, planningStep, staticStep } from '../src/template/define.js';
import { startDevServerEnv } from '../test/support/environments.js';
import { startOtlpReceiver } from '../test/support/otlp-receiver.js';
import type { weftTask } from '../workflows/task.js';

const { values } = parseArgs({ options: { runs: { type: 'string', default: '9' } } });
const RUNS = Number(values.runs);
const LEVELS = 5;
const WIDTH = 20;

const noop = defineHandler({
  name: 'noop',
  description: 'Does nothing.',
  category: 'data',
  input: z.object({ step: z.string() }).strict(),
  output: z.object({ ok: z.boolean() }),
  run: () => Promise.resolve({ ok: true }),
});
const collect = defineHandler({
  name: 'bench_collect',
  description: 'Counts planned results.',
  category: 'data',
  input: z.object({ steps: z.array(z.string()) }).strict(),
  output: z.object({ count: z.number() }),
  run: ({ steps }) => Promise.resolve({ count: steps.length }),
});

const steps: Fragment['steps'] = [];
for (let l = 0; l < LEVELS; l++) {
  for (let i = 0; i < WIDTH; i++) {
    steps.push({ name: `n${l}_${i}`, handler: 'noop', reasoning: '', dependencies: l === 0 ? [] : [`n${l - 1}_${i}`, `n${l - 1}_${(i + 1) % WIDTH}`], inputs: { step: `n${l}_${i}` } });
  }
}
const fragment: Fragment = { fragment_version: '1', goal: 'benchmark', reasoning: 'a layered DAG of no-ops', next: 'done', steps };
const template = defineTemplate({
  name: 'bench-dag',
  version: '1',
  input: z.object({}),
  budget: { maxSteps: 200 },
  steps: [
    staticStep('start', { handler: 'noop', inputs: { step: 'start' } }),
    planningStep('plan', { dependencies: ['start'], problem: 'run the DAG', allow: { handlers: ['noop'] }, maxSteps: 100, maxDepth: LEVELS, concurrency: 100, convergence: 'done' }),
    convergenceStep('done', { handler: 'bench_collect', dependencies: ['plan'], inputs: { steps: '${steps.plan.output.steps}' } }),
  ],
});

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

async function main(): Promise<void> {
  const [env, receiver] = await Promise.all([startDevServerEnv(), startOtlpReceiver()]);
  const tracing = await startTracing({ OTEL_EXPORTER_OTLP_ENDPOINT: receiver.endpoint, OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json', OTEL_SERVICE_NAME: 'weft-bench' }, 'weft-bench');
  if (!tracing) throw new Error('tracing did not start');
  const metrics = new WeftMetrics();
  const server = await startMetricsServer({ host: '127.0.0.1', port: 0 }, metrics);
  const scraper = setInterval(() => void fetch(server.url).then((r) => r.text()), 1000);
  try {
    const handlers = [noop, collect];
    const plan = compileTemplate(template, handlers);
    metrics.initialize([plan]);
    const workflowBundle = await bundleWorkflowCode({ workflowsPath: new URL('./workflows/index.ts', import.meta.url).pathname, ...bundlerOptions });
    const make = async (taskQueue: string, telemetry: WorkerTelemetry) => {
      const activities = createActivities({
        handlers,
        templates: [plan],
        planner: scriptedPlanner({ plan: [[fragment]] }),
        ...(telemetry.metrics ? { onLlmCalls: (t: string, _p: string, m: string | null, o: string, c: number) => telemetry.metrics!.llmCalls(t, m ?? 'unknown', o, c) } : {}),
      });
      return Worker.create({ connection: env.nativeConnection, taskQueue, workflowBundle, activities, sinks: telemetrySinks(telemetry), maxConcurrentActivityTaskExecutions: 200 });
    };
    const off = await make('bench-telemetry-off', {});
    const on = await make('bench-telemetry-on', { metrics, spans: new TaskSpans(tracing.tracer, tracing.ids) });
    const times = { off: [] as number[], on: [] as number[] };
    const once = async (which: 'off' | 'on', i: number) => {
      const t0 = performance.now();
      const r = await env.client.workflow.execute<typeof weftTask>('weftTask', { taskQueue: `bench-telemetry-${which}`, workflowId: `bench-telemetry-${which}-${i}-${Date.now()}`, args: [{ plan, input: {} }] });
      if (r.steps.planned !== 100) throw new Error('the run did not plan 100 steps');
      return performance.now() - t0;
    };
    await Promise.all([
      off.runUntil(async () => {
        await on.runUntil(async () => {
          await once('off', -1);
          await once('on', -1);
          for (let i = 0; i < RUNS; i++) {
            // alternate, and swap who goes first, so machine noise hits both alike
            if (i % 2 === 0) {
              times.off.push(await once('off', i));
              times.on.push(await once('on', i));
            } else {
              times.on.push(await once('on', i));
              times.off.push(await once('off', i));
            }
          }
        });
      }),
    ]);
    await tracing.shutdown();
    const result = {
      workload: `${LEVELS * WIDTH} planned no-op steps in ${LEVELS} levels, plus a start step, planning and convergence`,
      runs: RUNS,
      off_median_ms: Math.round(median(times.off)),
      on_median_ms: Math.round(median(times.on)),
      ratio: Number((median(times.on) / median(times.off)).toFixed(3)),
      off_ms: times.off.map(Math.round),
      on_ms: times.on.map(Math.round),
      spans_received: receiver.spans.length,
      note: 'on = weft metrics (prom-client, scraped every second) + spans exported over OTLP/HTTP JSON to a loopback receiver in the same process; the Temporal SDK metrics exporter is off for both',
    };
    console.log(JSON.stringify(result, null, 2));
    await mkdir(new URL('./results/', import.meta.url), { recursive: true });
    await writeFile(new URL('./results/telemetry.json', import.meta.url), JSON.stringify(result, null, 2) + '\n');
  } finally {
    clearInterval(scraper);
    await server.close();
    await receiver.close();
    await env.teardown();
  }
}

await main();
