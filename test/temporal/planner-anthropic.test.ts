/**
 * The engine planning through `anthropicPlanner` and the real SDK against the loopback Messages
 * API server, in Temporal's time-skipping environment: re-planning with diagnostics in the prompt
 * (and with the cached prefix read back, tokens by class in the planning record),
 * provider outages past the activity's retries (fallback), non-retryable auth failures (fail or
 * park), and the cost search attribute adding up the recorded calls.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { roundUsd } from '../../src/core/budget.js';
import { diagnosticLine } from '../../src/planner/prompt-text.js';
import { anthropicPlanner, type AnthropicPlannerOptions } from '../../src/planner/anthropic.js';
import { operateUpdate } from '../../workflows/definitions.js';
import { startAnthropicServer, type AnthropicTestServer } from '../support/anthropic-server.js';
import { fragment, runTask, step, testTemplate, waitForStep } from '../support/engine.js';
import { useTimeSkippingEngine } from '../support/suite.js';

const engine = useTimeSkippingEngine();
let server: AnthropicTestServer;

beforeAll(async () => {
  server = await startAnthropicServer();
});
afterAll(async () => {
  await server?.close();
});
beforeEach(() => server.reset());

function planner(options: AnthropicPlannerOptions = {}) {
  return anthropicPlanner({ apiKey: 'sk-test', baseURL: server.baseURL, maxRetries: 0, timeoutMs: 5000, env: {}, ...options });
}

const sumFragment = fragment([
  step('double_seed', 'add', { values: ['${steps.seed.output.value}', '${steps.seed.output.value}'] }, ['seed']),
  step('plus_ten', 'add', { values: ['${steps.double_seed.output.value}', 10] }, ['double_seed']),
]);
const fastRetries = { retry: { maximumAttempts: 2, initialIntervalMs: 10 } };

describe('the engine planning through anthropicPlanner', () => {
  it('re-plans an invalid fragment with its diagnostics in the next prompt, runs the valid one, and WeftCostUsd adds up the calls', async () => {
    const invalid = fragment([step('fetch', 'http_get', { url: 'x' })]);
    server.script({ fragment: invalid, usage: { input_tokens: 2000, output_tokens: 400 } }, { fragment: sumFragment, usage: { input_tokens: 2600, output_tokens: 500 } });
    const { result, planning, searchAttributes } = await runTask({ ...engine, template: testTemplate(), planner: planner(), input: { n: 4 } });
    expect(result?.outputs['converge']).toMatchObject({ keys: ['plus_ten'], results: { plus_ten: { value: 18 } } });
    expect(server.requests).toHaveLength(2);
    expect(planning.map((a) => [a.attempt, a.accepted, a.llmCalls])).toEqual([[1, false, 1], [2, true, 1]]);
    const diagnostic = planning[0]!.diagnostics[0]!;
    expect(diagnostic.code).toBe('HANDLER_UNKNOWN');
    const secondPrompt = server.requests[1]!.body!.messages[0]!.content as string;
    // the failure context carries the rejected attempt's diagnostics verbatim
    for (const d of planning[0]!.diagnostics) expect(secondPrompt).toContain(diagnosticLine(d));
    expect(server.requests[0]!.body!.messages[0]!.content as string).not.toContain(diagnostic.code);
    // claude-sonnet-4-6 at $3/$15 per million tokens
    const costs = planning.map((a) => a.costUsd);
    expect(costs[0]).toBeCloseTo((2000 * 3 + 400 * 15) / 1e6, 12);
    expect(costs[1]).toBeCloseTo((2600 * 3 + 500 * 15) / 1e6, 12);
    // the budget ledger keeps whole micro-dollars
    expect(searchAttributes['WeftCostUsd']).toEqual([roundUsd(costs[0]! + costs[1]!)]);
    expect(planning[1]!.prompt).toContain(secondPrompt);
  });

  it("a re-plan sends a byte-identical cached prefix and reads it; layer 2 records every call's tokens by class and WeftCostUsd adds up their costs", async () => {
    const invalid = fragment([step('fetch', 'http_get', { url: 'x' })]);
    server.script({ fragment: invalid }, { fragment: sumFragment });
    const { result, planning, searchAttributes } = await runTask({ ...engine, template: testTemplate(), planner: planner({ tier: 2 }), input: { n: 4 } });
    expect(result?.outputs['converge']).toMatchObject({ keys: ['plus_ten'] });
    const [a, b] = server.requests.map((r) => r.body!);
    for (const part of ['tools', 'system', 'output_config'] as const) expect(JSON.stringify(b![part])).toBe(JSON.stringify(a![part]));
    expect(b!.messages[0]!.content).toContain('HANDLER_UNKNOWN');
    expect(planning.map((p) => p.outputMode)).toEqual(['structured', 'structured']);
    const [first, second] = planning.map((p) => p.usage!);
    expect(first!.calls).toHaveLength(1);
    expect(first!.cacheWrite5m).toBeGreaterThan(1024);
    expect(second!).toMatchObject({ cacheRead: first!.cacheWrite5m, cacheWrite5m: 0 });
    expect(planning[1]!.inputTokens).toBe(second!.input + second!.cacheRead);
    // claude-sonnet-4-6: $3 input, $3.75 5-minute cache write, $0.30 cache read, $15 output per million tokens
    const byClass = (u: typeof first) => (u!.input * 3 + u!.cacheWrite5m * 3.75 + u!.cacheRead * 0.3 + u!.output * 15) / 1e6;
    expect(planning[0]!.costUsd).toBeCloseTo(byClass(first), 12);
    expect(planning[1]!.costUsd).toBeCloseTo(byClass(second), 12);
    // the ledger rounds to whole micro-dollars as it charges each attempt
    expect(searchAttributes['WeftCostUsd']).toEqual([roundUsd(roundUsd(planning[0]!.costUsd) + planning[1]!.costUsd)]);
    expect(planning.every((p) => p.thinking === null)).toBe(true);
  });

  it("sends the planning step's thinking and effort (template settings) and keeps the thinking text out of the record", async () => {
    server.script({ fragment: sumFragment, thinking: 'Double the seed, then add ten.' });
    const template = testTemplate({ planner: { thinking: 'adaptive', effort: 'high' } });
    const { result, planning } = await runTask({ ...engine, template, planner: planner() });
    expect(result?.outputs['converge']).toMatchObject({ keys: ['plus_ten'] });
    expect(server.requests[0]!.body).toMatchObject({ thinking: { type: 'adaptive' }, output_config: { effort: 'high' } });
    expect(server.requests[0]!.body!.tool_choice).toBeUndefined();
    expect(planning[0]!.usage!.thinking).toBeGreaterThan(0);
    expect(planning[0]!.thinking).toBeNull();
    expect(JSON.stringify(planning)).not.toContain('Double the seed, then add ten.');
  });

  it('uses the fallback fragment when the provider answers 500 past the activity retries', async () => {
    server.script({ status: 500 }, { status: 500 });
    const template = testTemplate({ fallback: sumFragment, failure: fastRetries });
    const { result, planning, searchAttributes, budget } = await runTask({ ...engine, template, planner: planner(), input: { n: 1 } });
    expect(server.requests).toHaveLength(2);
    expect(server.unexpected).toBe(0);
    expect(result?.outputs['converge']).toMatchObject({ results: { plus_ten: { value: 12 } } });
    expect(planning.map((a) => `${a.source}:${a.accepted}`)).toEqual(['planner:false', 'fallback:true']);
    expect(planning[0]!.error?.type).toBe('PROVIDER_UNAVAILABLE');
    expect(searchAttributes['WeftCostUsd']).toEqual([0]);
    // both failed calls are accounted: on the attempt, with what is known, and in the budget
    expect(planning[0]!.llmCalls).toBe(2);
    expect(planning[0]!.model).toBe('claude-sonnet-4-6');
    expect(planning[0]!.failedCalls?.map((c) => [c.errorType, c.status, c.model, c.inputTokens, c.outputTokens, c.activityAttempt])).toEqual([
      ['PROVIDER_UNAVAILABLE', 500, 'claude-sonnet-4-6', 0, 0, 1],
      ['PROVIDER_UNAVAILABLE', 500, 'claude-sonnet-4-6', 0, 0, 2],
    ]);
    expect(planning[0]!.failedCalls!.every((c) => c.latencyMs >= 0 && c.message.includes('500'))).toBe(true);
    expect(budget.ledger.used.llmCalls).toBe(2);
    expect(budget.line).toContain('2/20 LLM calls');
  });

  it('waits out a 429 retry-after through a Temporal retry, then plans', async () => {
    server.script({ status: 429, headers: { 'retry-after': '1' } }, { fragment: sumFragment });
    const { result, planning, budget } = await runTask({ ...engine, template: testTemplate({ failure: fastRetries }), planner: planner() });
    expect(server.requests).toHaveLength(2);
    expect(result?.outputs['converge']).toMatchObject({ keys: ['plus_ten'] });
    expect(planning.map((a) => a.accepted)).toEqual([true]);
    // the 429 is a call: counted on the attempt that succeeded after it, and in the budget
    expect(planning[0]!.llmCalls).toBe(2);
    expect(planning[0]!.failedCalls?.map((c) => [c.errorType, c.status, c.activityAttempt])).toEqual([['PROVIDER_RATE_LIMITED', 429, 1]]);
    expect(budget.ledger.used.llmCalls).toBe(2);
  });

  it('does not retry a 401 and fails the planning step', async () => {
    server.script({ status: 401 });
    const template = testTemplate({ failure: { retry: { maximumAttempts: 5, initialIntervalMs: 10 } } });
    const { error, planning, budget } = await runTask({ ...engine, template, planner: planner() });
    expect(server.requests).toHaveLength(1);
    expect(planning[0]).toMatchObject({ llmCalls: 1, model: 'claude-sonnet-4-6', inputTokens: 0, outputTokens: 0 });
    expect(planning[0]!.failedCalls?.map((c) => [c.errorType, c.status])).toEqual([['PROVIDER_AUTH', 401]]);
    expect(budget.line).toContain('1/20 LLM calls');
    expect(error).not.toBeNull();
    expect(String((error as Error & { cause?: Error }).cause?.message)).toMatch(/PLANNING_EXHAUSTED/);
    expect(planning).toHaveLength(1);
    expect(planning[0]!.error).toMatchObject({ type: 'PROVIDER_AUTH' });
    expect(planning[0]!.error!.message).toContain('check ANTHROPIC_API_KEY');
  });

  it('parks the planning step after a 401 when configured to, and an operator retry plans again', async () => {
    server.script({ status: 401 }, { fragment: sumFragment });
    const template = testTemplate({ onExhausted: 'park', failure: { retry: { maximumAttempts: 5, initialIntervalMs: 10 } } });
    const { result } = await runTask({
      ...engine,
      template,
      planner: planner(),
      during: async (h) => {
        await waitForStep(h, 'plan', 'parked');
        expect(server.requests).toHaveLength(1);
        await h.executeUpdate(operateUpdate, { args: [{ step: 'plan', action: 'retry', by: 'tester' }] });
      },
    });
    expect(server.requests).toHaveLength(2);
    expect(result?.outputs['converge']).toMatchObject({ keys: ['plus_ten'] });
  });
});
