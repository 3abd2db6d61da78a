/**
 * Ten thousand steps in one task, on a dev server, each worker a process of its own:
 *
 *   a. a fan-out of 10,000 one-item partitions (`batch_echo`, concurrency 100): 20 slices;
 *   b. a planned DAG of 10,000 `add` steps: 100 layers of 100, each step reading two steps of the
 *      layer before, planned in 10 phases of 1,000 (one planner answer is cut at 512 KiB, about
 *      3,000 such steps, so a larger plan comes in phases); each phase runs in 2 slices;
 *   c. activities completed per second by one task with 1, 2 and 4 worker processes on its queue:
 *      a fan-out of 2,000 partitions of a handler that sleeps 20 ms, configurations alternating;
 *   d. the worker's memory (RSS and V8 heap, peaks of 100 ms samples) while it runs a and b, and
 *      once it was ready, before any task.
 *
 * For a and b: wall time and steps per second; every history of the task (its runs, its slices:
 * `${taskId}/${owner}#${index}`, found from the child-workflow events of the histories, recursively)
 * with Temporal's own measure (`describe()`: historyLength, historySize), the largest against 80% of
 * Temporal's limits (51,200 events, 50 MB), and the sum per step; and `weft inspect --json`, the
 * real CLI, reading the task back.
 *
 *   npx tsx bench/ten-thousand-steps.bench.ts [--runs 3] [--only fan|dag|workers]
 *
 * (`--runs`: rounds of c; `--only`: one part, its results written to ten-thousand-steps.<part>.json)
 *
 * Starts its own dev server from the cached Temporal CLI (./temporal-dev.sh build first). The
 * machine has 2 cores shared with other work: 2 and 4 worker processes compete for them.
 */
import { spawn, type ChildProcessByStdio } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import type { Fragment } from '../src/core/fragment.js';
import type { Template } from '../src/template/define.js';
import { fragment, step, testTemplate } from '../test/support/engine.js';

const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: '3' },
    only: { type: 'string' },
    worker: { type: 'string' },
    address: { type: 'string' },
    queue: { type: 'string' },
    blobs: { type: 'string' },
    bundle: { type: 'string' },
  },
});

const FAN_ITEMS = 10_000;
const WIDTH = 100;
const LAYERS = 100;
const PHASES = 10;
const POOL_ITEMS = 2_000;
const POOL_MS = 20;
const LIMITS = { events: 51_200, bytes: 50 * 1024 * 1024 } as const;

type Shape = 'fan' | 'dag' | 'pool';

/** Layer `l`, position `i`. */
const dagName = (l: number, i: number): string => `s${l}_${i}`;

/** Phase `p` (from 1) of the DAG: layers 10(p-1) … 10p-1, the first reading the last layer of the phase before. */
function dagPhase(p: number): Fragment {
  const per = LAYERS / PHASES;
  const steps: Fragment['steps'] = [];
  for (let l = (p - 1) * per; l < p * per; l++) {
    for (let i = 0; i < WIDTH; i++) {
      if (l === 0) {
        steps.push(step(dagName(l, i), 'add', { values: [i, 1] }));
        continue;
      }
      const [a, b] = [dagName(l - 1, i), dagName(l - 1, (i + 1) % WIDTH)];
      steps.push(step(dagName(l, i), 'add', { values: [`\${steps.${a}.output.value}`, `\${steps.${b}.output.value}`] }, [a, b]));
    }
  }
  return fragment(steps, p === PHASES ? 'done' : 'replan');
}

function shapeOf(shape: Shape): { template: Template; plan: (phase: number) => Fragment; steps: number } {
  if (shape === 'dag') {
    const perPhase = (WIDTH * LAYERS) / PHASES;
    return {
      template: testTemplate(
        { maxSteps: perPhase, maxDepth: LAYERS / PHASES, maxPhases: PHASES, maxFragmentBytes: 512 * 1024, concurrency: 100 },
        { maxSteps: WIDTH * LAYERS + 20, maxPlanningPhases: PHASES },
      ),
      plan: dagPhase,
      steps: WIDTH * LAYERS,
    };
  }
  const items = shape === 'fan' ? FAN_ITEMS : POOL_ITEMS;
  const ms = shape === 'fan' ? 0 : POOL_MS;
  return {
    template: testTemplate({}, { maxSteps: items + 20 }),
    plan: () =>
      fragment([
        step('make', 'make_rows', { count: items }),
        step('fan', 'fan_out', { items: '${steps.make.output.rows}', handler: 'batch_echo', partition_size: 1, concurrency: 100, with: { ms } }, ['make']),
      ]),
    steps: items,
  };
}

