/**
 * `fan_out` at scale on a real dev server: 1,000 items, one per partition, 20 at once. Past 500
 * partitions the children run in slices (child workflows of 500 steps each), yet every child is a
 * step and an activity of its own with `batch_spawn` provenance, the results come back in item
 * order (joined in the blob store), and a visibility query on `WeftCreatedBy` finds the task.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveBlobs } from '../../src/blob/resolve.js';
import { localBlobStore } from '../../src/blob/store.js';
import { isBlobRef } from '../../src/core/blob.js';
import type { JsonValue } from '../../src/core/json.js';
import { scriptedPlanner } from '../../src/planner/scripted.js';
import { findByQuery, startDevServerEnv } from '../support/environments.js';
import { bundle, fragment, runTask, step, testTemplate, type TaskRunOutcome } from '../support/engine.js';
import { concurrencyOf } from '../support/test-handlers.js';

const ITEMS = 1_000;
const CONCURRENCY = 20;

let env: TestWorkflowEnvironment;
let workflowBundle: WorkflowBundleWithSourceMap;
let outcome: TaskRunOutcome;
const workflowId = `fan-out-e2e-${process.pid}-${Date.now()}`;
const blobStore = localBlobStore(mkdtempSync(join(tmpdir(), 'weft-fan-out-e2e-')));

beforeAll(async () => {
  [env, workflowBundle] = await Promise.all([startDevServerEnv(), bundle()]);
  outcome = await runTask({
    env,
    workflowBundle,
    workflowId,
    blobStore,
    template: testTemplate({}, { maxSteps: ITEMS + 20 }),
    planner: scriptedPlanner(() =>
      fragment([
        step('make', 'make_rows', { count: ITEMS }),
        step('fan', 'fan_out', { items: '${steps.make.output.rows}', handler: 'batch_echo', partition_size: 1, concurrency: CONCURRENCY, with: { ms: 20 } }, ['make']),
        step('after', 'add', { values: ['${steps.fan.output.succeeded}'] }, ['fan']),
      ]),
    ),
    detailsOf: (steps) => steps.filter((s) => s.spawnedBy === null),
  });
}, 300_000);

afterAll(async () => {
  await env?.teardown();
});

describe('fan_out with 1,000 items at a concurrency of 20 (dev server)', () => {
  it('completes, with every partition result in item order', async () => {
    expect(outcome.error).toBeNull();
    expect(outcome.result?.outputs['converge']).toMatchObject({ results: { after: { value: ITEMS } } });
    const fan = outcome.details['fan']!.output as { results: JsonValue; partitions: number; succeeded: number; failed: unknown[] };
    expect(fan).toMatchObject({ partitions: ITEMS, succeeded: ITEMS, failed: [] });
    // a thousand results would crowd the task's history: they were joined in the blob store
    expect(isBlobRef(fan.results)).toBe(true);
    const results = (await resolveBlobs(fan.results, blobStore)) as { items: { id: string }[] }[];
    expect(results.map((r) => r.items[0]!.id)).toEqual(Array.from({ length: ITEMS }, (_, i) => `row-${i}`));
  });

  it('ran exactly 20 children at a time at most, and reached 20', () => {
    expect(concurrencyOf(workflowId).max).toBe(CONCURRENCY);
  });

  it('shows every child as a step with batch_spawn provenance', () => {
    const children = outcome.steps.filter((s) => s.spawnedBy === 'fan');
    expect(children).toHaveLength(ITEMS);
    const fragmentId = outcome.steps.find((s) => s.name === 'fan')!.provenance.fragmentId;
    children.forEach((c, i) => {
      expect(c.name).toBe(`fan[${i}]`);
      expect(c.state).toBe('completed');
      expect(c.provenance).toEqual({
        createdBy: 'batch_spawn',
        planningStep: 'plan',
        fragmentId,
        planningPhase: 1,
        planningReasoning: `partition ${i + 1} of ${ITEMS} of fan (item ${i})`,
      });
    });
    expect(outcome.result?.steps).toMatchObject({ spawned: ITEMS });
    expect(outcome.budget.ledger.used.steps).toBe(3 + 3 + ITEMS);
  });

  it('runs every child as its own activity of a slice, named by the step, with a spawned-by summary', async () => {
    const history = await outcome.handle.fetchHistory();
    const slices = (history.events ?? []).flatMap((e) => (e.startChildWorkflowExecutionInitiatedEventAttributes ? [e.startChildWorkflowExecutionInitiatedEventAttributes.workflowId!] : []));
    expect(slices).toEqual([`${workflowId}/fan#0`, `${workflowId}/fan#1`]);
    const sliceHistories = await Promise.all(slices.map((id) => env.client.workflow.getHandle(id).fetchHistory()));
    const scheduled = sliceHistories.flatMap((h) => (h.events ?? []).flatMap((e) => (e.activityTaskScheduledEventAttributes ? [e] : [])));
    const children = scheduled.filter((e) => e.activityTaskScheduledEventAttributes!.activityId!.startsWith('fan['));
    expect(children).toHaveLength(ITEMS);
    const summaries = children.map((e) => Buffer.from(e.userMetadata!.summary!.data!).toString());
    expect(summaries.every((s, i) => s.startsWith(`"${children[i]!.activityTaskScheduledEventAttributes!.activityId!} · batch_echo · spawned by fan (phase 1, `))).toBe(true);
    expect(new Set(children.map((e) => e.activityTaskScheduledEventAttributes!.activityId)).size).toBe(ITEMS);
    // each run well inside Temporal's 51,200-event limit; the task's own run holds no child activity
    for (const h of [history, ...sliceHistories]) expect(h.events!.length).toBeLessThan(5 * ITEMS);
    expect(history.events!.length).toBeLessThan(200);
  });

  it("shows the children as one row of counts under the fan-out in the Web UI's details", () => {
    const details = outcome.currentDetails;
    expect(details).toContain(`${3 + 3 + ITEMS} steps (3 from the template, ${3 + ITEMS} planned, ${ITEMS} of them spawned by fan-outs)`);
    expect(details).toMatch(/^- fan · completed · fan\\_out · planning\\_step by plan \(phase 1, plan:p1:[0-9a-f]{8}\)[^\n]*\n {2}- fan\\\[0…999\\\]: 1000 completed \(batch\\_spawn\)$/m);
    expect(details).not.toContain('fan\\[1\\] ·');
  });

  it("keeps the memo's provenance table compact: the fan-out listed, its children counted", async () => {
    const memo = (await outcome.handle.describe()).memo as { weft_steps: unknown[][]; weft_spawned: Record<string, number> };
    expect(memo.weft_spawned).toEqual({ fan: ITEMS });
    expect(memo.weft_steps.map((r) => r[0])).toEqual(['seed', 'plan', 'converge', 'make', 'fan', 'after']);
  });

  it('is found by a visibility query on WeftCreatedBy', async () => {
    const query = `WorkflowId = '${workflowId}' AND WeftCreatedBy = 'batch_spawn'`;
    const found = await findByQuery(env.client, query);
    expect(found.map((wf) => wf.workflowId)).toEqual([workflowId]);
  });
});
