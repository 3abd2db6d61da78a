/**
 * Replaying recorded histories against today's workflow code with Temporal's replayer: one
 * workflow bundle, every history through it, and per history the error, if any (a
 * `DeterminismViolationError` when today's code issues different commands than the history).
 */
import { DefaultLogger, Runtime, Worker } from '@temporalio/worker';
import { telemetrySinks } from '../telemetry/sinks.js';
import { bundleWeftWorkflows } from '../worker.js';
import type { NamedHistory } from './check.js';

/** The replay error of each history, by source; absent when it replayed cleanly. */
export async function replayHistories(histories: readonly NamedHistory[]): Promise<Map<string, { error: string; message: string }>> {
  const failures = new Map<string, { error: string; message: string }>();
  if (histories.length === 0) return failures;
  // The replay worker's state changes are not news to an operator reading the report.
  try {
    Runtime.install({ logger: new DefaultLogger('WARN') });
  } catch {
    // a runtime is installed already (a test, or an embedding program): keep its logger
  }
  const workflowBundle = await bundleWeftWorkflows();
  // The workflow calls weft's telemetry sink; a replay records nothing, but the sink must exist.
  const results = Worker.runReplayHistories(
    { workflowBundle, sinks: telemetrySinks() },
    histories.map((h) => ({ workflowId: h.source, history: h.history })),
  );
  for await (const r of results) {
    if (r.error) failures.set(r.workflowId, { error: r.error.name, message: r.error.message });
  }
  return failures;
}
