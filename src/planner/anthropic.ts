/**
 * The Claude planner: the Messages API asked for the candidate fragment — as constrained output
 * (`output_config.format`, or a strict `submit_fragment` tool) or through the unconstrained forced
 * tool (see `output-format.ts`) — optionally after a bounded `describe_handlers` drill-down, with
 * optional thinking, and with the stable prefix of the prompt cached (see `anthropic-request.ts`).
 * Every call is accounted by token class (input, cache reads and writes, output with thinking),
 * tokens, cost and latency; provider errors become typed Temporal failures (see
 * `provider-errors.ts`). The output is untrusted: the workflow validates it.
 */
import { ApplicationFailure } from '@temporalio/common';
import type Anthropic from '@anthropic-ai/sdk';
import { ConfigError } from '../config.js';
import { planningRequestBody, firstUserContent, thinks, EFFORTS, type Effort, type PromptCaching, type RequestSettings, type ThinkingSetting } from './anthropic-request.js';
import { answerDescribeHandlers, answerUnknownTool, asParams, DESCRIBE_HANDLERS, SUBMIT_FRAGMENT } from './anthropic-tools.js';
import { composePlanningPrompt, DEFAULT_TOKEN_BUDGET } from './context.js';
import { decodeFragment, OUTPUT_MODES, type OutputMode } from './output-format.js';
import { DEFAULT_PRICES, priceOf, usageCostUsd, worstCaseCallUsd, type PriceTable } from './prices.js';
import { providerFailure } from './provider-errors.js';
import { loadAnthropicSdk, loadZodOutputFormat } from './sdk.js';
import { rejectedSettingHint, thinkingText } from './setting-hints.js';
import { estimateTokens } from './tokens.js';
import type { Planner, PlanningRequest, PlanningResult } from './types.js';
import { addUsage, NO_USAGE, promptTokens, usageOf, type PlanningCall, type TokenUsage } from './usage.js';

/**
 * The default model: current, with structured outputs, and it accepts forced tool use too.
 * Models that think by default (Claude Sonnet 5.5, Opus 5.5, Fable) answer forced tool use with
 * 400: use them with `output: 'structured'` (the default), which forces nothing.
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
  output: 'structured',
  thinking: 'default',
  promptCaching: '5m',
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
  /**
   * How the fragment is asked for (default `WEFT_PLANNER_OUTPUT`, else `'structured'`): constrained
   * by `output_config.format`, by a strict tool, or the unconstrained forced tool (`'tool'`) for
   * models and endpoints without structured outputs. Recorded in every planning record.
   */
  readonly output?: OutputMode;
  /**
   * Thinking (default `WEFT_THINKING`, else `'default'`: nothing sent, the model decides):
   * `'off'`, `'adaptive'`, or `{ budgetTokens }` (at least 1024, below `maxTokens`). Thinking
   * tokens are billed and counted as output. Not with `output: 'tool'` (a forced tool).
   */
  readonly thinking?: ThinkingSetting;
  /** `output_config.effort` (default `WEFT_EFFORT`, else not sent), for models that take it. */
  readonly effort?: Effort;
  /** Keep the thinking text in the planning record (default false: thinking is billed, never shown). */
  readonly showThinking?: boolean;
  /** Cache the stable prefix of the prompt (default `WEFT_PROMPT_CACHE`, else `'5m'`); `'off'` sends no breakpoints. */
  readonly promptCaching?: PromptCaching;
}

interface Settings extends RequestSettings {
  readonly apiKey: string;
  readonly baseURL: string;
  readonly tokenBudget: number;
  readonly tier: 1 | 2 | 3 | 'auto';
  readonly prices: PriceTable;
  readonly maxToolRounds: number;
  readonly timeoutMs: number;
  readonly maxRetries: number;
  readonly showThinking: boolean;
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
  // The SDK loads on the first plan, not with this module: importing weft's planners stays cheap.
  let client: Promise<Anthropic> | undefined;
  const connect = () =>
    (client ??= Promise.all([loadAnthropicSdk(), loadZodOutputFormat()]).then(
      ([sdk]) => new sdk.default({ apiKey: s.apiKey, baseURL: s.baseURL, timeout: s.timeoutMs, maxRetries: s.maxRetries, openTelemetry: false }),
    ));
  const warned = new Set<string>();
  const name = `anthropic:${s.model}`;

  async function call(body: Anthropic.MessageCreateParamsNonStreaming, signal: AbortSignal, r: RequestSettings): Promise<Anthropic.Message> {
    try {
      return await (await connect()).messages.create(body, { signal, timeout: s.timeoutMs, maxRetries: s.maxRetries });
    } catch (err) {
      if (signal.aborted && signal.reason instanceof Error) throw signal.reason;
      throw providerFailure(err, { model: s.model, baseURL: s.baseURL, timeoutMs: s.timeoutMs, badRequestHint: (m) => rejectedSettingHint(m, r) }) ?? err;
    }
  }

