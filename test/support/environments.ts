/**
 * Temporal test environments for weft's own tests: the public ones of `src/testing`
 * (`@weftworks/weft/testing`), plus helpers only this repository's tests use.
 */
import { fileURLToPath } from 'node:url';
import type { Client, WorkflowExecutionInfo } from '@temporalio/client';

export { startDevServerEnv, startTimeSkippingEnv, TEST_NAMESPACE } from '../../src/testing/environments.js';

/**
 * The absolute path of a workflow module under `workflows/`, for `Worker.create({ workflowsPath })`.
 * Pass `bundlerOptions` from `src/bundler.ts` too: it makes our `.js` specifiers resolve to `.ts`.
 *
 * @example
 * await Worker.create({ connection: env.nativeConnection, taskQueue, workflowsPath: workflowsPath('smoke.ts'), bundlerOptions });
 */
export function workflowsPath(file: string): string {
  return fileURLToPath(new URL(`../../workflows/${file}`, import.meta.url));
}

/**
 * The workflows a visibility query finds, polling until it finds some or `ms` pass (visibility
 * is eventually consistent: a closed run can take a moment to show up).
 */
export async function findByQuery(client: Client, query: string, ms = 20_000): Promise<WorkflowExecutionInfo[]> {
  const deadline = Date.now() + ms;
  for (;;) {
    const found: WorkflowExecutionInfo[] = [];
    for await (const info of client.workflow.list({ query })) found.push(info);
    if (found.length > 0 || Date.now() > deadline) return found;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}
