/**
 * The Claude planner: the Messages API with one forced tool, `submit_fragment`, whose input is the
 * candidate fragment, and optionally a bounded `describe_handlers` drill-down first. Every call is
 * accounted (tokens, cost, latency); provider errors become typed Temporal failures
 * (see `provider-errors.ts`). The output is untrusted: the workflow validates it.
 */
import { ApplicationFailure } from '@temporalio/common';
import Anthropic from '@anthropic-ai/sdk';
import { ConfigError } from '../config.js';
import { answerDescribeHandlers, answerUnknownTool, asParams, DESCRIBE_HANDLERS, describeHandlersTool, SUBMIT_FRAGMENT, submitFragmentTool } from './anthropic-tools.js';
import { composePlanningPrompt, DEFAULT_TOKEN_BUDGET } from './context.js';
import { costUsd, DEFAULT_PRICES, priceOf, type PriceTable } from './prices.js';
import { providerFailure } from './provider-errors.js';
import type { Planner, PlanningRequest, PlanningResult } from './types.js';

/**
 * The default model: current, and it accepts forced tool use (`tool_choice` naming a tool).
 * Models that think by default (Claude Sonnet 5.5, Opus 5.5, Fable) answer forced tool use with
 * 400, which this planner reports as PROVIDER_BAD_REQUEST.
 */
export const DEFAULT_MODEL = 'claude-sonnet-4-6';

/** Defaults of {@link AnthropicPlannerOptions}. */
export const ANTHROPIC_PLANNER_DEFAULTS = {
  baseURL: 'https://api.anthropic.com',
  maxTokens: 4096,
  tokenBudget: DEFAULT_TOKEN_BUDGET,
  tier: 'auto',
  maxToolRounds: 3,
  // Under the planning activity's 60 s heartbeat timeout (the planner cannot heartbeat mid-call).
  timeoutMs: 55_000,
  // Temporal is the one retry layer: see docs/planner.md, "Provider failures".
  maxRetries: 0,
} as const;

/** Options of {@link anthropicPlanner}; each omitted one comes from the environment or a default. */
export interface AnthropicPlannerOptions {
  /** Default `ANTHROPIC_API_KEY`; required. */
  readonly apiKey?: string;
  /** Default `ANTHROPIC_BASE_URL`, else https://api.anthropic.com. */
  readonly baseURL?: string;
  /** Default `WEFT_MODEL`, else {@link DEFAULT_MODEL}. */
  readonly model?: string;
  /** `max_tokens` of each call (default 4096). */
  readonly maxTokens?: number;
  /** Token budget of the composed prompt (default the composer's `DEFAULT_TOKEN_BUDGET`). */
  readonly tokenBudget?: number;
  /** Capability tier shown in the prompt (default `'auto'`: the composer picks what fits). */
  readonly tier?: 1 | 2 | 3 | 'auto';
  /** USD per million tokens by model (default {@link DEFAULT_PRICES}); merged over the defaults. */
  readonly prices?: PriceTable;
  /** Offer `describe_handlers` before `submit_fragment` (default false). */
  readonly describeHandlers?: boolean;
  /** Most `describe_handlers` rounds per attempt; the call after the last one must submit (default 3). */
  readonly maxToolRounds?: number;
  /** Per-call timeout in ms (default 55000); past it the call fails with PROVIDER_UNAVAILABLE. */
  readonly timeoutMs?: number;
  /** SDK-level retries per call (default 0: Temporal retries the planning activity). */
  readonly maxRetries?: number;
  /** Where to read the variables (default `process.env`). */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Receives warnings, such as a model missing from the price table (default `console.warn`). */
  readonly warn?: (message: string) => void;
}

interface Settings {
  readonly apiKey: string;
  readonly baseURL: string;
  readonly model: string;
  readonly maxTokens: number;
  readonly tokenBudget: number;
  readonly tier: 1 | 2 | 3 | 'auto';
  readonly prices: PriceTable;
  readonly describeHandlers: boolean;
  readonly maxToolRounds: number;
  readonly timeoutMs: number;
  readonly maxRetries: number;
}

