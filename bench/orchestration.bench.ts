/**
 * Orchestration overhead: weft's generic workflow running a planned DAG of no-op activities
 * (100 steps in 5 levels) against a hand-written static workflow running the same DAG, on the
 * same worker and dev server, alternating runs in one process. Both run the same frame (a start
 * activity before the DAG, a final one after); weft adds its planning activity. Reports medians,
 * their ratio, and the baseline's time per sequential level (one activity round trip).
 *
 *   npx tsx bench/orchestration.bench.ts [--runs 7]
 *
 * Starts its own dev server from the cached Temporal CLI (./temporal-dev.sh build first).
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { bundleWorkflowCode, Worker } from '@temporalio/worker';
import { z } from 'zod';
import { createActivities } from '../activities/index.js';
import type { Fragment } from '../src/core/fragment.js';
import { defineHandler } from '../src/handler.js';
import { scriptedPlanner } from '../src/planner/scripted.js';
import { compileTemplate } from '../src/template/compile.js';
import { convergenceStep, defineTemplate, planningStep, staticStep } from '../src/template/define.js';
import { startDevServerEnv } from '../test/support/environments.js';
import type { weftTask } from '../workflows/task.js';
import type { staticDag } from './workflows/static-dag.js';
import { bundlerOptions } from '../src/bundler.js';

const { values } = parseArgs({ options: { runs: { type: 'string', default: '7' } } });
const RUNS = Number(values.runs);
const LEVELS = 5;
const WIDTH = 20;

const noopHandler = defineHandler({
  name: 'noop',
  description: 'Does nothing.',
  category: 'data',
  input: z.object({ step: z.string() }).strict(),
  output: z.object({ ok: z.boolean() }),
  run: () => Promise.resolve({ ok: true }),
});
const collectHandler = defineHandler({
  name: 'bench_collect',
  description: 'Counts planned results.',
  category: 'data',
  input: z.object({ steps: z.array(z.string()) }).strict(),
  output: z.object({ count: z.number() }),
  run: ({ steps }) => Promise.resolve({ count: steps.length }),
});

/** 100 nodes in 5 levels of 20; each node depends on two nodes of the previous level. */
function dagNodes(): { name: string; dependencies: string[] }[] {
  const nodes: { name: string; dependencies: string[] }[] = [];
  for (let l = 0; l < LEVELS; l++) {
    for (let i = 0; i < WIDTH; i++) {
      const deps = l === 0 ? [] : [`n${l - 1}_${i}`, `n${l - 1}_${(i + 1) % WIDTH}`];
      nodes.push({ name: `n${l}_${i}`, dependencies: deps });
    }
  }
  return nodes;
}

const fragment: Fragment = {
  fragment_version: '1',
  goal: 'benchmark',
  reasoning: 'a layered DAG of no-ops',
  next: 'done',
  steps: dagNodes().map((n) => ({ name: n.name, handler: 'noop', reasoning: '', dependencies: n.dependencies, inputs: { step: n.name } })),
};

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
  const env = await startDevServerEnv();
  try {
    const handlers = [noopHandler, collectHandler];
    const plan = compileTemplate(template, handlers);
    const activities = { ...createActivities({ handlers, templates: [plan], planner: scriptedPlanner({ plan: [[fragment]] }) }), noop: () => Promise.resolve({ ok: true }) };
    const workflowBundle = await bundleWorkflowCode({ workflowsPath: new URL('./workflows/index.ts', import.meta.url).pathname, ...bundlerOptions });
    const taskQueue = 'bench-orchestration';
    const worker = await Worker.create({ connection: env.nativeConnection, taskQueue, workflowBundle, activities, maxConcurrentActivityTaskExecutions: 200 });
    const weft: number[] = [];
    const hand: number[] = [];
    await worker.runUntil(async () => {
      const nodes = dagNodes();
      const once = async (kind: 'weft' | 'static', i: number): Promise<number> => {
        const t0 = performance.now();
        if (kind === 'weft') {
          const r = await env.client.workflow.execute<typeof weftTask>('weftTask', { taskQueue, workflowId: `bench-weft-${i}-${Date.now()}`, args: [{ plan, input: {} }] });
          if (r.steps.planned !== 100) throw new Error('weft run did not plan 100 steps');
        } else {
          const n = await env.client.workflow.execute<typeof staticDag>('staticDag', { taskQueue, workflowId: `bench-static-${i}-${Date.now()}`, args: [nodes] });
          if (n !== 100) throw new Error('static run did not run 100 steps');
        }
        return performance.now() - t0;
      };
      await once('weft', -1); // warm-up: JIT, worker caches
      await once('static', -1);
      for (let i = 0; i < RUNS; i++) {
        // alternate, so machine noise hits both alike
        weft.push(await once('weft', i));
        hand.push(await once('static', i));
      }
    });
    const result = {
      dag: `${LEVELS * WIDTH} no-op steps in ${LEVELS} levels`,
      runs: RUNS,
      weft_median_ms: Math.round(median(weft)),
      static_median_ms: Math.round(median(hand)),
      ratio: Number((median(weft) / median(hand)).toFixed(3)),
      weft_ms: weft.map(Math.round),
      static_ms: hand.map(Math.round),
      static_level_ms: Math.round(median(hand) / (LEVELS + 2)),
      note: 'both run a start activity, the 100-step DAG and a final activity; weft also runs its planning activity (one more sequential round trip) and validates the fragment',
    };
    console.log(JSON.stringify(result, null, 2));
    await mkdir(new URL('./results/', import.meta.url), { recursive: true });
    await writeFile(new URL('./results/orchestration.json', import.meta.url), JSON.stringify(result, null, 2) + '\n');
  } finally {
    await env.teardown();
  }
}

await main();
