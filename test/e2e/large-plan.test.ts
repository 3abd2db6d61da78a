/**
 * Thousands of steps in one task on a real dev server, read back with the real CLI: a fan-out of
 * 3,000 one-item partitions (six slices) and a planned DAG of 3,000 steps in three phases of
 * 1,000 (two slices each). Every history of each task (its run and every slice) stays under 80%
 * of Temporal's limits, `weft inspect --json` shows every step with its state and provenance, and
 * the last planning request carries the newest available steps within its budget instead of all.
 * The 10,000-step measurements are `bench/ten-thousand-steps.bench.ts`.
 */
import type { Client } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Fragment } from '../../src/core/fragment.js';
import { jsonByteLength } from '../../src/core/json.js';
import type { StepRecord } from '../../src/core/steps.js';
import { scriptedPlanner } from '../../src/planner/scripted.js';
import type { PlanningRequest } from '../../src/planner/types.js';
import { runWeft } from '../support/cli.js';
import { startDevServerEnv } from '../support/environments.js';
import { bundle, fragment, runTask, step, testTemplate, type TaskRunOutcome } from '../support/engine.js';

const CHILDREN = 3_000;
const WIDTH = 100;
const LAYERS_PER_PHASE = 10;
const PHASES = 3;
const LIMITS = { events: 51_200, bytes: 50 * 1024 * 1024 } as const;

let env: TestWorkflowEnvironment;
let workflowBundle: WorkflowBundleWithSourceMap;
let cliEnv: Record<string, string>;
let fan: TaskRunOutcome;
let dag: TaskRunOutcome;
const requests: PlanningRequest[] = [];
const stamp = `${process.pid}-${Date.now()}`;

/** Phase `p` (from 1): ten layers of 100 `add` steps, each reading two steps of the layer before (the first, of the phase before). */
function dagPhase(p: number): Fragment {
  const steps: Fragment['steps'] = [];
  for (let l = (p - 1) * LAYERS_PER_PHASE; l < p * LAYERS_PER_PHASE; l++) {
    for (let i = 0; i < WIDTH; i++) {
      if (l === 0) {
        steps.push(step(`s${l}_${i}`, 'add', { values: [i, 1] }));
        continue;
      }
      const [a, b] = [`s${l - 1}_${i}`, `s${l - 1}_${(i + 1) % WIDTH}`];
      steps.push(step(`s${l}_${i}`, 'add', { values: [`\${steps.${a}.output.value}`, `\${steps.${b}.output.value}`] }, [a, b]));
    }
  }
  return fragment(steps, p === PHASES ? 'done' : 'replan');
}

/** Every history of a task (its runs and its slices, recursively) as Temporal measures it. */
async function histories(client: Client, workflowId: string): Promise<{ workflowId: string; events: number; bytes: number }[]> {
  const out: { workflowId: string; events: number; bytes: number }[] = [];
  const queue = [workflowId];
  while (queue.length > 0) {
    const id = queue.shift()!;
    const handle = client.workflow.getHandle(id);
    const d = await handle.describe();
    out.push({ workflowId: id, events: d.historyLength, bytes: d.historySize ?? NaN });
    for (const e of (await handle.fetchHistory()).events ?? []) {
      const child = e.startChildWorkflowExecutionInitiatedEventAttributes?.workflowId;
      if (child) queue.push(child);
    }
  }
  return out;
}

/** `weft inspect <id> --json` (layer 1), as an operator runs it. */
async function inspect(workflowId: string): Promise<{ steps: StepRecord[]; runs: number; slices: number; overview: string }> {
  const r = await runWeft(['inspect', workflowId, '--json'], cliEnv, 120_000);
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  return JSON.parse(r.stdout) as { steps: StepRecord[]; runs: number; slices: number; overview: string };
}

beforeAll(async () => {
  [env, workflowBundle] = await Promise.all([startDevServerEnv(), bundle()]);
  const { WEFT_UI_URL: _ui, WEFT_TEMPORAL_UI_PORT: _port, WEFT_REGISTRY: _registry, ...inherited } = process.env;
  cliEnv = { ...(inherited as Record<string, string>), TEMPORAL_ADDRESS: env.address, TEMPORAL_NAMESPACE: 'default' };
  fan = await runTask({
    env,
    workflowBundle,
    workflowId: `large-fan-${stamp}`,
    template: testTemplate({}, { maxSteps: CHILDREN + 20 }),
    planner: scriptedPlanner(() =>
      fragment([
        step('make', 'make_rows', { count: CHILDREN }),
        step('fan', 'fan_out', { items: '${steps.make.output.rows}', handler: 'batch_echo', partition_size: 1, concurrency: 100 }, ['make']),
      ]),
    ),
    detailsOf: (steps) => steps.filter((s) => s.name === 'fan'),
  });
  dag = await runTask({
    env,
    workflowBundle,
    workflowId: `large-dag-${stamp}`,
    template: testTemplate(
      { maxSteps: WIDTH * LAYERS_PER_PHASE, maxDepth: LAYERS_PER_PHASE, maxPhases: PHASES, maxFragmentBytes: 512 * 1024, concurrency: 100 },
      { maxSteps: WIDTH * LAYERS_PER_PHASE * PHASES + 20, maxPlanningPhases: PHASES },
    ),
    planner: scriptedPlanner((request) => {
      requests.push(request);
      return dagPhase(request.phase);
    }),
    detailsOf: () => [],
  });
}, 240_000);