/**
 * A planner that asks Claude. Throws a {@link ConfigError} at construction when no API key is
 * set, saying how to plan without one.
 * @example
 * const planner = anthropicPlanner({ describeHandlers: true }); // ANTHROPIC_API_KEY, WEFT_MODEL from the environment
 * await createWeftWorker({ ..., planner });
 */
export function anthropicPlanner(options: AnthropicPlannerOptions = {}): Planner {
  const s = settings(options);
  const warn = options.warn ?? ((m: string) => console.warn(m));
  const client = new Anthropic({ apiKey: s.apiKey, baseURL: s.baseURL, timeout: s.timeoutMs, maxRetries: s.maxRetries });
  const warned = new Set<string>();
  const name = `anthropic:${s.model}`;

  async function call(body: Anthropic.MessageCreateParamsNonStreaming, signal: AbortSignal): Promise<Anthropic.Message> {
    try {
      return await client.messages.create(body, { signal, timeout: s.timeoutMs, maxRetries: s.maxRetries });
    } catch (err) {
      if (signal.aborted && signal.reason instanceof Error) throw signal.reason;
      throw providerFailure(err, { model: s.model, baseURL: s.baseURL, timeoutMs: s.timeoutMs }) ?? err;
    }
  }

  function cost(model: string, input: number, output: number): number {
    const { price, known } = priceOf(model, s.prices);
    if (!known && !warned.has(model)) {
      warned.add(model);
      warn(`anthropicPlanner: model '${model}' is not in the price table; costing it at $${price.inputPerMTok}/$${price.outputPerMTok} per million input/output tokens (the most expensive known rate). Pass prices: { '${model}': { inputPerMTok, outputPerMTok } } to cost it exactly.`);
    }
    return costUsd(price, input, output);
  }

  return {
    name,
    async plan(request: PlanningRequest, signal: AbortSignal): Promise<PlanningResult> {
      const composed = composePlanningPrompt(request, { tokenBudget: s.tokenBudget, tier: s.tier, describeHandlersTool: s.describeHandlers });
      const tools = s.describeHandlers ? [submitFragmentTool(), describeHandlersTool()] : [submitFragmentTool()];
      const messages: Anthropic.MessageParam[] = [{ role: 'user', content: composed.user }];
      const started = performance.now();
      let inputTokens = 0;
      let outputTokens = 0;
      let totalCost = 0;
      let llmCalls = 0;
      let model = s.model;
      const finish = (output: unknown): PlanningResult => ({
        output,
        planner: name,
        model,
        inputTokens,
        outputTokens,
        costUsd: totalCost,
        latencyMs: Math.round(performance.now() - started),
        llmCalls,
        prompt: `${composed.system}\n\n${composed.user}`,
        context: { estimatedTokens: composed.estimatedTokens, sections: composed.sections, cut: composed.cut, capabilitiesShown: composed.capabilitiesShown },
      });
      for (let round = 0; ; round++) {
        const mayDescribe = s.describeHandlers && round < s.maxToolRounds;
        // A call that could overrun the task's budget is not made (upper bound: the prompt plus max_tokens).
        const refusal = budgetRefusal(request, llmCalls, totalCost, cost(s.model, composed.estimatedTokens, s.maxTokens));
        if (refusal) {
          if (llmCalls === 0) throw refusal;
          return finish(`(no fragment: ${refusal.message})`);
        }
        const response = await call(
          {
            model: s.model,
            max_tokens: s.maxTokens,
            system: composed.system,
            messages,
            tools,
            tool_choice: mayDescribe ? { type: 'any' } : { type: 'tool', name: SUBMIT_FRAGMENT },
          },
          signal,
        );
        llmCalls++;
        model = response.model || s.model;
        // Cache reads and writes are billed differently; counting them at the input rate errs high.
        const input = response.usage.input_tokens + (response.usage.cache_creation_input_tokens ?? 0) + (response.usage.cache_read_input_tokens ?? 0);
        inputTokens += input;
        outputTokens += response.usage.output_tokens;
        totalCost += cost(model, input, response.usage.output_tokens);
        const toolUses = response.content.filter((b): b is Anthropic.ToolUseBlock => b.type === 'tool_use');
        const submitted = toolUses.find((b) => b.name === SUBMIT_FRAGMENT);
        if (submitted) return finish(submitted.input);
        if (!mayDescribe || toolUses.length === 0) {
          // No fragment: hand back what the model said, so validation reports FRAGMENT_MALFORMED.
          return finish(response.content.flatMap((b) => (b.type === 'text' ? [b.text] : [])).join('\n'));
        }
        messages.push({ role: 'assistant', content: asParams(response.content) });
        messages.push({
          role: 'user',
          content: toolUses.map((b) => (b.name === DESCRIBE_HANDLERS ? answerDescribeHandlers(b.id, b.input, request.capabilities) : answerUnknownTool(b.id, b.name))),
        });
      }
    },
  };
}

