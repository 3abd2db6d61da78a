/**
 * Running a template in a test: one environment (time-skipping by default), weft's workflow
 * bundle built once, and `runTask` to run one task to its end on a fresh task queue with the
 * handlers, templates and planner you give — nothing added, nothing written into your repository
 * (blobs, `emit` files, `persist` collections and reports go to a temporary folder).
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { WorkflowHandle } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { localBlobStore, type BlobStore } from '../blob/store.js';
import { readStepTable } from '../client/steps.js';
import type { JsonValue } from '../core/json.js';
import type { CompiledPlan } from '../core/plan.js';
import type { StepRecord } from '../core/steps.js';
import type { AnyHandler } from '../handler.js';
import type { Planner } from '../planner/types.js';
import type { Template } from '../template/define.js';
import { bundleWeftWorkflows, createWeftWorker } from '../worker.js';
import {
  budgetQuery,
  planningQuery,
  stepQuery,
  TASK_WORKFLOW_TYPE,
  type BudgetView,
  type PlanningAttempt,
  type RunLimits,
  type StepDetail,
  type TaskInput,
  type TaskResult,
} from '../../workflows/definitions.js';
import { startDevServerEnv, startTimeSkippingEnv } from './environments.js';

/** The environment variables the built-in handlers (and the example's) write under; pointed at a temporary folder while a `WeftTestEnv` lives. */
const OUTPUT_DIRECTORIES = ['WEFT_EMIT_DIR', 'WEFT_PERSIST_DIR', 'WEFT_REPORT_DIR', 'WEFT_BLOB_DIR'] as const;

/** A running weft task, as `runTask`'s `during` callback gets it. */
export type TaskHandle = WorkflowHandle<(input: TaskInput) => Promise<TaskResult>>;

/** What `runTask` needs. */
export interface RunTaskOptions {
  /** The template to run (it is compiled against `handlers`), or the name of one in `templates`. */
  readonly template: Template | string;
  /** Every handler the worker runs (for example your registry's); nothing is added. */
  readonly handlers: readonly AnyHandler[];
  /** Other templates the worker serves (a registry's), when `template` is a name. */
  readonly templates?: readonly (Template | CompiledPlan)[];
  /** The planner: `scriptedPlanner([...])` for fragments given in the test. */
  readonly planner?: Planner;
  /** The task input (default `{}`); the template's input schema applies its defaults. */
  readonly input?: JsonValue;
  /** Runs while the task executes: approve a gate, act on a parked step. */
  readonly during?: (handle: TaskHandle) => Promise<void>;
  readonly workflowId?: string;
  /** Where large results go (default: a local store in the environment's temporary folder). */
  readonly blobStore?: BlobStore;
  /** Start with this compiled plan instead of the template's name (the worker still serves `template`). */
  readonly plan?: CompiledPlan;
  /** Steps whose input and output to read once the task closed (default: all). */
  readonly detailsOf?: (steps: readonly StepRecord[]) => readonly StepRecord[];
  /** How the task cuts large plans into slices and when it continues as new (small values exercise both in a test). */
  readonly limits?: RunLimits;
}

/** One task's end: its result or error, and what its queries returned once it closed. */
export interface TaskRunOutcome {
  readonly handle: TaskHandle;
  readonly result: TaskResult | null;
  readonly error: Error | null;
  /** The step table: every step with its state and provenance. */
  readonly steps: StepRecord[];
  readonly planning: PlanningAttempt[];
  readonly budget: BudgetView;
  readonly details: Readonly<Record<string, StepDetail | null>>;
  readonly searchAttributes: Readonly<Record<string, unknown>>;
  /** Layer 1, the markdown the Web UI shows as the run's current details. */
  readonly currentDetails: string;
}

let queues = 0;

/**
 * Runs one task to its end on a fresh task queue of `env`, with a worker that serves exactly
 * `handlers` and the templates given.
 */