afterAll(async () => {
  await env?.teardown();
});

describe(`a fan-out of ${CHILDREN} partitions (dev server)`, () => {
  it('completes every child', () => {
    expect(fan.error).toBeNull();
    expect(fan.details['fan']?.output).toMatchObject({ partitions: CHILDREN, succeeded: CHILDREN, failed: [] });
    const children = fan.steps.filter((s) => s.spawnedBy === 'fan');
    expect(children).toHaveLength(CHILDREN);
    expect(children.every((c) => c.state === 'completed')).toBe(true);
  });

  it('keeps the task run and each of its six slices under 80% of the history limits', async () => {
    const hs = await histories(env.client, fan.handle.workflowId);
    expect(hs.map((h) => h.workflowId).slice(1)).toEqual(Array.from({ length: 6 }, (_, i) => `${fan.handle.workflowId}/fan#${i}`));
    for (const h of hs) {
      expect(h.events).toBeLessThan(0.8 * LIMITS.events);
      expect(h.bytes).toBeLessThan(0.8 * LIMITS.bytes);
    }
  });

  it('weft inspect shows every child, completed, with batch_spawn provenance', async () => {
    const layer = await inspect(fan.handle.workflowId);
    expect(layer.slices).toBe(6);
    // the fan-out too, though no step depends on it (its end is in no history)
    expect(layer.steps.filter((s) => s.state !== 'completed').map((s) => s.name)).toEqual([]);
    expect(layer.overview).toContain(`${CHILDREN} of them spawned by fan-outs`);
    const children = layer.steps.filter((s) => s.spawnedBy === 'fan');
    expect(children.map((c) => c.name)).toEqual(Array.from({ length: CHILDREN }, (_, i) => `fan[${i}]`));
    for (const c of children) {
      expect(c.state).toBe('completed');
      expect(c.provenance).toMatchObject({ createdBy: 'batch_spawn', planningStep: 'plan', planningPhase: 1 });
    }
  });
});

describe(`a planned DAG of ${WIDTH * LAYERS_PER_PHASE * PHASES} steps in ${PHASES} phases (dev server)`, () => {
  it('completes every planned step', () => {
    expect(dag.error).toBeNull();
    const planned = dag.steps.filter((s) => s.provenance.createdBy === 'planning_step');
    expect(planned).toHaveLength(WIDTH * LAYERS_PER_PHASE * PHASES);
    expect(planned.every((s) => s.state === 'completed')).toBe(true);
  });

  it('keeps the task run and each slice under 80% of the history limits', async () => {
    const hs = await histories(env.client, dag.handle.workflowId);
    expect(hs).toHaveLength(1 + 2 * PHASES);
    for (const h of hs) {
      expect(h.events).toBeLessThan(0.8 * LIMITS.events);
      expect(h.bytes).toBeLessThan(0.8 * LIMITS.bytes);
    }
  });

  it('asks the planner with the newest available steps within the budget, saying how many it left out', () => {
    const last = requests.at(-1)!;
    expect(last.phase).toBe(PHASES);
    // two phases of 1,000 steps done: the frame's seed, then the newest planned steps that fit
    expect(last.omitted?.availableSteps).toBeGreaterThan(0);
    expect(last.constraints.availableSteps[0]?.name).toBe('seed');
    expect(last.constraints.availableSteps.at(-1)?.name).toBe(`s${2 * LAYERS_PER_PHASE - 1}_${WIDTH - 1}`);
    expect(last.constraints.availableSteps.length + last.omitted!.availableSteps).toBe(1 + 2 * WIDTH * LAYERS_PER_PHASE);
    expect(jsonByteLength(last)).toBeLessThan(512 * 1024);
  });

  it('weft inspect shows every planned step, completed, with its phase', async () => {
    const layer = await inspect(dag.handle.workflowId);
    expect(layer.slices).toBe(2 * PHASES);
    const planned = layer.steps.filter((s) => s.provenance.createdBy === 'planning_step');
    expect(planned).toHaveLength(WIDTH * LAYERS_PER_PHASE * PHASES);
    for (const s of planned) {
      expect(s.state).toBe('completed');
      const layerOf = Number(/^s(\d+)_/.exec(s.name)![1]);
      expect(s.provenance.planningPhase).toBe(Math.floor(layerOf / LAYERS_PER_PHASE) + 1);
    }
  });
});
