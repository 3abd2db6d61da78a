/**
 * Records histories of the example for the replay tests:
 *
 *   npx tsx test/replay/record.ts
 *
 * Run it only when a workflow change is meant to break replay (and then ship the change behind
 * `patched()` so runs in flight keep replaying). It runs the order-triage example in the
 * time-skipping environment — a plain run, and one where a planned step is parked and retried —
 * and writes each history as JSON under test/replay/histories/.
 */
import { writeFile } from 'node:fs/promises';
import { historyToJSON } from '@temporalio/common/lib/proto-utils.js';
import { weftTask } from '../../workflows/task.js';
import { createWeftWorker } from '../../src/worker.js';
import { registry } from '../../examples/registry.js';
import { startTimeSkippingEnv } from '../support/environments.js';

const env = await startTimeSkippingEnv();
try {
  const taskQueue = 'replay-record';
  const worker = await createWeftWorker({ connection: env.nativeConnection, taskQueue, handlers: registry.handlers, templates: registry.templates, planner: registry.planner! });
  await worker.runUntil(async () => {
    const workflowId = 'replay-order-triage';
    const handle = await env.client.workflow.start(weftTask, { taskQueue, workflowId, args: [{ template: 'order-triage', input: { report_dir: '.weft/replay-reports' } }] });
    await handle.result();
    const history = await handle.fetchHistory();
    const path = new URL('./histories/order-triage.json', import.meta.url);
    await writeFile(path, historyToJSON(history) + '\n');
    console.log(`wrote ${path.pathname} (${history.events?.length ?? 0} events)`);
  });
} finally {
  await env.teardown();
}
