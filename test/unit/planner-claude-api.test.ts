/**
 * `anthropicPlanner` with today's Claude API, through the real `@anthropic-ai/sdk` against the
 * loopback Messages API server: constrained output (structured outputs, strict tools) from the zod
 * fragment schema, thinking, prompt caching with the stable prefix first, and cost by token class.
 * The server enforces what the API enforces (thinking with a forced tool is a 400; an answer that
 * does not fit the constrained schema cannot be produced; cache reads need a byte-identical prefix).
 */
import Anthropic from '@anthropic-ai/sdk';
import { zodOutputFormat } from '@anthropic-ai/sdk/helpers/zod';
import { ApplicationFailure } from '@temporalio/common';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/config.js';
import { fragmentSchema } from '../../src/core/fragment.js';
import { validateFragment } from '../../src/core/validator/index.js';
import { toJsonSchema } from '../../src/handler.js';
import { anthropicPlanner, type AnthropicPlannerOptions } from '../../src/planner/anthropic.js';
import { submitFragmentTool } from '../../src/planner/anthropic-tools.js';
import { composePlanningPrompt } from '../../src/planner/context.js';
import { constrainedFragmentSchema, constrainedSubsetGaps, decodeFragment, fragmentOutputFormat } from '../../src/planner/output-format.js';
import { loadZodOutputFormat } from '../../src/planner/sdk.js';
import { DEFAULT_PRICES, priceOf, ratesOf, UNKNOWN_MODEL_PRICE, usageCostUsd, worstCaseCallUsd } from '../../src/planner/prices.js';
import type { PlanningRequest, PlanningResult } from '../../src/planner/types.js';
import { NO_USAGE, usageOf } from '../../src/planner/usage.js';
import { THINKING_WITH_FORCED_TOOL } from '../support/anthropic-api-rules.js';
import { startAnthropicServer, type AnthropicTestServer, type SystemBlock } from '../support/anthropic-server.js';
import { ctx, request, valid } from '../support/planning-request.js';


let server: AnthropicTestServer;
beforeAll(async () => {
  await loadZodOutputFormat(); // what a planner does on its first call; fragmentOutputFormat() below needs it
  server = await startAnthropicServer([], {
    models: {
      'claude-sonnet-5-5': { thinksByDefault: true },
      'claude-no-adaptive': { adaptiveThinking: false },
      'claude-no-effort': { effort: false },
      'claude-plain': { structuredOutputs: false },
    },
  });
});
afterAll(async () => {
  await server?.close();
});
beforeEach(() => server.reset());

function planner(options: AnthropicPlannerOptions = {}) {
  return anthropicPlanner({ apiKey: 'sk-test', baseURL: server.baseURL, maxRetries: 0, timeoutMs: 2000, env: {}, warn: () => undefined, ...options });
}
const plan = (options: AnthropicPlannerOptions = {}, req: PlanningRequest = request) => planner(options).plan(req, new AbortController().signal);

async function failureOf(promise: Promise<unknown>): Promise<ApplicationFailure> {
  const err = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ApplicationFailure);
  return err as ApplicationFailure;
}

/** The cost of a result's calls, class by class, at claude-sonnet-4-6's rates. */
function classCost(result: PlanningResult): number {
  return result.usage!.calls.reduce((t, c) => t + (c.usage.input * 3 + c.usage.cacheRead * 0.3 + c.usage.cacheWrite5m * 3.75 + c.usage.cacheWrite1h * 6 + c.usage.output * 15) / 1e6, 0);
}

