/**
 * `weft worker`: runs a worker for the registry's templates and handlers on the configured task
 * queue until SIGINT or SIGTERM, then shuts down gracefully (in-flight activities finish).
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import type { NativeConnection, Worker } from '@temporalio/worker';
import { loadConfig, type WeftConfig } from '../../config.js';
import { CliError, defineCommand } from '../command.js';
import { loadCompiledRegistry, registryOption, type CompiledRegistry } from '../registry-option.js';
import type { WorkerTelemetry } from '../../telemetry/sinks.js';
import type { BlobStore } from '../../blob/store.js';

/** A worker and the connection it owns. */
export interface RunningWorker {
  readonly worker: Worker;
  readonly connection: NativeConnection;
  /** One line saying what it serves. */
  readonly description: string;
}

/** Connects and creates (bundles) a worker for a registry; `run()` is the caller's. */
export async function startWorker(
  config: WeftConfig,
  registry: CompiledRegistry,
  options: { readonly workflowBundlePath?: string | undefined; readonly telemetry?: WorkerTelemetry | undefined; readonly blobStore?: BlobStore | undefined } = {},
): Promise<RunningWorker> {
  const { workflowBundlePath, telemetry, blobStore } = options;
  // Loaded here, not at the top: `weft --help` and the other commands do not pay for them.
  const [{ NativeConnection }, { translateError }, { tlsOptions }, { createWeftWorker }, { missingPlanner }] = await Promise.all([
    import('@temporalio/worker'),
    import('../../client/errors.js'),
    import('../../client/tls.js'),
    import('../../worker.js'),
    import('../../planner/missing.js'),
  ]);
  const tls = await tlsOptions(config);
  let connection: NativeConnection;
  try {
    connection = await NativeConnection.connect({ address: config.temporalAddress, ...(tls ? { tls } : {}) });
  } catch (err) {
    throw translateError(err, { config });
  }
  try {
    const planner = registry.registry.planner ?? missingPlanner(`The registry ${registry.path}`);
    const worker = await createWeftWorker({
      connection,
      namespace: config.namespace,
      taskQueue: config.taskQueue,
      handlers: registry.registry.handlers,
      templates: registry.plans,
      planner,
      ...(workflowBundlePath ? { workflowBundle: { codePath: workflowBundlePath } } : {}),
      ...(telemetry ? { telemetry } : {}),
      ...(blobStore ? { blobStore } : {}),
    });
    const description =
      `task queue ${config.taskQueue} · namespace ${config.namespace} · ${config.temporalAddress} · ` +
      `templates: ${registry.plans.map((p) => `${p.name}@${p.version}`).join(', ') || '(none)'} · ` +
      `${registry.registry.handlers.length} handlers · planner: ${planner.name}` +
      (blobStore?.location ? ` · blobs: ${blobStore.location}` : '');
    return { worker, connection, description };
  } catch (err) {
    await connection.close();
    throw translateError(err, { config });
  }
}

/** `weft worker`. */
export const workerCommand = defineCommand({
  name: 'worker',
  summary: "Run a worker for the registry's templates and handlers until SIGINT/SIGTERM.",
  description: 'Connects with TEMPORAL_ADDRESS / TEMPORAL_NAMESPACE / TLS settings and polls WEFT_TASK_QUEUE. Stops gracefully on SIGINT or SIGTERM.',
  positionals: [],
  options: {
    registry: registryOption,
    'workflow-bundle': { type: 'string', placeholder: 'file', description: "load the workflow code `weft bundle` wrote (default: the bundle built with the installed weft, checked against its code; in weft's repository, bundled at start)" },
  },
  async run({ options }, ctx) {
    const config = loadConfig(ctx.env);
    // The store all of this worker's activities use, checked now: a wrong bucket or endpoint fails
    // the start, saying what to fix, instead of the first step whose result is large.
    const { blobStoreFromEnv } = await import('../../blob/from-env.js');
    const blobStore = blobStoreFromEnv(ctx.env, ctx.cwd);
    try {
      await blobStore.check?.();
    } catch (err) {
      throw new CliError((err as Error).message, 1);
    }
    const given = options['workflow-bundle'] === undefined ? undefined : resolve(ctx.cwd, options['workflow-bundle']);
    if (given !== undefined && !existsSync(given)) throw new CliError(`--workflow-bundle ${given} does not exist; write it with \`weft bundle <file>\` first`);
    let bundlePath = given;
    if (bundlePath === undefined) {
      // An installed weft loads the bundle its build wrote, when it was built from the installed code.
      const { prebuiltBundleStatus } = await import('../../prebuilt-bundle.js');
      const status = prebuiltBundleStatus();
      bundlePath = status.codePath;
      if (status.codePath === undefined && status.stale) ctx.err(`weft worker: ${status.reason}; bundling the workflow code instead (reinstall or rebuild weft).`);
    }
    // Telemetry first: the Temporal runtime (with its metrics exporter) must exist before any connection.
    const { startWorkerTelemetry } = await import('../../telemetry/worker-setup.js');
    const telemetry = await startWorkerTelemetry(ctx.env);
    let started: RunningWorker;
    try {
      const registry = await loadCompiledRegistry(options.registry, ctx);
      ctx.out(`weft worker: registry ${registry.path}; connecting to ${config.temporalAddress} and ${bundlePath ? `loading ${bundlePath}` : 'bundling the workflow code'}…`);
      started = await startWorker(config, registry, { workflowBundlePath: bundlePath, telemetry: telemetry.worker, blobStore });
    } catch (err) {
      await telemetry.close();
      throw err;
    }
    const { worker, connection, description } = started;
    ctx.out(`weft worker: running (${description}); ${telemetry.description}; Ctrl-C to stop`);
    // Temporal's runtime shuts the worker down on these signals; say what is happening.
    const onSignal = (signal: string) => ctx.out(`weft worker: ${signal}: shutting down, in-flight activities finish first (send it again to force)`);
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
    try {
      await worker.run();
    } finally {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      await connection.close();
      await telemetry.close();
    }
    ctx.out('weft worker: stopped');
    return 0;
  },
});
