/**
 * Smoke test of the dev server built by temporal-dev.sh: a workflow upserts every weft search
 * attribute, and a visibility query on each attribute finds it with the values it wrote.
 */
import { randomUUID } from 'node:crypto';
import type { WorkflowExecutionInfo } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSmokeActivities } from '../../activities/smoke.js';
import { SA } from '../../src/core/search-attributes.js';
import { smokeUpsertSearchAttributes, type SmokeSearchAttributeValues } from '../../workflows/smoke.js';
import { bundlerOptions } from '../../src/bundler.js';
import { findByQuery, startDevServerEnv, workflowsPath } from '../support/environments.js';

// Visibility is eventually consistent: a completed workflow shows up in queries a little later.
const VISIBILITY_WAIT_MS = 15_000;

type SaName = keyof typeof SA;

/** A visibility-query predicate that holds for `value` of an attribute of the key's type. */
function predicate(key: (typeof SA)[SaName], value: unknown): string {
  switch (key.type) {
    case 'KEYWORD':
      return `${key.name} = '${String(value)}'`;
    case 'INT':
    case 'BOOL':
      return `${key.name} = ${String(value)}`;
    case 'DOUBLE':
      // Floating-point equality is brittle in SQL; a narrow range says the same.
      return `${key.name} > ${Number(value) - 0.001} AND ${key.name} < ${Number(value) + 0.001}`;
    case 'KEYWORD_LIST':
      // `=` on a KeywordList matches any element; query by the last one.
      return `${key.name} = '${String((value as string[]).at(-1))}'`;
  }
}

describe('dev server (cached Temporal CLI)', () => {
  let env: TestWorkflowEnvironment | undefined;

  beforeAll(async () => {
    env = await startDevServerEnv();
  });

  afterAll(async () => {
    await env?.teardown();
  });

  it('finds a workflow by a visibility query on each Weft* search attribute it upserted', async () => {
    if (env === undefined) throw new Error('the dev server environment did not start');
    const { client, nativeConnection } = env;
    const run = randomUUID();
    const values: SmokeSearchAttributeValues = {
      template: `smoke-template-${run}`,
      state: 'converging',
      planningPhases: 2,
      stepsUsed: 14,
      validationFailures: 1,
      costUsd: 0.42,
      budgetExhausted: true,
      createdBy: ['template', 'planner'],
      handlers: ['http_request', 'transform', 'validate'],
      fragments: [`fragment-${run}`],
    };
    const taskQueue = `smoke-${run}`;
    const workflowId = `smoke-search-attributes-${run}`;
    const worker = await Worker.create({
      connection: nativeConnection,
      taskQueue,
      workflowsPath: workflowsPath('smoke.ts'),
      bundlerOptions,
      activities: createSmokeActivities(),
    });
    await worker.runUntil(
      client.workflow.execute(smokeUpsertSearchAttributes, { args: [values], taskQueue, workflowId }),
    );

    const names = Object.keys(SA) as SaName[];
    expect(names).toHaveLength(10);
    let info: WorkflowExecutionInfo | undefined;
    for (const name of names) {
      const key = SA[name];
      const query = `WorkflowId = '${workflowId}' AND ${predicate(key, values[name])}`;
      const found = await findByQuery(client, query, VISIBILITY_WAIT_MS);
      expect(found.map((each) => each.workflowId), `query on ${key.name}: ${query}`).toEqual([workflowId]);
      info = found[0];
    }
    for (const name of names) {
      expect(info?.typedSearchAttributes.get(SA[name]), `decoded ${SA[name].name}`).toEqual(values[name]);
    }
  });
});
