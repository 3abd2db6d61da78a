/**
 * `anthropicPlanner` through the real `@anthropic-ai/sdk` against the loopback Messages API
 * server: what it sends, what it returns, how every call is accounted, and how each provider
 * failure is classified. Nothing here reaches the internet.
 */
import { ApplicationFailure } from '@temporalio/common';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ConfigError } from '../../src/config.js';
import { fragmentSchema } from '../../src/core/fragment.js';
import { validateFragment } from '../../src/core/validator/index.js';
import { anthropicPlanner, DEFAULT_MODEL, type AnthropicPlannerOptions } from '../../src/planner/anthropic.js';
import { composePlanningPrompt } from '../../src/planner/context.js';
import type { PlanningRequest } from '../../src/planner/types.js';
import { startAnthropicServer, type AnthropicTestServer } from '../support/anthropic-server.js';
import { allowed, catalog, ctx, request, valid } from '../support/planning-request.js';


let server: AnthropicTestServer;
beforeAll(async () => {
  server = await startAnthropicServer();
});
afterAll(async () => {
  await server?.close();
});
beforeEach(() => server.reset());

const env = {} as const;
function planner(options: AnthropicPlannerOptions = {}) {
  return anthropicPlanner({ apiKey: 'sk-test', baseURL: server.baseURL, maxRetries: 0, timeoutMs: 2000, env, ...options });
}
const plan = (options: AnthropicPlannerOptions = {}, req: PlanningRequest = request) => planner(options).plan(req, new AbortController().signal);

/** The failure a plan call rejected with (fails the test when it resolved). */
async function failureOf(promise: Promise<unknown>): Promise<ApplicationFailure> {
  const err = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ApplicationFailure);
  return err as ApplicationFailure;
}

describe('anthropicPlanner: a valid fragment', () => {
  it("output: 'tool' without caching sends the forced submit_fragment tool with the derived schema, the composed prompt, model and max_tokens, and accounts for the call", async () => {
    server.script({ fragment: valid, usage: { input_tokens: 1200, output_tokens: 300 } });
    const result = await plan({ maxTokens: 2048, tokenBudget: 9000, tier: 2, output: 'tool', promptCaching: 'off' });
    expect(server.requests).toHaveLength(1);
    const sent = server.requests[0]!;
    expect(sent.path).toBe('/v1/messages');
    expect(sent.headers['authorization']).toBe('Bearer sk-test');
    expect(sent.headers['anthropic-version']).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    const composed = composePlanningPrompt(request, { tokenBudget: 9000, tier: 2, describeHandlersTool: false });
    expect(sent.body).toMatchObject({ model: DEFAULT_MODEL, max_tokens: 2048, system: composed.system, tool_choice: { type: 'tool', name: 'submit_fragment' } });
    expect(sent.body!.messages).toEqual([{ role: 'user', content: composed.user }]);
    expect(sent.body!.tools?.map((t) => t.name)).toEqual(['submit_fragment']);
    const derived = z.toJSONSchema(fragmentSchema, { io: 'input', target: 'draft-2020-12' }) as Record<string, unknown>;
    delete derived['$schema'];
    expect(sent.body!.tools![0]!.input_schema).toEqual(derived);
    expect(result).toMatchObject({ output: valid, planner: `anthropic:${DEFAULT_MODEL}`, model: DEFAULT_MODEL, inputTokens: 1200, outputTokens: 300, llmCalls: 1 });
    // claude-sonnet-4-6: $3 in, $15 out per million tokens
    expect(result.costUsd).toBeCloseTo((1200 * 3 + 300 * 15) / 1e6, 12);
    expect(result.prompt).toBe(`${composed.system}\n\n${composed.user}`);
    expect(result.latencyMs).toBeGreaterThanOrEqual(0);
    expect(result.outputMode).toBe('tool');
    expect(sent.body!['output_config']).toBeUndefined();
    expect(sent.body!['thinking']).toBeUndefined();
    expect(validateFragment(result.output, ctx).ok).toBe(true);
  });

  it('reads WEFT_MODEL, ANTHROPIC_BASE_URL and ANTHROPIC_API_KEY, and costs from a given price table', async () => {
    server.script({ fragment: valid, usage: { input_tokens: 1_000_000, output_tokens: 1_000_000 } });
    const p = anthropicPlanner({ env: { ANTHROPIC_API_KEY: 'sk-env', ANTHROPIC_BASE_URL: server.baseURL, WEFT_MODEL: 'claude-haiku-4-5' }, maxRetries: 0, prices: { 'claude-haiku-4-5': { inputPerMTok: 2, outputPerMTok: 7 } } });
    const result = await p.plan(request, new AbortController().signal);
    expect(server.requests[0]!.headers['authorization']).toBe('Bearer sk-env');
    expect(server.requests[0]!.body!.model).toBe('claude-haiku-4-5');
    expect(result.costUsd).toBeCloseTo(9, 9);
  });

  it('costs an unknown model at the most expensive known rate and warns once', async () => {
    server.script({ fragment: valid, usage: { input_tokens: 1000, output_tokens: 1000 } }, { fragment: valid, usage: { input_tokens: 1000, output_tokens: 1000 } });
    const warnings: string[] = [];
    const p = planner({ model: 'claude-unreleased-9', warn: (m) => warnings.push(m) });
    const first = await p.plan(request, new AbortController().signal);
    await p.plan(request, new AbortController().signal);
    expect(first.costUsd).toBeCloseTo((1000 * 15 + 1000 * 75) / 1e6, 12);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/'claude-unreleased-9' is not in the price table.*prices:/);
  });
});

