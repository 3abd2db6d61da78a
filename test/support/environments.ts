/**
 * Temporal test environments started from the executables `temporal-dev.sh` built, never from
 * `@temporalio/testing`'s run-time download (which fails on machines without internet). Each
 * registers weft's search attributes from `src/core/search-attributes.json`.
 */
import { fileURLToPath } from 'node:url';
import { defineSearchAttributeKey, type SearchAttributeType } from '@temporalio/common';
// @temporalio/proto is CommonJS: a named value import works under vitest but not under Node's ESM loader.
import proto, { type temporal } from '@temporalio/proto';
import type { Client, WorkflowExecutionInfo } from '@temporalio/client';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { searchAttributeDefinitions } from '../../src/core/search-attributes.js';
import { temporalPaths } from './paths.js';

const { IndexedValueType } = proto.temporal.api.enums.v1;

/** `SearchAttributeType` (SDK) to `IndexedValueType` (wire), for the operator service. */
const INDEXED_VALUE_TYPE: Readonly<Record<SearchAttributeType, temporal.api.enums.v1.IndexedValueType>> = {
  TEXT: IndexedValueType.INDEXED_VALUE_TYPE_TEXT,
  KEYWORD: IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD,
  INT: IndexedValueType.INDEXED_VALUE_TYPE_INT,
  DOUBLE: IndexedValueType.INDEXED_VALUE_TYPE_DOUBLE,
  BOOL: IndexedValueType.INDEXED_VALUE_TYPE_BOOL,
  DATETIME: IndexedValueType.INDEXED_VALUE_TYPE_DATETIME,
  KEYWORD_LIST: IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD_LIST,
};

/** The namespace both environments use. */
export const TEST_NAMESPACE = 'default';

/**
 * Start the time-skipping test server (Java, from the cache) and register every `Weft*` search
 * attribute in it. Awaiting a workflow result skips timers, so a day passes in milliseconds.
 * Call `teardown()` when done.
 */
export async function startTimeSkippingEnv(): Promise<TestWorkflowEnvironment> {
  const env = await TestWorkflowEnvironment.createTimeSkipping({
    server: { executable: { type: 'existing-path', path: temporalPaths().testServer } },
  });
  try {
    // The test server rejects workflows that use unregistered search attributes.
    const searchAttributes: Record<string, temporal.api.enums.v1.IndexedValueType> = {};
    for (const [name, type] of Object.entries(searchAttributeDefinitions())) {
      searchAttributes[name] = INDEXED_VALUE_TYPE[type];
    }
    await env.connection.operatorService.addSearchAttributes({ namespace: TEST_NAMESPACE, searchAttributes });
  } catch (error) {
    await env.teardown();
    throw error;
  }
  return env;
}

/**
 * Start a Temporal dev server (the CLI from the cache; in-memory SQLite, headless, on random
 * free ports of 127.0.0.1) with every `Weft*` search attribute registered. Real server rules
 * and visibility, real time. Call `teardown()` when done.
 */
export async function startDevServerEnv(): Promise<TestWorkflowEnvironment> {
  return TestWorkflowEnvironment.createLocal({
    server: {
      executable: { type: 'existing-path', path: temporalPaths().cli },
      ip: '127.0.0.1',
      namespace: TEST_NAMESPACE,
      searchAttributes: Object.entries(searchAttributeDefinitions()).map(([name, type]) =>
        defineSearchAttributeKey(name, type),
      ),
      // No phoning home for version checks (the same as TEMPORAL_VERSION_CHECK_DISABLED=1).
      extraArgs: ['--dynamic-config-value', 'frontend.enableServerVersionCheck=false'],
    },
  });
}

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
