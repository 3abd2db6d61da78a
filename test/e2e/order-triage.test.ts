/**
 * The example end to end on a real dev server: it completes with no task input at all, a
 * visibility query on `WeftCreatedBy` finds it, and the memo, current details, activity IDs and
 * activity summaries hold what DESIGN.md says operators see.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defaultPayloadConverter } from '@temporalio/common';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registry } from '../../examples/registry.js';
import { createWeftWorker } from '../../src/worker.js';
import type { TaskResult } from '../../workflows/definitions.js';
import { weftTask } from '../../workflows/task.js';
import { findByQuery, startDevServerEnv } from '../support/environments.js';

let env: TestWorkflowEnvironment;
let workflowId: string;
let result: TaskResult;
let history: Awaited<ReturnType<ReturnType<TestWorkflowEnvironment['client']['workflow']['getHandle']>['fetchHistory']>>;
let currentDetails: string;

beforeAll(async () => {
  env = await startDevServerEnv();
  const taskQueue = `e2e-order-triage-${randomUUID()}`;
  process.env['WEFT_REPORT_DIR'] = mkdtempSync(join(tmpdir(), 'weft-report-'));
  const worker = await createWeftWorker({
    connection: env.nativeConnection,
    taskQueue,
    handlers: registry.handlers,
    templates: registry.templates,
    planner: registry.planner!,
  });
  workflowId = `order-triage-e2e-${randomUUID()}`;
  await worker.runUntil(async () => {
    const handle = await env.client.workflow.start(weftTask, { taskQueue, workflowId, args: [{ template: 'order-triage', input: {} }] });
    result = await handle.result();
    history = await handle.fetchHistory();
    // Current details are served by the built-in metadata query, which needs the worker.
    const meta = await handle.query<{ currentDetails?: string }>('__temporal_workflow_metadata');
    currentDetails = meta.currentDetails ?? '';
  });
});

afterAll(async () => {
  await env?.teardown();
});

describe('order-triage on the dev server', () => {
  it('completes with the task input defaulted by the template', () => {
    expect(result.partial).toBe(false);
    expect(result.steps).toEqual({ total: 12, template: 4, planned: 8, spawned: 0 });
    expect(result.result).toMatchObject({ markdown_path: expect.stringMatching(/\.md$/) as unknown });
  });

  it("is found by a visibility query on WeftCreatedBy = 'planning_step'", async () => {
    const query = `WeftCreatedBy = 'planning_step' AND WeftTemplate = 'order-triage' AND WorkflowId = '${workflowId}'`;
    const found = await findByQuery(env.client, query);
    expect(found.map((wf) => wf.workflowId)).toEqual([workflowId]);
    const desc = await env.client.workflow.getHandle(workflowId).describe();
    expect(desc.searchAttributes).toMatchObject({
      WeftTemplate: ['order-triage'],
      WeftState: ['completed'],
      WeftPlanningPhases: [1],
      WeftStepsUsed: [12],
      WeftValidationFailures: [0],
      WeftBudgetExhausted: [false],
      WeftCreatedBy: ['planning_step', 'template'],
    });
    expect(desc.searchAttributes['WeftHandlers']).toEqual(['aggregate', 'compose_report', 'decide', 'load_orders', 'transform', 'validate', 'write_report']);
    expect(desc.searchAttributes['WeftFragments']).toEqual([expect.stringMatching(/^plan_processing:p1:[0-9a-f]{8}$/)]);
  });

  it('keeps the template hash, budget ledger and provenance table in the memo', async () => {
    const desc = await env.client.workflow.getHandle(workflowId).describe();
    const memo = desc.memo as Record<string, unknown>;
    expect(memo['weft_template']).toBe('order-triage@1.0.0');
    expect(memo['weft_template_hash']).toBe(result.hash);
    expect(memo['weft_budget']).toMatchObject({ limits: { maxSteps: 40 }, used: { steps: 12, planningPhases: 1 } });
    const rows = memo['weft_steps'] as unknown[][];
    expect(rows).toHaveLength(12);
    expect(rows[0]).toEqual(['load_orders', 'template', 'load_orders', null, null]);
    expect(rows.filter((r) => r[1] === 'planning_step')).toHaveLength(8);
  });

  it('shows layer 1 in the current details: phases, step counts, budget and the step table', () => {
    expect(currentDetails).toContain('**order-triage@1.0.0** · completed');
    // Escaped lists (patch weft-10-operator-history): Web UI 2.42 renders no tables and reads $…$ as TeX.
    expect(currentDetails).toContain('1 planning phase, 12 steps (4 from the template, 8 planned); 12/40 steps, 1/2 phases, 0/8 LLM calls, \\$0.00/\\$2.00');
    expect(currentDetails).toMatch(/^- valid\\_orders · completed · validate · planning\\_step by plan\\_processing \(phase 1, plan\\_processing:p1:[0-9a-f]{8}\)/m);
    expect(currentDetails).toMatch(/^- load\\_orders · completed · load\\_orders · template static/m);
    expect(currentDetails).toContain('- plan\\_processing phase 1, attempt 1 (planner): accepted (plan\\_processing:p1:');
  });

  it('names every activity after its step, with handler and provenance in the summary', () => {
    const scheduled = (history.events ?? []).filter((e) => e.activityTaskScheduledEventAttributes);
    const byId = new Map<string, string>();
    for (const e of scheduled) {
      const summary = e.userMetadata?.summary ? defaultPayloadConverter.fromPayload<string>(e.userMetadata.summary) : '';
      byId.set(e.activityTaskScheduledEventAttributes!.activityId!, summary);
    }
    expect([...byId.keys()]).toEqual(expect.arrayContaining(['load_orders', 'plan_processing', 'valid_orders', 'summarize_results', 'publish_report']));
    // The step's name leads every label: the Web UI's timeline shows summaries, not activity IDs.
    expect(byId.get('load_orders')).toBe('load_orders · load_orders · static step of the template');
    expect(byId.get('plan_processing')).toBe('plan_processing · planner · planning step of the template · phase 1, attempt 1');
    expect(byId.get('valid_orders')).toMatch(/^valid_orders · validate · planned by plan_processing \(phase 1, plan_processing:p1:[0-9a-f]{8}\) · .+/);
    const types = scheduled.map((e) => e.activityTaskScheduledEventAttributes!.activityType!.name);
    expect(types).toEqual(expect.arrayContaining(['weftLoadTemplate', 'load_orders', 'weftPlan', 'validate', 'compose_report', 'write_report']));
  });
});