describe('anthropicPlanner: describe_handlers', () => {
  it('answers describe_handlers with tier-2 views of the named handlers, then takes the submitted fragment (two calls, tokens summed)', async () => {
    server.script(
      { toolUse: { name: 'describe_handlers', input: { names: ['add', 'emit_number'], tier: 2 } }, usage: { input_tokens: 1000, output_tokens: 50 } },
      { fragment: valid, usage: { input_tokens: 1500, output_tokens: 200 } },
    );
    const result = await plan({ describeHandlers: true, output: 'tool' });
    expect(result).toMatchObject({ output: valid, llmCalls: 2, inputTokens: 2500, outputTokens: 250 });
    expect(result.costUsd).toBeCloseTo((2500 * 3 + 250 * 15) / 1e6, 12);
    const [first, second] = server.requests;
    expect(first!.body!.tool_choice).toEqual({ type: 'any' });
    expect(first!.body!.tools?.map((t) => t.name)).toEqual(['submit_fragment', 'describe_handlers']);
    const messages = second!.body!.messages;
    expect(messages.map((m) => m.role)).toEqual(['user', 'assistant', 'user']);
    const toolUse = (messages[1]!.content as { type: string; id: string }[])[0]!;
    expect(toolUse).toMatchObject({ type: 'tool_use', name: 'describe_handlers' });
    const [toolResult] = messages[2]!.content as { type: string; tool_use_id: string; content: string; is_error?: boolean }[];
    expect(toolResult).toMatchObject({ type: 'tool_result', tool_use_id: toolUse.id });
    expect(toolResult!.is_error).toBeUndefined();
    expect(toolResult!.content).toContain(JSON.stringify(catalog['add']!.inputSchema));
    expect(toolResult!.content).toContain(JSON.stringify(catalog['emit_number']!.outputSchema));
    expect(toolResult!.content).not.toContain('- flaky');
    expect(toolResult!.content).not.toContain('error modes'); // tier 3 only
  });

  it('answers unknown or disallowed handler names with an error that lists the allowed ones', async () => {
    server.script({ toolUse: { name: 'describe_handlers', input: { names: ['collect', 'ad'], tier: 3 } } }, { fragment: valid });
    await plan({ describeHandlers: true });
    const [toolResult] = server.requests[1]!.body!.messages[2]!.content as { content: string; is_error?: boolean }[];
    expect(toolResult!.is_error).toBe(true);
    expect(toolResult!.content).toMatch(/'collect' is not a handler this planning step allows/);
    expect(toolResult!.content).toMatch(/'ad' is not a handler this planning step allows \(closest: add/);
    expect(toolResult!.content).toContain('Allowed handlers: add, emit_number, flaky');
  });

  it('stops after maxToolRounds: the next call forces submit_fragment', async () => {
    const describeAdd = { toolUse: { name: 'describe_handlers', input: { names: ['add'], tier: 2 } } } as const;
    server.script(describeAdd, describeAdd);
    const result = await plan({ describeHandlers: true, maxToolRounds: 1, output: 'tool' });
    expect(server.requests.map((r) => r.body!.tool_choice)).toEqual([{ type: 'any' }, { type: 'tool', name: 'submit_fragment' }]);
    expect(result.llmCalls).toBe(2);
    // the model ignored the forced tool: no fragment, so validation reports it
    expect(validateFragment(result.output, ctx).diagnostics.map((d) => d.code)).toEqual(['FRAGMENT_MALFORMED']);
  });
});

describe("anthropicPlanner: output that is not a fragment (output: 'tool', unconstrained)", () => {
  it('returns a text-only answer as text, which validation rejects as FRAGMENT_MALFORMED', async () => {
    server.script({ text: 'I think you should add the numbers.' });
    const result = await plan({ output: 'tool' });
    expect(result.output).toBe('I think you should add the numbers.');
    const v = validateFragment(result.output, ctx);
    expect(v.ok).toBe(false);
    expect(v.diagnostics.map((d) => d.code)).toEqual(['FRAGMENT_MALFORMED']);
  });

  it('returns tool input that is a string of broken JSON as given (FRAGMENT_MALFORMED)', async () => {
    const broken = '{"fragment_version": "1", "goal": "add", "steps": [';
    server.script({ toolUse: { name: 'submit_fragment', input: broken } });
    const result = await plan({ output: 'tool' });
    expect(result.output).toBe(broken);
    expect(validateFragment(result.output, ctx).diagnostics.map((d) => d.code)).toEqual(['FRAGMENT_MALFORMED']);
  });

  it('returns tool input that is not a fragment as given (FRAGMENT_MALFORMED with paths)', async () => {
    const notAFragment = { fragment_version: '1', goal: 'add', steps: 'add them' };
    server.script({ toolUse: { name: 'submit_fragment', input: notAFragment } });
    const result = await plan({ output: 'tool' });
    expect(result.output).toEqual(notAFragment);
    const v = validateFragment(result.output, ctx);
    expect(v.diagnostics.length).toBeGreaterThan(0);
    expect(v.diagnostics.every((d) => d.code === 'FRAGMENT_MALFORMED')).toBe(true);
    expect(v.diagnostics.map((d) => d.path)).toEqual(expect.arrayContaining(['/steps']));
  });
});

describe('anthropicPlanner: provider failures', () => {
  it('429 with retry-after → retryable PROVIDER_RATE_LIMITED whose next retry waits that long', async () => {
    server.script({ status: 429, headers: { 'retry-after': '7' } });
    const f = await failureOf(plan());
    expect(f.type).toBe('PROVIDER_RATE_LIMITED');
    expect(f.nonRetryable).toBe(false);
    expect(f.nextRetryDelay).toBe(7000);
    expect(f.message).toMatch(/answered 429 rate_limit_error: scripted 429 \(request id req_test_\d+\)/);
    expect(f.message).toContain('after 7 s (retry-after)');
    expect(f.details?.[0]).toMatchObject({ status: 429, requestId: server.requests[0]!.requestId, retryAfterMs: 7000 });
  });

  it('429 without retry-after → retryable, Temporal backoff decides', async () => {
    server.script({ status: 429 });
    const f = await failureOf(plan());
    expect(f.type).toBe('PROVIDER_RATE_LIMITED');
    expect(f.nextRetryDelay ?? null).toBeNull();
  });

  it('with maxRetries the SDK retries a 429 after its retry-after-ms, then succeeds', async () => {
    server.script({ status: 429, headers: { 'retry-after-ms': '30' } }, { fragment: valid });
    const result = await plan({ maxRetries: 1 });
    expect(server.requests).toHaveLength(2);
    expect(result.output).toEqual(valid);
  });

  it.each([500, 503, 529])('%i → retryable PROVIDER_UNAVAILABLE', async (status) => {
    server.script({ status });
    const f = await failureOf(plan());
    expect(f.type).toBe('PROVIDER_UNAVAILABLE');
    expect(f.nonRetryable).toBe(false);
    expect(f.message).toContain(`answered ${status}`);
    expect(f.message).toContain(server.requests[0]!.requestId);
  });

  it('400 → non-retryable PROVIDER_BAD_REQUEST with the provider message', async () => {
    server.script({ status: 400, body: { type: 'error', error: { type: 'invalid_request_error', message: 'tool_choice: forced tool use is not supported' } } });
    const f = await failureOf(plan());
    expect(f.type).toBe('PROVIDER_BAD_REQUEST');
    expect(f.nonRetryable).toBe(true);
    expect(f.message).toMatch(/answered 400 invalid_request_error: tool_choice: forced tool use is not supported \(request id req_test_\d+\)\. Not retried/);
  });

  it.each([401, 403])('%i → non-retryable PROVIDER_AUTH that says to check ANTHROPIC_API_KEY', async (status) => {
    server.script({ status });
    const f = await failureOf(plan());
    expect(f.type).toBe('PROVIDER_AUTH');
    expect(f.nonRetryable).toBe(true);
    expect(f.message).toContain('check ANTHROPIC_API_KEY');
    expect(server.requests).toHaveLength(1);
  });

  it('a response slower than timeoutMs → retryable PROVIDER_UNAVAILABLE', async () => {
    server.script({ fragment: valid, delayMs: 500 });
    const f = await failureOf(plan({ timeoutMs: 100 }));
    expect(f.type).toBe('PROVIDER_UNAVAILABLE');
    expect(f.nonRetryable).toBe(false);
    expect(f.message).toContain('did not answer within 100 ms');
  });

  it('a connection refused → retryable PROVIDER_UNAVAILABLE', async () => {
    const gone = await startAnthropicServer();
    await gone.close();
    const f = await failureOf(anthropicPlanner({ apiKey: 'sk-test', baseURL: gone.baseURL, maxRetries: 0, env }).plan(request, new AbortController().signal));
    expect(f.type).toBe('PROVIDER_UNAVAILABLE');
    expect(f.message).toContain('could not be reached');
  });

  it('a cancelled activity rejects with the cancellation reason, not a provider failure', async () => {
    server.script({ fragment: valid, delayMs: 300 });
    const controller = new AbortController();
    const reason = new Error('activity cancelled');
    const pending = planner().plan(request, controller.signal);
    setTimeout(() => controller.abort(reason), 20);
    await expect(pending).rejects.toBe(reason);
  });

  it('fails loudly when the script runs out', async () => {
    const f = await failureOf(plan());
    expect(f.type).toBe('PROVIDER_UNAVAILABLE');
    expect(f.message).toContain('the script ran out at request 1');
    expect(server.unexpected).toBe(1);
  });
});

describe('anthropicPlanner: configuration', () => {
  it('without a key it fails at construction, saying how to plan without one', () => {
    let err: unknown;
    try {
      anthropicPlanner({ env: {} });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as Error).message).toMatch(/ANTHROPIC_API_KEY is not set/);
    expect((err as Error).message).toMatch(/scriptedPlanner/);
    expect((err as Error).message).toMatch(/fallback fragment/);
  });

  it('names the variable when ANTHROPIC_BASE_URL or WEFT_MODEL is malformed', () => {
    expect(() => anthropicPlanner({ env: { ANTHROPIC_API_KEY: 'k', ANTHROPIC_BASE_URL: 'localhost:8080' } })).toThrow(/ANTHROPIC_BASE_URL='localhost:8080' is not an http\(s\) URL/);
    expect(() => anthropicPlanner({ env: { ANTHROPIC_API_KEY: 'k', WEFT_MODEL: 'claude sonnet' } })).toThrow(/WEFT_MODEL='claude sonnet' is not a model id/);
    expect(() => anthropicPlanner({ apiKey: 'k', env, maxToolRounds: -1 })).toThrow(/maxToolRounds=-1/);
  });
});