describe('constrained output: structured outputs from the zod fragment schema', () => {
  it('asks for the fragment with output_config.format derived by the SDK helper, forces no tool, and decodes the JSON answer into a valid fragment', async () => {
    server.script({ fragment: valid });
    const result = await plan();
    const body = server.requests[0]!.body!;
    expect(body.output_config).toEqual({ format: { type: 'json_schema', schema: { ...zodOutputFormat(constrainedFragmentSchema).schema } } });
    expect(body.output_config?.format).toEqual(fragmentOutputFormat());
    expect(body.tools).toBeUndefined();
    expect(body.tool_choice).toBeUndefined();
    // The model wrote inputs as JSON text (the server fitted the scripted fragment to the schema and
    // checked it); the planner decoded them back.
    expect(result.output).toEqual(valid);
    expect(result.outputMode).toBe('structured');
    expect(validateFragment(result.output, ctx).ok).toBe(true);
  });

  it('names what the constrained subset lacks in the fragment schema, and the constrained form lacks nothing', () => {
    const gaps = constrainedSubsetGaps(toJsonSchema(fragmentSchema, 'input') as Record<string, unknown>);
    expect(gaps.some((g) => g.startsWith('/properties/steps/items/properties/inputs: an open object'))).toBe(true);
    expect(gaps.some((g) => g.includes('recursive $ref'))).toBe(true);
    expect(gaps.some((g) => g.includes('propertyNames'))).toBe(true);
    expect(constrainedSubsetGaps(toJsonSchema(constrainedFragmentSchema, 'input') as Record<string, unknown>)).toEqual([]);
    // The SDK's transform moved nothing of the constrained form into descriptions (it does so with what the subset lacks).
    expect(JSON.stringify(fragmentOutputFormat())).not.toMatch(/\\n\\n\{/);
    // ...whereas the canonical schema would reach the model as an always-empty inputs object.
    const canonical = zodOutputFormat(fragmentSchema).schema as { $defs: Record<string, { properties?: Record<string, unknown> }> };
    const step = Object.values(canonical.$defs).find((d) => d.properties?.['inputs'] !== undefined)!;
    expect(step.properties!['inputs']).toMatchObject({ type: 'object', properties: {}, additionalProperties: false });
  });

  it('leaves inputs text that is not a JSON object in place, so the validator reports FRAGMENT_MALFORMED at its path', async () => {
    const broken = { ...valid, steps: [{ ...valid.steps[0]!, inputs: '{"values": [1,' }] };
    server.script({ text: JSON.stringify(broken) });
    const result = await plan();
    const v = validateFragment(result.output, ctx);
    expect(v.ok).toBe(false);
    expect(v.diagnostics.map((d) => [d.code, d.path])).toEqual([['FRAGMENT_MALFORMED', '/steps/0/inputs']]);
  });

  it('an answer cut short (max_tokens) is returned as text and rejected as FRAGMENT_MALFORMED; the call records its stop reason', async () => {
    server.script({ text: '{"fragment_version":"1","goal":"dou', stopReason: 'max_tokens' });
    const result = await plan();
    expect(result.output).toBe('{"fragment_version":"1","goal":"dou');
    expect(validateFragment(result.output, ctx).diagnostics.map((d) => d.code)).toEqual(['FRAGMENT_MALFORMED']);
    expect(result.usage?.calls.map((c) => c.stopReason)).toEqual(['max_tokens']);
  });

  it('the server will not produce an answer outside the format (the script is wrong, and the call fails loudly)', async () => {
    server.script({ text: 'I think you should add the numbers.' });
    const f = await failureOf(plan());
    expect(f.type).toBe('PROVIDER_UNAVAILABLE');
    expect(f.message).toContain('output_config.format constrains the answer');
    expect(server.unexpected).toBe(1);
  });

  it("output: 'strict_tool' sends submit_fragment as a strict tool with the constrained schema, forced, and decodes its input", async () => {
    server.script({ fragment: valid });
    const result = await plan({ output: 'strict_tool' });
    const body = server.requests[0]!.body!;
    expect(body.tools).toEqual([expect.objectContaining({ name: 'submit_fragment', strict: true, input_schema: fragmentOutputFormat().schema })]);
    expect(body.tool_choice).toEqual({ type: 'tool', name: 'submit_fragment' });
    expect(body.output_config).toBeUndefined();
    expect(result.output).toEqual(valid);
    expect(result.outputMode).toBe('strict_tool');
  });

  it('with describe_handlers, the drill-down is a strict tool the model may call (auto), then none: the answer is the formatted text', async () => {
    server.script({ toolUse: { name: 'describe_handlers', input: { names: ['add'], tier: 2 } } }, { fragment: valid });
    const result = await plan({ describeHandlers: true, maxToolRounds: 1 });
    const [first, second] = server.requests.map((r) => r.body!);
    expect(first!.tools).toEqual([expect.objectContaining({ name: 'describe_handlers', strict: true })]);
    expect(first!.tool_choice).toEqual({ type: 'auto' });
    expect(second!.tool_choice).toEqual({ type: 'none' });
    expect(second!.messages.map((m) => m.role)).toEqual(['user', 'assistant', 'user']);
    expect(result).toMatchObject({ output: valid, llmCalls: 2 });
  });

  it('decodeFragment never throws and only touches inputs text', () => {
    expect(decodeFragment('not json')).toBe('not json');
    expect(decodeFragment({ steps: 'x' })).toEqual({ steps: 'x' });
    expect(decodeFragment({ steps: [{ inputs: '[1]' }] })).toEqual({ steps: [{ inputs: '[1]' }] });
    expect(decodeFragment('{"steps":[{"inputs":"{\\"n\\":1}"}]}')).toEqual({ steps: [{ inputs: { n: 1 } }] });
  });
});

describe('prompt caching: the stable prefix first, with breakpoints', () => {
  const failed: PlanningRequest = {
    ...request,
    attempt: 2,
    failures: [{ attempt: 1, rejected: {}, diagnostics: [{ code: 'HANDLER_UNKNOWN', path: '/steps/0/handler', message: "Handler 'http_get' is not allowed.", hint: 'Use add.' }] }],
  };

  it('puts the instructions and then the capabilities and examples in cached system blocks, and the task in the user turn', async () => {
    server.script({ fragment: valid });
    await plan({ tier: 2 });
    const body = server.requests[0]!.body!;
    const composed = composePlanningPrompt(request, { tier: 2, describeHandlersTool: false, stablePrefix: true });
    expect(body.system).toEqual([
      { type: 'text', text: composed.system, cache_control: { type: 'ephemeral' } },
      { type: 'text', text: composed.stable, cache_control: { type: 'ephemeral' } },
    ]);
    expect(composed.stable).toMatch(/^## Capabilities/);
    expect(body.messages).toEqual([{ role: 'user', content: composed.task }]);
    expect(composed.task).toMatch(/^## Problem/);
  });

  it("a re-plan's request has a byte-identical prefix, reads it from the cache, and is costed by class", async () => {
    server.script({ fragment: valid }, { fragment: valid });
    const p = planner({ tier: 2 });
    const first = await p.plan(request, new AbortController().signal);
    const second = await p.plan(failed, new AbortController().signal);
    const [a, b] = server.requests.map((r) => r.body!);
    expect(JSON.stringify(b!.system)).toBe(JSON.stringify(a!.system));
    expect(JSON.stringify(b!.output_config)).toBe(JSON.stringify(a!.output_config));
    expect(b!.messages[0]!.content).toContain('HANDLER_UNKNOWN');
    expect(a!.messages[0]!.content).not.toContain('HANDLER_UNKNOWN');
    const written = first.usage!.cacheWrite5m;
    expect(written).toBeGreaterThan(1024); // the instructions alone, then with capabilities: both over the minimum
    expect(first.usage).toMatchObject({ cacheRead: 0, cacheWrite1h: 0 });
    expect(second.usage).toMatchObject({ cacheRead: written, cacheWrite5m: 0, cacheWrite1h: 0 });
    expect(second.inputTokens).toBe(second.usage!.input + written);
    expect(first.costUsd).toBeCloseTo(classCost(first), 12);
    expect(second.costUsd).toBeCloseTo(classCost(second), 12);
    expect(second.costUsd).toBeLessThan(first.costUsd);
  });

  it('a prefix under the minimum cacheable length is not cached: format and instructions alone stay input', async () => {
    server.script({ fragment: valid }, { fragment: valid });
    const p = planner({ tier: 2 });
    await p.plan(request, new AbortController().signal);
    const second = await p.plan({ ...failed, capabilities: request.capabilities.slice(0, 2) }, new AbortController().signal);
    expect(second.usage).toMatchObject({ cacheRead: 0 });
  });

  it('a re-plan whose capability section changed still reads the instructions (and tools) from the cache', async () => {
    server.script({ fragment: valid }, { fragment: valid });
    const p = planner({ tier: 2, describeHandlers: true });
    const first = await p.plan(request, new AbortController().signal);
    const second = await p.plan({ ...failed, capabilities: request.capabilities.slice(0, 2) }, new AbortController().signal);
    expect(second.usage!.cacheRead).toBeGreaterThan(0);
    expect(second.usage!.cacheRead).toBeLessThan(first.usage!.cacheWrite5m);
    expect(second.usage!.cacheWrite5m).toBeGreaterThan(0);
  });

  it("promptCaching: '1h' writes 1-hour entries at the 1-hour rate; 'off' sends no breakpoint and the essay-order prompt", async () => {
    server.script({ fragment: valid }, { fragment: valid });
    const hour = await plan({ tier: 2, promptCaching: '1h' });
    expect((server.requests[0]!.body!.system as readonly SystemBlock[]).map((b) => b.cache_control)).toEqual([{ type: 'ephemeral', ttl: '1h' }, { type: 'ephemeral', ttl: '1h' }]);
    expect(hour.usage).toMatchObject({ cacheWrite5m: 0 });
    expect(hour.usage!.cacheWrite1h).toBeGreaterThan(0);
    expect(hour.costUsd).toBeCloseTo(classCost(hour), 12);
    server.cache.clear();
    const off = await plan({ tier: 2, promptCaching: 'off' });
    const body = server.requests[1]!.body!;
    expect(typeof body.system).toBe('string');
    expect(body.messages[0]!.content).toBe(composePlanningPrompt(request, { tier: 2 }).user);
    expect(off.usage).toMatchObject({ cacheRead: 0, cacheWrite5m: 0, cacheWrite1h: 0 });
    expect(off.costUsd).toBeCloseTo((off.usage!.input * 3 + off.usage!.output * 15) / 1e6, 12);
  });
});

describe('thinking', () => {
  it('adaptive thinking with structured output plans successfully; thinking tokens are output, billed once, and the text is hidden by default', async () => {
    server.script({ fragment: valid, thinking: 'I will double the seed with one add step.', usage: { input_tokens: 1000, output_tokens: 200, thinking_tokens: 700 } });
    const result = await plan({ thinking: 'adaptive', effort: 'high' });
    const body = server.requests[0]!.body!;
    expect(body.thinking).toEqual({ type: 'adaptive' });
    expect(body.output_config).toMatchObject({ effort: 'high', format: fragmentOutputFormat() });
    expect(body.tool_choice).toBeUndefined();
    expect(result.output).toEqual(valid);
    expect(result.outputTokens).toBe(900);
    expect(result.usage).toMatchObject({ output: 900, thinking: 700 });
    expect(result.costUsd).toBeCloseTo((1000 * 3 + 900 * 15) / 1e6, 12);
    expect(result.thinking).toBeNull();
    expect(JSON.stringify(result)).not.toContain('double the seed with one add step');
  });

  it('keeps the thinking text only when asked (showThinking), and sends a fixed budget as enabled thinking', async () => {
    server.script({ fragment: valid, thinking: 'Plan: one add step.' });
    const result = await plan({ thinking: { budgetTokens: 2048 }, maxTokens: 4096, showThinking: true });
    expect(server.requests[0]!.body!.thinking).toEqual({ type: 'enabled', budget_tokens: 2048 });
    expect(result.thinking).toBe('Plan: one add step.');
    expect(result.output).toEqual(valid);
  });

  it("with a strict tool, thinking asks for submit_fragment (tool_choice auto) instead of forcing it, and hands thinking blocks back in the drill-down", async () => {
    server.script({ toolUse: { name: 'describe_handlers', input: { names: ['add'], tier: 2 } } }, { fragment: valid });
    const result = await plan({ output: 'strict_tool', thinking: 'adaptive', describeHandlers: true });
    const [first, second] = server.requests.map((r) => r.body!);
    expect(first!.tool_choice).toEqual({ type: 'auto' });
    const assistant = second!.messages[1]!.content as { type: string; signature?: string }[];
    expect(assistant[0]?.type).toBe('thinking');
    expect(assistant[0]?.signature).toMatch(/^sig_test_/);
    expect(result.output).toEqual(valid);
  });

  it('the old forced-tool request with thinking is rejected by the API (400, its message)', async () => {
    const client = new Anthropic({ apiKey: 'sk-test', baseURL: server.baseURL, maxRetries: 0 });
    const composed = composePlanningPrompt(request);
    const old = client.messages.create({
      model: 'claude-sonnet-4-6',
      max_tokens: 4096,
      system: composed.system,
      messages: [{ role: 'user', content: composed.user }],
      tools: [submitFragmentTool()],
      tool_choice: { type: 'tool', name: 'submit_fragment' },
      thinking: { type: 'adaptive' },
    });
    const err = await old.then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(Anthropic.BadRequestError);
    expect((err as Error).message).toContain(THINKING_WITH_FORCED_TOOL);
  });

  it("a model that thinks by default rejects the forced tool (output: 'tool'), naming tool_choice and the setting; the default output plans with it", async () => {
    server.script({ fragment: valid });
    const f = await failureOf(plan({ model: 'claude-sonnet-5-5', output: 'tool' }));
    expect(f.type).toBe('PROVIDER_BAD_REQUEST');
    expect(f.nonRetryable).toBe(true);
    expect(f.message).toContain(THINKING_WITH_FORCED_TOOL);
    expect(f.message).toMatch(/forces the answer tool \(tool_choice, output: 'tool'\)\. Set output: 'structured' \(WEFT_PLANNER_OUTPUT=structured\)/);
    const result = await plan({ model: 'claude-sonnet-5-5' });
    expect(result.output).toEqual(valid);
  });

  it.each([
    [{ model: 'claude-no-adaptive', thinking: 'adaptive' }, /thinking: 'adaptive'\)\. Set thinking: 'default' or 'off' \(WEFT_THINKING\), or a fixed budget/],
    [{ model: 'claude-no-effort', effort: 'max' }, /output_config\.effort \(effort: 'max'\)\. Unset effort \(WEFT_EFFORT\)/],
    [{ model: 'claude-plain' }, /output: 'structured' sends output_config\.format\)\. Set output: 'tool' \(WEFT_PLANNER_OUTPUT=tool\)/],
    [{ model: 'claude-plain', output: 'strict_tool' }, /output: 'strict_tool' sends a strict tool\)\. Set output: 'tool'/],
  ] as const)('a model that rejects a parameter fails naming the parameter and the setting: %o', async (options, hint) => {
    server.script({ fragment: valid });
    const f = await failureOf(plan(options));
    expect(f.type).toBe('PROVIDER_BAD_REQUEST');
    expect(f.message).toMatch(hint);
  });

  it("a planning step's planner settings override the planner's: thinking and effort from the request", async () => {
    server.script({ fragment: valid });
    const result = await plan({ effort: 'low' }, { ...request, planner: { thinking: 'adaptive', effort: 'max' } });
    const body = server.requests[0]!.body!;
    expect(body.thinking).toEqual({ type: 'adaptive' });
    expect(body.output_config?.effort).toBe('max');
    expect(result.output).toEqual(valid);
  });

  it("a planning step's thinking that the planner's settings cannot send fails at once, not retried, naming the step's setting", async () => {
    const f = await failureOf(plan({ output: 'tool' }, { ...request, planner: { thinking: { budgetTokens: 2048 } } }));
    expect(f.type).toBe('PLANNER_SETTINGS');
    expect(f.nonRetryable).toBe(true);
    expect(f.message).toMatch(/Planning step 'plan' of template engine-test 1 sets planner\.thinking=\{ budgetTokens: 2048 \}, which cannot be combined with output: 'tool'/);
    expect(server.requests).toHaveLength(0);
  });

  it('settings the API would reject fail at construction, naming them', () => {
    expect(() => planner({ output: 'tool', thinking: 'adaptive' })).toThrow(ConfigError);
    expect(() => planner({ output: 'tool', thinking: 'adaptive' })).toThrow(/thinking='adaptive' cannot be combined with output: 'tool'.*Use output: 'structured'/);
    expect(() => planner({ thinking: { budgetTokens: 512 } })).toThrow(/budgetTokens of at least 1024 and below maxTokens \(4096\)/);
    expect(() => planner({ thinking: { budgetTokens: 4096 } })).toThrow(/below maxTokens/);
    expect(() => anthropicPlanner({ apiKey: 'k', env: { WEFT_THINKING: 'lots' } })).toThrow(/WEFT_THINKING='lots'/);
    expect(() => anthropicPlanner({ apiKey: 'k', env: { WEFT_PLANNER_OUTPUT: 'json' } })).toThrow(/WEFT_PLANNER_OUTPUT='json' is not one of structured, strict_tool, tool/);
    expect(() => anthropicPlanner({ apiKey: 'k', env: { WEFT_PROMPT_CACHE: '10m' } })).toThrow(/WEFT_PROMPT_CACHE='10m'/);
  });

  it('reads WEFT_PLANNER_OUTPUT, WEFT_THINKING, WEFT_EFFORT and WEFT_PROMPT_CACHE', async () => {
    server.script({ fragment: valid });
    const p = anthropicPlanner({ apiKey: 'k', baseURL: server.baseURL, maxRetries: 0, env: { WEFT_PLANNER_OUTPUT: 'strict_tool', WEFT_THINKING: '2048', WEFT_EFFORT: 'low', WEFT_PROMPT_CACHE: 'off' } });
    await p.plan(request, new AbortController().signal);
    const body = server.requests[0]!.body!;
    expect(body.thinking).toEqual({ type: 'enabled', budget_tokens: 2048 });
    expect(body.output_config).toEqual({ effort: 'low' });
    expect(body.tools?.[0]?.strict).toBe(true);
    expect(typeof body.system).toBe('string');
  });
});

