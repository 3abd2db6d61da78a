/**
 * A weft worker: compiles the templates against the handlers, registers one activity per
 * handler plus planning, and runs the generic workflow.
 * @example
 * const worker = await createWeftWorker({ connection, taskQueue: 'weft', handlers, templates: [orderTriage], planner });
 * await worker.run();
 */
import { fileURLToPath } from 'node:url';
import { Worker, type NativeConnection, type WorkerOptions } from '@temporalio/worker';
import { createActivities } from '../activities/index.js';
import { bundlerOptions } from './bundler.js';
import type { CompiledPlan } from './core/plan.js';
import type { AnyHandler } from './handler.js';
import type { Planner } from './planner/types.js';
import type { BlobStore } from './blob/store.js';
import { compileTemplate } from './template/compile.js';
import type { Template } from './template/define.js';

/** Path of the workflow module a worker bundles. */
export const WORKFLOWS_PATH = fileURLToPath(new URL('../workflows/index.ts', import.meta.url));

/** What a weft worker needs. */
export interface WeftWorkerOptions {
  readonly connection: NativeConnection;
  readonly namespace?: string;
  readonly taskQueue: string;
  readonly handlers: readonly AnyHandler[];
  readonly templates: readonly (Template | CompiledPlan)[];
  readonly planner: Planner;
  /** Pass a prebuilt bundle (tests, benchmarks) to skip bundling at start. */
  readonly workflowBundle?: WorkerOptions['workflowBundle'];
  /** Where step results over `blobThresholdBytes` go (default: `WEFT_BLOB_DIR` or `.weft/blobs`). */
  readonly blobStore?: BlobStore;
  readonly blobThresholdBytes?: number;
  /** Other Worker options (concurrency limits, interceptors, ...). */
  readonly workerOptions?: Partial<WorkerOptions>;
}

/** Compiles templates (failing on the first invalid one with every problem listed). */
export function compileAll(templates: readonly (Template | CompiledPlan)[], handlers: readonly AnyHandler[]): CompiledPlan[] {
  return templates.map((t) => ('hash' in t ? t : compileTemplate(t, handlers)));
}

/** Creates a worker that runs weft tasks. */
export async function createWeftWorker(opts: WeftWorkerOptions): Promise<Worker> {
  const templates = compileAll(opts.templates, opts.handlers);
  const activities = createActivities({
    handlers: opts.handlers,
    templates,
    planner: opts.planner,
    ...(opts.blobStore ? { blobStore: opts.blobStore } : {}),
    ...(opts.blobThresholdBytes !== undefined ? { blobThresholdBytes: opts.blobThresholdBytes } : {}),
  });
  return Worker.create({
    connection: opts.connection,
    namespace: opts.namespace ?? 'default',
    taskQueue: opts.taskQueue,
    activities,
    ...(opts.workflowBundle ? { workflowBundle: opts.workflowBundle } : { workflowsPath: WORKFLOWS_PATH, bundlerOptions }),
    ...(opts.workerOptions ?? {}),
  });
}
