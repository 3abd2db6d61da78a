/**
 * Temporal test environments started from the cached executables (see `servers.ts`), each with
 * weft's search attributes registered. `@temporalio/testing` is an optional peer dependency of
 * weft: install it beside weft to use these.
 */
import type * as Testing from '@temporalio/testing';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { searchAttributeDefinitions } from '../core/search-attributes.js';
import { ensureTemporalServer } from './servers.js';

/** The namespace both environments use. */
export const TEST_NAMESPACE = 'default';

async function testingPackage(): Promise<typeof Testing> {
  try {
    return await import('@temporalio/testing');
  } catch (err) {
    throw new Error(
      `weft's test environments need @temporalio/testing beside weft: npm i -D @temporalio/testing@1.24.0 (${(err as Error).message})`,
    );
  }
}

/**
 * Starts the time-skipping test server (Java, from the cache; built if missing) and registers
 * every `Weft*` search attribute in it. Awaiting a workflow result skips timers, so a day passes
 * in milliseconds. Call `teardown()` when done.
 */
export async function startTimeSkippingEnv(): Promise<TestWorkflowEnvironment> {
  const { testServer } = ensureTemporalServer('test-server');
  const { TestWorkflowEnvironment } = await testingPackage();
  const { default: proto } = await import('@temporalio/proto');
  const { IndexedValueType } = proto.temporal.api.enums.v1;
  const env = await TestWorkflowEnvironment.createTimeSkipping({ server: { executable: { type: 'existing-path', path: testServer } } });
  try {
    // The test server rejects workflows that use unregistered search attributes.
    const wire = {
      TEXT: IndexedValueType.INDEXED_VALUE_TYPE_TEXT,
      KEYWORD: IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD,
      INT: IndexedValueType.INDEXED_VALUE_TYPE_INT,
      DOUBLE: IndexedValueType.INDEXED_VALUE_TYPE_DOUBLE,
      BOOL: IndexedValueType.INDEXED_VALUE_TYPE_BOOL,
      DATETIME: IndexedValueType.INDEXED_VALUE_TYPE_DATETIME,
      KEYWORD_LIST: IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD_LIST,
    } as const;
    const searchAttributes = Object.fromEntries(Object.entries(searchAttributeDefinitions()).map(([name, type]) => [name, wire[type]]));
    await env.connection.operatorService.addSearchAttributes({ namespace: TEST_NAMESPACE, searchAttributes });
  } catch (error) {
    await env.teardown();
    throw error;
  }
  return env;
}

/**
 * Starts a Temporal dev server (the CLI from the cache; built if missing — minutes, once) on random
 * free ports of 127.0.0.1, in-memory, with every `Weft*` search attribute registered: real server
 * rules and visibility, real time. Call `teardown()` when done.
 */
export async function startDevServerEnv(): Promise<TestWorkflowEnvironment> {
  const { cli } = ensureTemporalServer('cli');
  const { TestWorkflowEnvironment } = await testingPackage();
  const { defineSearchAttributeKey } = await import('@temporalio/common');
  return TestWorkflowEnvironment.createLocal({
    server: {
      executable: { type: 'existing-path', path: cli },
      ip: '127.0.0.1',
      namespace: TEST_NAMESPACE,
      searchAttributes: Object.entries(searchAttributeDefinitions()).map(([name, type]) => defineSearchAttributeKey(name, type)),
      // No phoning home for version checks (the same as TEMPORAL_VERSION_CHECK_DISABLED=1).
      extraArgs: ['--dynamic-config-value', 'frontend.enableServerVersionCheck=false'],
    },
  });
}