if (values.worker) {
  // One worker process: serves the shape's template until SIGTERM, then prints its memory peaks.
  const { NativeConnection } = await import('@temporalio/worker');
  const { createWeftWorker } = await import('../src/worker.js');
  const { localBlobStore } = await import('../src/blob/store.js');
  const { scriptedPlanner } = await import('../src/planner/scripted.js');
  const { testHandlers } = await import('../test/support/test-handlers.js');
  const { fanOut } = await import('../catalog/fan-out.js');
  const { gate } = await import('../catalog/gate.js');
  const shape = shapeOf(values.worker as Shape);
  const connection = await NativeConnection.connect({ address: values.address! });
  const worker = await createWeftWorker({
    connection,
    taskQueue: values.queue!,
    handlers: [...testHandlers, fanOut, gate],
    templates: [shape.template],
    planner: scriptedPlanner((request) => shape.plan(request.phase)),
    workflowBundle: { codePath: values.bundle! },
    blobStore: localBlobStore(values.blobs!),
  });
  const peak = { rss: 0, heap: 0 };
  const sample = (): void => {
    const m = process.memoryUsage();
    peak.rss = Math.max(peak.rss, m.rss);
    peak.heap = Math.max(peak.heap, m.heapUsed);
  };
  sample();
  const idle = { ...peak };
  const sampler = setInterval(sample, 100);
  process.on('SIGTERM', () => worker.shutdown());
  process.stdout.write(`${JSON.stringify({ ready: true })}\n`);
  await worker.run();
  clearInterval(sampler);
  sample();
  const mb = (bytes: number): number => Math.round(bytes / 2 ** 20);
  process.stdout.write(`${JSON.stringify({ rssMb: mb(peak.rss), heapMb: mb(peak.heap), idleRssMb: mb(idle.rss), idleHeapMb: mb(idle.heap) })}\n`);
  await connection.close();
  process.exit(0);
}

// ---- the driver ---------------------------------------------------------------------------------
const { Client, Connection } = await import('@temporalio/client');
const { CHANNEL_ARGS } = await import('../src/client.js');
const { readStepTable } = await import('../src/client/steps.js');
const { bundleWeftWorkflows } = await import('../src/worker.js');
const { startDevServerEnv } = await import('../test/support/environments.js');
const { runWeft } = await import('../test/support/cli.js');
const { TASK_WORKFLOW_TYPE, stepQuery } = await import('../workflows/definitions.js');

const RUNS = Number(values.runs);
const env = await startDevServerEnv();
// The test environment's client keeps grpc-js's 4 MB limit on a response; a history page can be larger.
const client = new Client({ connection: await Connection.connect({ address: env.address, channelArgs: CHANNEL_ARGS }) });
const dir = mkdtempSync(join(tmpdir(), 'weft-10k-'));
const bundlePath = join(dir, 'workflow-bundle.js');
writeFileSync(bundlePath, (await bundleWeftWorkflows()).code);
const self = fileURLToPath(import.meta.url);
let queues = 0;

interface WorkerProcess {
  readonly child: ChildProcessByStdio<null, Readable, null>;
  readonly lines: AsyncIterator<string>;
}

async function startWorker(shape: Shape, queue: string): Promise<WorkerProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', self, '--worker', shape, '--address', env.address, '--queue', queue, '--blobs', join(dir, 'blobs'), '--bundle', bundlePath], {
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  for (;;) {
    const line = await lines.next();
    if (line.done) throw new Error(`worker for ${shape} exited before it was ready`);
    if (line.value.startsWith('{"ready"')) return { child, lines };
  }
}