export async function runTask(env: TestWorkflowEnvironment, workflowBundle: WorkflowBundleWithSourceMap, opts: RunTaskOptions & { readonly blobDir?: string }): Promise<TaskRunOutcome> {
  const taskQueue = `weft-test-${process.pid}-${queues++}`;
  const main = typeof opts.template === 'string' ? null : opts.template;
  const templateName = typeof opts.template === 'string' ? opts.template : opts.template.name;
  const worker = await createWeftWorker({
    connection: env.nativeConnection,
    taskQueue,
    handlers: opts.handlers,
    templates: [...(main ? [main] : []), ...(opts.templates ?? []).filter((t) => t.name !== templateName || !main)],
    ...(opts.planner ? { planner: opts.planner } : {}),
    workflowBundle,
    blobStore: opts.blobStore ?? localBlobStore(opts.blobDir ?? mkdtempSync(join(tmpdir(), 'weft-test-blobs-'))),
  });
  return worker.runUntil(async () => {
    const input = opts.input ?? {};
    const handle: TaskHandle = await env.client.workflow.start<(input: TaskInput) => Promise<TaskResult>>(TASK_WORKFLOW_TYPE, {
      taskQueue,
      workflowId: opts.workflowId ?? `task-${randomUUID()}`,
      args: [{ ...(opts.plan ? { plan: opts.plan, input } : { template: templateName, input }), ...(opts.limits ? { limits: opts.limits } : {}) }],
    });
    if (opts.during) await opts.during(handle);
    let result: TaskResult | null = null;
    let error: Error | null = null;
    try {
      result = await handle.result();
    } catch (e) {
      error = e as Error;
    }
    const steps = await readStepTable(handle);
    const details: Record<string, StepDetail | null> = {};
    for (const s of opts.detailsOf ? opts.detailsOf(steps) : steps) details[s.name] = await handle.query(stepQuery, s.name);
    const description = await handle.describe();
    const metadata = await handle.query<{ currentDetails?: string }>('__temporal_workflow_metadata');
    return {
      handle,
      result,
      error,
      steps,
      planning: await handle.query(planningQuery),
      budget: await handle.query(budgetQuery),
      details,
      searchAttributes: description.searchAttributes,
      currentDetails: metadata.currentDetails ?? '',
    };
  });
}

/**
 * A test environment for templates: a Temporal server with weft's search attributes, weft's
 * workflow code bundled once, and a temporary folder for everything tasks write.
 * @example
 * import { WeftTestEnv } from '@weftworks/weft/testing';
 * import { scriptedPlanner } from '@weftworks/weft/planner';
 * const env = await WeftTestEnv.create();
 * const run = await env.runTask({ ...registry, template: 'my-template', planner: scriptedPlanner([myFragment]), input: {} });
 * assert.equal(run.result?.outputs['publish'], ...);
 * await env.teardown();
 */
export class WeftTestEnv {
  private constructor(
    /** The Temporal environment: `env.client` starts workflows, `env.nativeConnection` serves workers. */
    readonly temporal: TestWorkflowEnvironment,
    readonly workflowBundle: WorkflowBundleWithSourceMap,
    /** The temporary folder where blobs, `emit` files, `persist` collections and reports go. */
    readonly dir: string,
    private readonly restoreEnv: () => void,
  ) {}

  /**
   * Starts the environment: `'time-skipping'` (default; timers skip, a day-long gate timeout takes
   * milliseconds) or `'dev-server'` (real time, real visibility; builds the Temporal CLI if missing).
   * Test wall-time budgets, `fail_fast` fan-outs and failures inside slices on `'dev-server'`: the
   * time-skipping server hangs a workflow whose task cancels an activity that completed while the
   * task ran (temporalio/sdk-java#2391).
   */
  static async create(options: { readonly server?: 'time-skipping' | 'dev-server' } = {}): Promise<WeftTestEnv> {
    const dir = mkdtempSync(join(tmpdir(), 'weft-test-'));
    const saved = new Map(OUTPUT_DIRECTORIES.map((name) => [name, process.env[name]]));
    for (const name of OUTPUT_DIRECTORIES) process.env[name] ??= join(dir, name.slice('WEFT_'.length).toLowerCase().replace('_dir', ''));
    const restore = () => {
      for (const [name, value] of saved) {
        if (value === undefined) delete process.env[name];
        else process.env[name] = value;
      }
    };
    try {
      const [temporal, workflowBundle] = await Promise.all([options.server === 'dev-server' ? startDevServerEnv() : startTimeSkippingEnv(), bundleWeftWorkflows()]);
      return new WeftTestEnv(temporal, workflowBundle, dir, restore);
    } catch (err) {
      restore();
      rmSync(dir, { recursive: true, force: true });
      throw err;
    }
  }

  /** Runs one task to its end; see {@link RunTaskOptions}. */
  runTask(opts: RunTaskOptions): Promise<TaskRunOutcome> {
    return runTask(this.temporal, this.workflowBundle, { ...opts, blobDir: join(this.dir, 'blobs') });
  }

  /** Stops the server, restores the environment variables and removes the temporary folder. */
  async teardown(): Promise<void> {
    try {
      await this.temporal.teardown();
    } finally {
      this.restoreEnv();
      rmSync(this.dir, { recursive: true, force: true });
    }
  }
}