describe('budget', () => {
  it('does not make a call that could cost more than the cost budget that remains', async () => {
    const before = server.requests.length;
    const poor = { ...request, constraints: { ...request.constraints, remaining: { ...request.constraints.remaining, costUsd: 0.001 } } };
    const failure = await failureOf(plan({}, poor));
    expect(failure.type).toBe('BUDGET_COST');
    expect(failure.nonRetryable).toBe(true);
    expect(failure.message).toMatch(/could cost up to \$0\.\d+ \(the whole prompt uncached plus max_tokens\), more than the \$0\.0010 that remains/);
    expect(server.requests.length).toBe(before);
  });

  it('does not make a call when no LLM call remains', async () => {
    const before = server.requests.length;
    const none = { ...request, constraints: { ...request.constraints, remaining: { ...request.constraints.remaining, llmCalls: 0 } } };
    expect((await failureOf(plan({}, none))).type).toBe('BUDGET_LLM_CALLS');
    expect(server.requests.length).toBe(before);
  });

  it('records how the prompt was composed for layer 2', async () => {
    server.script({ fragment: valid });
    const result = await plan();
    expect(result.context?.estimatedTokens).toBeGreaterThan(0);
    expect(result.context?.sections.map((s) => s.name)).toEqual(expect.arrayContaining(['problem', 'capabilities', 'constraints']));
    expect(result.context?.capabilitiesShown.map((c) => c.name).sort()).toEqual([...allowed].sort());
  });
});
