/**
 * A weft worker: compiles the templates against the handlers, registers one activity per
 * handler plus planning, and runs the generic workflow. The workflow code is weft's own
 * (`@weftworks/weft/workflow`); the worker bundles it from wherever weft is installed, or takes a
 * bundle made at build time (`bundleWeftWorkflows`, `weft bundle`).
 * @example
 * import { NativeConnection } from '@temporalio/worker';
 * import { createWeftWorker } from '@weftworks/weft/worker';
 * import registry from './registry.js';
 * const connection = await NativeConnection.connect({ address: '127.0.0.1:7233' });
 * const worker = await createWeftWorker({ ...registry, connection, taskQueue: 'weft' });
 * await worker.run();
 */
import { bundleWorkflowCode, Worker, type BundleOptions, type NativeConnection, type WorkflowBundleWithSourceMap, type WorkerOptions } from '@temporalio/worker';
import { createActivities } from '../activities/index.js';
import { bundlerOptions, quietBundlerLogger } from './bundler.js';
import type { CompiledPlan } from './core/plan.js';
import type { AnyHandler } from './handler.js';
import type { Planner } from './planner/types.js';
import type { BlobStore } from './blob/store.js';
import { entryPointFile } from './package-root.js';
import { prebuiltBundleStatus } from './prebuilt-bundle.js';
import { missingPlanner } from './planner/missing.js';
import { compileAll } from './template/compile.js';
import type { Template } from './template/define.js';
import { providerOf } from './telemetry/metrics.js';
import { telemetrySinks, type WorkerTelemetry } from './telemetry/sinks.js';

/**
 * Path of the workflow module a worker bundles: `@weftworks/weft/workflow` (compiled JavaScript;
 * Temporal's bundler compiles no TypeScript inside node_modules) in an installed weft, the
 * `workflows/index.ts` source in weft's own repository.
 */
export const WORKFLOWS_PATH = entryPointFile('workflow', 'workflows/index');

/**
 * Bundles weft's workflow code, as a worker would at start. For production, bundle once at build
 * time and pass the result to workers as `workflowBundle: { codePath }` (`weft bundle <file>`
 * writes it), so that a worker restart does not re-bundle.
 */
export function bundleWeftWorkflows(options: Omit<Partial<BundleOptions>, 'workflowsPath'> = {}): Promise<WorkflowBundleWithSourceMap> {
  return bundleWorkflowCode({ workflowsPath: WORKFLOWS_PATH, ...bundlerOptions, logger: quietBundlerLogger, ...options });
}

/** What a weft worker needs. */
export interface WeftWorkerOptions {
  readonly connection: NativeConnection;
  readonly namespace?: string;
  readonly taskQueue: string;
  readonly handlers: readonly AnyHandler[];
  readonly templates: readonly (Template | CompiledPlan)[];
  /** The planner of the planning activity; without one, planning steps fail saying how to configure one. */
  readonly planner?: Planner;
  /**
   * A bundle of the workflow code (`bundleWeftWorkflows`, `weft bundle`). Default: an installed
   * weft loads the bundle its build wrote (`dist/workflow-bundle.js`) when it was built from the
   * installed code, and bundles otherwise (and always in weft's own repository), saying why.
   */
  readonly workflowBundle?: WorkerOptions['workflowBundle'];
  /** Where step results over `blobThresholdBytes` go (default: `blobStoreFromEnv()`: `WEFT_BLOB_URL`, `WEFT_BLOB_DIR` or `.weft/blobs`). */
  readonly blobStore?: BlobStore;
  readonly blobThresholdBytes?: number;
  /** Metrics and spans (`src/telemetry/`); off when absent. */
  readonly telemetry?: WorkerTelemetry;
  /** Other Worker options (concurrency limits, interceptors, ...). */
  readonly workerOptions?: Partial<WorkerOptions>;
}

export { compileAll } from './template/compile.js';

/** Creates a worker that runs weft tasks. */
export async function createWeftWorker(opts: WeftWorkerOptions): Promise<Worker> {
  const templates = compileAll(opts.templates, opts.handlers);
  opts.telemetry?.metrics?.initialize(templates);
  const activities = createActivities({
    handlers: opts.handlers,
    templates,
    planner: opts.planner ?? missingPlanner('createWeftWorker({ … })'),
    ...(opts.blobStore ? { blobStore: opts.blobStore } : {}),
    ...(opts.blobThresholdBytes !== undefined ? { blobThresholdBytes: opts.blobThresholdBytes } : {}),
    ...(opts.telemetry?.metrics ? { onLlmCalls: llmCallCounter(opts.telemetry.metrics) } : {}),
  });
  const workflowBundle = opts.workflowBundle ?? prebuiltBundle();
  return Worker.create({
    connection: opts.connection,
    namespace: opts.namespace ?? 'default',
    taskQueue: opts.taskQueue,
    activities,
    ...(workflowBundle ? { workflowBundle } : { workflowsPath: WORKFLOWS_PATH, bundlerOptions }),
    sinks: telemetrySinks(opts.telemetry),
    ...(opts.workerOptions ?? {}),
  });
}

/** The prebuilt bundle when it fits the installed code; a stale one is reported, never used. */
function prebuiltBundle(): { codePath: string } | undefined {
  const status = prebuiltBundleStatus();
  if (status.codePath !== undefined) return { codePath: status.codePath };
  if (status.stale) console.warn(`weft worker: ${status.reason}; bundling the workflow code instead (rebuild weft: npm run build).`);
  return undefined;
}

function llmCallCounter(metrics: NonNullable<WorkerTelemetry['metrics']>) {
  return (template: string, planner: string, model: string | null, outcome: string, calls: number) =>
    metrics.llmCalls(template, model ?? providerOf(planner).model, outcome, calls);
}