function settings(o: AnthropicPlannerOptions): Settings {
  const env = o.env ?? process.env;
  const apiKey = o.apiKey ?? env['ANTHROPIC_API_KEY'];
  if (apiKey === undefined || apiKey.trim() === '') {
    throw new ConfigError(
      'ANTHROPIC_API_KEY is not set, so anthropicPlanner cannot call Claude. Set ANTHROPIC_API_KEY (or pass { apiKey }), ' +
        'or plan without a key: use scriptedPlanner(...) from src/planner/scripted.ts (fragments given in code or a JSON file), ' +
        "and give planning steps a fallback fragment (planningStep(name, { fallback })) that runs when the planner fails.",
    );
  }
  const baseURL = o.baseURL ?? env['ANTHROPIC_BASE_URL'] ?? ANTHROPIC_PLANNER_DEFAULTS.baseURL;
  if (!URL.canParse(baseURL) || !/^https?:$/.test(new URL(baseURL).protocol)) {
    throw new ConfigError(`ANTHROPIC_BASE_URL='${baseURL}' is not an http(s) URL (for example https://api.anthropic.com).`);
  }
  const model = o.model ?? env['WEFT_MODEL'] ?? DEFAULT_MODEL;
  if (!/^[A-Za-z0-9][A-Za-z0-9._:@/-]{0,199}$/.test(model)) {
    throw new ConfigError(`WEFT_MODEL='${model}' is not a model id (for example ${DEFAULT_MODEL}).`);
  }
  const d = ANTHROPIC_PLANNER_DEFAULTS;
  return {
    apiKey,
    baseURL,
    model,
    maxTokens: integerAtLeast('maxTokens', o.maxTokens ?? d.maxTokens, 1),
    tokenBudget: integerAtLeast('tokenBudget', o.tokenBudget ?? d.tokenBudget, 1),
    tier: o.tier ?? d.tier,
    prices: { ...DEFAULT_PRICES, ...o.prices },
    describeHandlers: o.describeHandlers ?? false,
    maxToolRounds: integerAtLeast('maxToolRounds', o.maxToolRounds ?? d.maxToolRounds, 0),
    timeoutMs: integerAtLeast('timeoutMs', o.timeoutMs ?? d.timeoutMs, 1),
    maxRetries: integerAtLeast('maxRetries', o.maxRetries ?? d.maxRetries, 0),
  };
}

function integerAtLeast(option: string, value: number, min: number): number {
  if (!Number.isInteger(value) || value < min) throw new ConfigError(`anthropicPlanner option ${option}=${value} must be an integer ≥ ${min}.`);
  return value;
}

/** The non-retryable failure that declines a call over the remaining budget, or null. */
function budgetRefusal(request: PlanningRequest, callsMade: number, spentUsd: number, nextCallUsd: number): ApplicationFailure | null {
  const left = request.constraints.remaining;
  if (left.llmCalls - callsMade < 1) {
    return ApplicationFailure.create({ type: 'BUDGET_LLM_CALLS', nonRetryable: true, message: `No LLM call of the task's budget remains for planning step '${request.planningStep}'.` });
  }
  const remainingUsd = left.costUsd - spentUsd;
  if (nextCallUsd > remainingUsd) {
    return ApplicationFailure.create({
      type: 'BUDGET_COST',
      nonRetryable: true,
      message: `The next planning call could cost up to $${nextCallUsd.toFixed(4)} (prompt plus max_tokens), more than the $${Math.max(0, remainingUsd).toFixed(4)} that remains of the task's cost budget.`,
    });
  }
  return null;
}