/** Peaks of the worker's RSS and V8 heap while it served, and both once it was ready (MB). */
interface WorkerMemory {
  readonly rssMb: number;
  readonly heapMb: number;
  readonly idleRssMb: number;
  readonly idleHeapMb: number;
}

async function stopWorker(w: WorkerProcess): Promise<WorkerMemory> {
  w.child.kill('SIGTERM');
  for (;;) {
    const line = await w.lines.next();
    if (line.done) throw new Error('worker exited without its memory line');
    if (line.value.startsWith('{"rssMb"')) return JSON.parse(line.value) as WorkerMemory;
  }
}

/** Every history of a task: its runs (continue-as-new) and its slices, recursively, as Temporal measures them. */
async function histories(workflowId: string): Promise<{ workflowId: string; runId: string; events: number; bytes: number }[]> {
  const out: { workflowId: string; runId: string; events: number; bytes: number }[] = [];
  const latest = await client.workflow.getHandle(workflowId).describe();
  const queue: { workflowId: string; runId: string }[] = [{ workflowId, runId: latest.runId }];
  const seen = new Set<string>();
  while (queue.length > 0) {
    const h = queue.shift()!;
    if (seen.has(`${h.workflowId} ${h.runId}`)) continue;
    seen.add(`${h.workflowId} ${h.runId}`);
    const handle = client.workflow.getHandle(h.workflowId, h.runId);
    const d = await handle.describe();
    out.push({ ...h, events: d.historyLength, bytes: d.historySize ?? NaN });
    const events = (await handle.fetchHistory()).events ?? [];
    const earlier = events[0]?.workflowExecutionStartedEventAttributes?.continuedExecutionRunId;
    if (earlier) queue.push({ workflowId: h.workflowId, runId: earlier });
    for (const e of events) {
      const child = e.childWorkflowExecutionStartedEventAttributes?.workflowExecution;
      if (child?.workflowId && child.runId) queue.push({ workflowId: child.workflowId, runId: child.runId });
    }
  }
  return out;
}

/** Runs one task of `shape` with `workers` worker processes; returns what was measured. */
async function runShape(shape: Shape, workers: number) {
  const { steps } = shapeOf(shape);
  const queue = `bench-10k-${process.pid}-${queues++}`;
  const procs = await Promise.all(Array.from({ length: workers }, () => startWorker(shape, queue)));
  const workflowId = `bench-10k-${shape}-${randomUUID().slice(0, 8)}`;
  const started = performance.now();
  const handle = await client.workflow.start(TASK_WORKFLOW_TYPE, { taskQueue: queue, workflowId, args: [{ template: 'engine-test', input: { n: 1 } }] });
  let error: string | null = null;
  try {
    await handle.result();
  } catch (e) {
    error = String((e as Error).cause ?? e);
  }
  const wallMs = performance.now() - started;
  const table = await readStepTable(handle);
  const fan = shape === 'dag' ? null : await handle.query(stepQuery, 'fan');
  const memory = await Promise.all(procs.map(stopWorker));
  const completed = table.filter((s) => s.state === 'completed').length;
  return { workflowId, wallMs, error, table, completed, fan, memory, steps };
}

const round = (x: number, digits = 0): number => Number(x.toFixed(digits));

