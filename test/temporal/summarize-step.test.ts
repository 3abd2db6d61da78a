/**
 * Results of 10–100 KB get an LLM summary as a visible `summarize` step before the planner sees
 * them (through the real SDK against the local Messages API server); a failed summary degrades to
 * the structured view without failing the task.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSummarizeHandler } from '../../catalog/summarize.js';
import { scriptedPlanner } from '../../src/planner/scripted.js';
import type { PlanningRequest } from '../../src/planner/types.js';
import { startAnthropicServer, type AnthropicTestServer } from '../support/anthropic-server.js';
import { fragment, runTask, step, testTemplate } from '../support/engine.js';
import { useTimeSkippingEngine } from '../support/suite.js';
import { testHandlers } from '../support/test-handlers.js';

const engine = useTimeSkippingEngine();
let server: AnthropicTestServer;

beforeAll(async () => {
  server = await startAnthropicServer();
});
afterAll(async () => {
  await server?.close();
});

function twoPhases(requests: PlanningRequest[]) {
  return scriptedPlanner((req) => {
    requests.push(req);
    if (req.phase === 1) return fragment([step('rows', 'make_rows', { count: 600 })], 'replan');
    return fragment([step('total', 'sum_rows', { rows: '${steps.rows.output.rows}' })]);
  });
}

describe('summarize steps', () => {
  it('summarizes a 10–100 KB result in a visible step and shows the planner the summary', async () => {
    server.reset();
    server.script({ text: '600 rows with ids row-0..row-599 and amounts 0..599.', usage: { input_tokens: 8000, output_tokens: 40 } });
    const requests: PlanningRequest[] = [];
    const handlers = [...testHandlers, createSummarizeHandler({ apiKey: 'test-key', baseURL: server.baseURL, model: 'claude-sonnet-4-6' })];
    const { result, steps, searchAttributes } = await runTask({ ...engine, template: testTemplate({ maxPhases: 2 }), planner: twoPhases(requests), handlers });
    expect(result?.outputs['converge']).toMatchObject({ results: { total: { count: 600 } } });
    const summaryStep = steps.find((s) => s.name === 'summarize_rows');
    expect(summaryStep).toMatchObject({ handler: 'summarize', state: 'completed', dependencies: ['rows'], provenance: { createdBy: 'planning_step', planningStep: 'plan', planningPhase: 2 } });
    const seen = requests[1]!.results.find((r) => r.step === 'rows');
    expect(seen).toMatchObject({ mode: 'summary', summarizedBy: 'summarize_rows', summary: '600 rows with ids row-0..row-599 and amounts 0..599.' });
    // the data went to the model inside a data block
    expect(JSON.stringify(server.requests[0]!.body)).toContain('<task_data source=\\"result\\">');
    // 8000 in + 40 out at $3/$15 per million
    expect(searchAttributes['WeftCostUsd']).toEqual([0.0246]);
    expect(searchAttributes['WeftHandlers']).toEqual(expect.arrayContaining(['summarize']));
  });

  it('falls back to the structured view when summarizing fails, and the task still completes', async () => {
    server.reset();
    server.script({ status: 401 });
    const requests: PlanningRequest[] = [];
    const handlers = [...testHandlers, createSummarizeHandler({ apiKey: 'bad-key', baseURL: server.baseURL })];
    const { result, steps } = await runTask({ ...engine, template: testTemplate({ maxPhases: 2 }), planner: twoPhases(requests), handlers });
    expect(result?.outputs['converge']).toMatchObject({ results: { total: { count: 600 } } });
    expect(steps.find((s) => s.name === 'summarize_rows')).toMatchObject({ state: 'failed', error: { type: 'PROVIDER_AUTH' } });
    expect(requests[1]!.results.find((r) => r.step === 'rows')).toMatchObject({ mode: 'structured' });
  });
});