describe('cost by token class', () => {
  it('the price table has every class: cache writes at 1.25× (5 min) and 2× (1 h) input, reads at 0.1×; unknown models at the dearest of each', () => {
    expect(DEFAULT_PRICES['claude-sonnet-4-6']).toEqual({ inputPerMTok: 3, outputPerMTok: 15, cacheWrite5mPerMTok: 3.75, cacheWrite1hPerMTok: 6, cacheReadPerMTok: 0.3 });
    expect(UNKNOWN_MODEL_PRICE).toEqual({ inputPerMTok: 15, outputPerMTok: 75, cacheWrite5mPerMTok: 18.75, cacheWrite1hPerMTok: 30, cacheReadPerMTok: 1.5 });
    for (const [model, p] of Object.entries(DEFAULT_PRICES)) {
      const r = ratesOf(p);
      for (const k of Object.keys(r) as (keyof typeof r)[]) expect(r[k], `${model} ${k}`).toBeLessThanOrEqual(UNKNOWN_MODEL_PRICE[k]);
    }
    expect(priceOf('claude-haiku-4-5-20251001').price.cacheReadPerMTok).toBeCloseTo(0.1, 12);
    expect(ratesOf({ inputPerMTok: 2, outputPerMTok: 7, cacheReadPerMTok: 0.5 })).toEqual({ inputPerMTok: 2, outputPerMTok: 7, cacheWrite5mPerMTok: 2.5, cacheWrite1hPerMTok: 4, cacheReadPerMTok: 0.5 });
  });

  it('costs a usage class by class, and the worst case assumes every prompt token is a cache write', () => {
    const sonnet = DEFAULT_PRICES['claude-sonnet-4-6']!;
    const u = { input: 100, cacheRead: 10_000, cacheWrite5m: 2_000, cacheWrite1h: 1_000, output: 500, thinking: 300 };
    expect(usageCostUsd(sonnet, u)).toBeCloseTo((100 * 3 + 10_000 * 0.3 + 2_000 * 3.75 + 1_000 * 6 + 500 * 15) / 1e6, 12);
    expect(worstCaseCallUsd(sonnet, 10_000, 4096, null)).toBeCloseTo((10_000 * 3 + 4096 * 15) / 1e6, 12);
    expect(worstCaseCallUsd(sonnet, 10_000, 4096, '5m')).toBeCloseTo((10_000 * 3.75 + 4096 * 15) / 1e6, 12);
    expect(worstCaseCallUsd(sonnet, 10_000, 4096, '1h')).toBeCloseTo((10_000 * 6 + 4096 * 15) / 1e6, 12);
  });

  it('reads the API usage fields into classes (a total without the TTL breakdown counts as 5-minute writes)', () => {
    expect(usageOf({ input_tokens: 5, output_tokens: 50, cache_read_input_tokens: 7, cache_creation_input_tokens: 9, cache_creation: { ephemeral_5m_input_tokens: 4, ephemeral_1h_input_tokens: 5 }, output_tokens_details: { thinking_tokens: 30 } })).toEqual({ input: 5, cacheRead: 7, cacheWrite5m: 4, cacheWrite1h: 5, output: 50, thinking: 30 });
    expect(usageOf({ input_tokens: 5, output_tokens: 50, cache_creation_input_tokens: 9 })).toEqual({ ...NO_USAGE, input: 5, cacheWrite5m: 9, output: 50 });
  });

  it('records every call of an attempt by class, and the attempt cost is their sum', async () => {
    server.script({ toolUse: { name: 'describe_handlers', input: { names: ['add'], tier: 2 } } }, { fragment: valid });
    const result = await plan({ describeHandlers: true, tier: 2 });
    expect(result.usage!.calls).toHaveLength(2);
    const [a, b] = result.usage!.calls;
    expect(a!.usage.cacheWrite5m).toBeGreaterThan(0);
    // the drill-down's second call repeats the cached prefix: it reads it
    expect(b!.usage.cacheRead).toBe(a!.usage.cacheWrite5m);
    expect(result.costUsd).toBeCloseTo(a!.costUsd + b!.costUsd, 12);
    expect(result.costUsd).toBeCloseTo(classCost(result), 12);
    expect(result.inputTokens).toBe(result.usage!.input + result.usage!.cacheRead + result.usage!.cacheWrite5m + result.usage!.cacheWrite1h);
  });

  it('refuses a call whose uncached worst case, at the cache-write rate, exceeds what remains', async () => {
    const poor = { ...request, constraints: { ...request.constraints, remaining: { ...request.constraints.remaining, costUsd: 0.01 } } };
    const f = await failureOf(plan({}, poor));
    expect(f.type).toBe('BUDGET_COST');
    expect(f.message).toMatch(/could cost up to \$0\.\d+ \(the whole prompt uncached plus max_tokens\)/);
    expect(server.requests).toHaveLength(0);
  });
});