/** a, b and d: one task, one worker process, every history measured and the task read back with `weft inspect`. */
async function large(shape: 'fan' | 'dag', label: string) {
  const r = await runShape(shape, 1);
  if (r.error) throw new Error(`${label}: the task failed: ${r.error}`);
  const hs = await histories(r.workflowId);
  const task = hs.filter((h) => h.workflowId === r.workflowId);
  const maxEvents = Math.max(...hs.map((h) => h.events));
  const maxBytes = Math.max(...hs.map((h) => h.bytes));
  const sumEvents = hs.reduce((a, h) => a + h.events, 0);
  const sumBytes = hs.reduce((a, h) => a + h.bytes, 0);
  const inspectStarted = performance.now();
  const inspect = await runWeft(['inspect', r.workflowId, '--json'], { ...process.env, TEMPORAL_ADDRESS: env.address, TEMPORAL_NAMESPACE: 'default' }, 600_000);
  const inspectMs = performance.now() - inspectStarted;
  const shown = inspect.code === 0 ? (JSON.parse(inspect.stdout) as { steps: { state: string }[] }).steps : [];
  const row = {
    shape: label,
    steps: r.steps,
    stepsInTable: r.table.length,
    completed: r.completed,
    wallS: round(r.wallMs / 1000, 1),
    stepsPerS: round(r.steps / (r.wallMs / 1000)),
    taskRuns: task.length,
    slices: hs.length - task.length,
    largestRun: { events: maxEvents, mb: round(maxBytes / 2 ** 20, 2), ofEventLimit: round(maxEvents / LIMITS.events, 3), ofByteLimit: round(maxBytes / LIMITS.bytes, 3) },
    taskRun: { events: task.reduce((a, h) => a + h.events, 0), mb: round(task.reduce((a, h) => a + h.bytes, 0) / 2 ** 20, 2) },
    within80: maxEvents <= 0.8 * LIMITS.events && maxBytes <= 0.8 * LIMITS.bytes,
    allRuns: { events: sumEvents, mb: round(sumBytes / 2 ** 20, 1), eventsPerStep: round(sumEvents / r.steps, 2), bytesPerStep: round(sumBytes / r.steps) },
    worker: r.memory[0],
    inspect: { exit: inspect.code, s: round(inspectMs / 1000, 1), steps: shown.length, completed: shown.filter((s) => s.state === 'completed').length },
    ...(r.fan ? { fanOutput: r.fan.output } : {}),
  };
  process.stdout.write(`${JSON.stringify(row)}\n`);
  return row;
}

const results: Record<string, unknown> = {
  machine: `${cpus().length} shared vCPUs, dev server and workers on the same machine; load average ${loadavg().map((x) => x.toFixed(1)).join(' ')} at the start`,
};
const only = values.only;
try {
  if (!only || only === 'fan') results['fanOut'] = await large('fan', `fan-out of ${FAN_ITEMS} one-item partitions`);
  if (!only || only === 'dag') results['plannedDag'] = await large('dag', `planned DAG of ${WIDTH * LAYERS} add steps in ${PHASES} phases`);
  // c: configurations alternate within each round, so load from other work hits them alike.
  const pool: Record<number, { activitiesPerS: number; fanOutS: number; wallS: number }[]> = { 1: [], 2: [], 4: [] };
  for (let run = 0; run < (!only || only === 'workers' ? RUNS : 0); run++) {
    for (const workers of [1, 2, 4]) {
      const r = await runShape('pool', workers);
      if (r.error) throw new Error(`pool with ${workers} workers: ${r.error}`);
      const fan = r.table.find((s) => s.name === 'fan')!;
      const fanOutS = (fan.finishedAtMs! - fan.startedAtMs!) / 1000;
      const sample = { activitiesPerS: round(POOL_ITEMS / fanOutS), fanOutS: round(fanOutS, 2), wallS: round(r.wallMs / 1000, 1) };
      pool[workers]!.push(sample);
      process.stdout.write(`round ${run + 1}/${RUNS}, ${workers} worker process(es): ${JSON.stringify(sample)}\n`);
    }
  }
  const median = (xs: readonly number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;
  if (!only || only === 'workers') results['workers'] = {
    shape: `fan-out of ${POOL_ITEMS} partitions of batch_echo sleeping ${POOL_MS} ms, concurrency 100, median of ${RUNS}`,
    rows: Object.entries(pool).map(([workers, xs]) => ({ workers: Number(workers), activitiesPerS: median(xs.map((x) => x.activitiesPerS)), fanOutS: median(xs.map((x) => x.fanOutS)), samples: xs })),
  };
  if (results['workers']) process.stdout.write(`${JSON.stringify(results['workers'])}\n`);
} finally {
  await client.connection.close();
  await env.teardown();
}
await mkdir(new URL('results/', import.meta.url), { recursive: true });
await writeFile(new URL(`results/ten-thousand-steps${only ? `.${only}` : ''}.json`, import.meta.url), `${JSON.stringify(results, null, 2)}\n`);
process.exit(0);