  function price(model: string) {
    const { price, known } = priceOf(model, s.prices);
    if (!known && !warned.has(model)) {
      warned.add(model);
      warn(`anthropicPlanner: model '${model}' is not in the price table; costing it at $${price.inputPerMTok}/$${price.outputPerMTok} per million input/output tokens (the most expensive known rate of each class). Pass prices: { '${model}': { inputPerMTok, outputPerMTok } } to cost it exactly.`);
    }
    return price;
  }

  return {
    name,
    async plan(request: PlanningRequest, signal: AbortSignal): Promise<PlanningResult> {
      const r = stepSettings(s, request);
      await connect(); // the SDK and its schema helper, which the request body below needs
      const composed = composePlanningPrompt(request, { tokenBudget: s.tokenBudget, tier: s.tier, describeHandlersTool: s.describeHandlers, stablePrefix: s.promptCaching !== 'off' });
      const messages: Anthropic.MessageParam[] = [{ role: 'user', content: firstUserContent(s, composed) }];
      const started = performance.now();
      let usage: TokenUsage = NO_USAGE;
      const calls: PlanningCall[] = [];
      const thoughts: string[] = [];
      let totalCost = 0;
      let model = s.model;
      const finish = (output: unknown): PlanningResult => ({
        output,
        planner: name,
        model,
        inputTokens: promptTokens(usage),
        outputTokens: usage.output,
        costUsd: totalCost,
        latencyMs: Math.round(performance.now() - started),
        llmCalls: calls.length,
        prompt: s.promptCaching === 'off' ? `${composed.system}\n\n${composed.user}` : `${composed.system}\n\n${composed.stable}\n\n${composed.task}`,
        context: { estimatedTokens: composed.estimatedTokens, sections: composed.sections, cut: composed.cut, capabilitiesShown: composed.capabilitiesShown },
        usage: { ...usage, calls },
        outputMode: s.output,
        thinking: s.showThinking && thoughts.length > 0 ? thoughts.join('\n\n') : null,
      });
      for (let round = 0; ; round++) {
        const mayDescribe = s.describeHandlers && round < s.maxToolRounds;
        const body = planningRequestBody(r, composed, messages, mayDescribe);
        // A call that could overrun the task's budget is not made. Upper bound: the whole request
        // (prompt, tools, format) at the dearest prompt rate, nothing read from the cache, plus max_tokens.
        const worst = worstCaseCallUsd(price(s.model), estimateTokens(JSON.stringify(body)), s.maxTokens, s.promptCaching === 'off' ? null : s.promptCaching);
        const refusal = budgetRefusal(request, calls.length, totalCost, worst);
        if (refusal) {
          if (calls.length === 0) throw refusal;
          return finish(`(no fragment: ${refusal.message})`);
        }
        const response = await call(body, signal, r);
        model = response.model || s.model;
        const used = usageOf(response.usage);
        const callCost = usageCostUsd(price(model), used);
        calls.push({ model, usage: used, costUsd: callCost, stopReason: response.stop_reason ?? null });
        usage = addUsage(usage, used);
        totalCost += callCost;
        for (const b of response.content) {
          if (b.type === 'thinking' && b.thinking !== '') thoughts.push(b.thinking);
          else if (b.type === 'redacted_thinking') thoughts.push('(redacted thinking)');
        }
        const toolUses = response.content.filter((b): b is Anthropic.ToolUseBlock => b.type === 'tool_use');
        const submitted = toolUses.find((b) => b.name === SUBMIT_FRAGMENT);
        if (submitted && s.output !== 'structured') return finish(s.output === 'strict_tool' ? decodeFragment(submitted.input) : submitted.input);
        const described = toolUses.filter((b) => b.name === DESCRIBE_HANDLERS);
        if (!mayDescribe || described.length === 0) {
          // The answer: under output_config.format the text is the fragment (JSON, inputs as text);
          // otherwise text means no fragment, and validation reports FRAGMENT_MALFORMED.
          const text = response.content.flatMap((b) => (b.type === 'text' ? [b.text] : [])).join('\n');
          return finish(s.output === 'structured' ? decodeFragment(text) : text);
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
  const maxTokens = integerAtLeast('maxTokens', o.maxTokens ?? d.maxTokens, 1);
  const output = o.output ?? oneOf('WEFT_PLANNER_OUTPUT', env['WEFT_PLANNER_OUTPUT'], OUTPUT_MODES) ?? d.output;
  if (!OUTPUT_MODES.includes(output)) throw new ConfigError(`anthropicPlanner option output='${String(output)}' is not one of ${OUTPUT_MODES.map((m) => `'${m}'`).join(', ')}.`);
  const thinking = o.thinking ?? thinkingFromEnv(env['WEFT_THINKING']) ?? d.thinking;
  checkThinking(thinking, maxTokens, output);
  const effort = o.effort ?? oneOf('WEFT_EFFORT', env['WEFT_EFFORT'], EFFORTS) ?? null;
  if (effort !== null && !EFFORTS.includes(effort)) throw new ConfigError(`anthropicPlanner option effort='${String(effort)}' is not one of ${EFFORTS.join(', ')}.`);
  const promptCaching = o.promptCaching ?? oneOf('WEFT_PROMPT_CACHE', env['WEFT_PROMPT_CACHE'], CACHING) ?? d.promptCaching;
  if (!CACHING.includes(promptCaching)) throw new ConfigError(`anthropicPlanner option promptCaching='${String(promptCaching)}' is not one of ${CACHING.map((c) => `'${c}'`).join(', ')}.`);
  return {
    apiKey,
    baseURL,
    model,
    output,
    thinking,
    effort,
    promptCaching,
    showThinking: o.showThinking ?? false,
    maxTokens,
    tokenBudget: integerAtLeast('tokenBudget', o.tokenBudget ?? d.tokenBudget, 1),
    tier: o.tier ?? d.tier,
    prices: { ...DEFAULT_PRICES, ...o.prices },
    describeHandlers: o.describeHandlers ?? false,
    maxToolRounds: integerAtLeast('maxToolRounds', o.maxToolRounds ?? d.maxToolRounds, 0),
    timeoutMs: integerAtLeast('timeoutMs', o.timeoutMs ?? d.timeoutMs, 1),
    maxRetries: integerAtLeast('maxRetries', o.maxRetries ?? d.maxRetries, 0),
  };
}

const CACHING = ['off', '5m', '1h'] as const;

/** An environment variable that must be one of `choices`, or undefined when unset. */
function oneOf<T extends string>(variable: string, value: string | undefined, choices: readonly T[]): T | undefined {
  if (value === undefined || value.trim() === '') return undefined;
  if ((choices as readonly string[]).includes(value.trim())) return value.trim() as T;
  throw new ConfigError(`${variable}='${value}' is not one of ${choices.join(', ')}.`);
}

/** WEFT_THINKING: default, off, adaptive, or a token budget. */
function thinkingFromEnv(value: string | undefined): ThinkingSetting | undefined {
  if (value === undefined || value.trim() === '') return undefined;
  const v = value.trim();
  if (v === 'default' || v === 'off' || v === 'adaptive') return v;
  if (/^\d+$/.test(v)) return { budgetTokens: Number(v) };
  throw new ConfigError(`WEFT_THINKING='${value}' is not one of default, off, adaptive, or a token budget (for example 2048).`);
}

/** Thinking settings the API would reject, caught at construction with the setting to change. */
function checkThinking(t: ThinkingSetting, maxTokens: number, output: OutputMode): void {
  const problem = thinkingProblem(t, maxTokens, output);
  if (problem) throw new ConfigError(`anthropicPlanner option thinking=${thinkingText(t)} ${problem}`);
}

/** Why the API would reject this thinking setting with these settings, or null. */
function thinkingProblem(t: ThinkingSetting, maxTokens: number, output: OutputMode): string | null {
  if (typeof t === 'object' && (!Number.isInteger(t.budgetTokens) || t.budgetTokens < 1024 || t.budgetTokens >= maxTokens)) {
    return `needs an integer budgetTokens of at least 1024 and below maxTokens (${maxTokens}): raise maxTokens or lower the budget.`;
  }
  if (typeof t !== 'object' && !['default', 'off', 'adaptive'].includes(t)) return `is not 'default', 'off', 'adaptive' or { budgetTokens }.`;
  if (output === 'tool' && thinks({ thinking: t })) {
    return `cannot be combined with output: 'tool': the API rejects thinking with a forced tool choice. Use output: 'structured' or 'strict_tool' (WEFT_PLANNER_OUTPUT), or thinking: 'off'.`;
  }
  return null;
}

/**
 * The settings of one request: the planning step's thinking and effort over the planner's. A
 * combination the API would reject fails at once, not retried, naming the step's setting.
 */
function stepSettings(s: Settings, request: PlanningRequest): Settings {
  const p = request.planner;
  if (p === undefined) return s;
  const thinking = p.thinking ?? s.thinking;
  const problem = thinkingProblem(thinking, s.maxTokens, s.output);
  if (problem) {
    throw ApplicationFailure.create({
      type: 'PLANNER_SETTINGS',
      nonRetryable: true,
      message: `Planning step '${request.planningStep}' of template ${request.template.name} ${request.template.version} sets planner.thinking=${thinkingText(thinking)}, which ${problem} Change the template's planner.thinking, or the planner's settings.`,
    });
  }
  return { ...s, thinking, effort: p.effort ?? s.effort };
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
      message: `The next planning call could cost up to $${nextCallUsd.toFixed(4)} (the whole prompt uncached plus max_tokens), more than the $${Math.max(0, remainingUsd).toFixed(4)} that remains of the task's cost budget.`,
    });
  }
  return null;
}
