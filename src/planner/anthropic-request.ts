/**
 * The Messages API request of one planning call, built from the planner's settings and the
 * composed prompt. Pure: the same settings, prompt and conversation give the same bytes, which is
 * what lets the prompt cache hit.
 *
 * Prompt order (the API caches tools, then system, then messages): the tools, the instructions
 * (breakpoint 1: shared by every planning call with the same tools and output mode), the
 * capability section and the examples (breakpoint 2: shared by every re-plan of the phase, and by
 * other calls whose capability section came out the same), then the task in the user turn
 * (problem, results, constraints, failure context), which is never cached.
 */
import type Anthropic from '@anthropic-ai/sdk';
import { PLANNER_EFFORTS, type PlannerEffort, type PlannerThinking } from '../core/plan.js';
import { describeHandlersTool, SUBMIT_FRAGMENT, submitFragmentTool } from './anthropic-tools.js';
import type { ComposedPrompt } from './context.js';
import { fragmentOutputFormat, strictDescribeHandlersTool, strictSubmitFragmentTool, type OutputMode } from './output-format.js';

/** Thinking: the model's default (nothing sent), off, adaptive, or a fixed token budget. */
export type ThinkingSetting = PlannerThinking;

/** `output_config.effort` values. */
export const EFFORTS = PLANNER_EFFORTS;
/** How much effort the model puts into its answer (models that take it). */
export type Effort = PlannerEffort;

/** Prompt caching: off, or breakpoints with a 5-minute or 1-hour lifetime. */
export type PromptCaching = 'off' | '5m' | '1h';

/** What shapes the request. */
export interface RequestSettings {
  readonly model: string;
  readonly maxTokens: number;
  readonly output: OutputMode;
  readonly thinking: ThinkingSetting;
  readonly effort: Effort | null;
  readonly promptCaching: PromptCaching;
  readonly describeHandlers: boolean;
}

/** Whether the request asks the model to think (a model that thinks by default is not known here). */
export function thinks(s: Pick<RequestSettings, 'thinking'>): boolean {
  return s.thinking === 'adaptive' || typeof s.thinking === 'object';
}

/** The first user turn: the whole prompt, or only the task part when the prefix is cached. */
export function firstUserContent(s: Pick<RequestSettings, 'promptCaching'>, composed: ComposedPrompt): string {
  return s.promptCaching === 'off' ? composed.user : composed.task;
}

/**
 * The request of one call. `mayDescribe`: `describe_handlers` rounds remain, so the model may call
 * it; otherwise the answer is due (forced where the mode and thinking allow, else asked for).
 */
export function planningRequestBody(
  s: RequestSettings,
  composed: ComposedPrompt,
  messages: readonly Anthropic.MessageParam[],
  mayDescribe: boolean,
): Anthropic.MessageCreateParamsNonStreaming {
  const cache: Anthropic.CacheControlEphemeral | null = s.promptCaching === 'off' ? null : { type: 'ephemeral', ...(s.promptCaching === '1h' ? { ttl: '1h' as const } : {}) };
  const system: string | Anthropic.TextBlockParam[] = cache
    ? [
        { type: 'text', text: composed.system, cache_control: cache },
        { type: 'text', text: composed.stable, cache_control: cache },
      ]
    : composed.system;
  const outputConfig: Anthropic.OutputConfig = {
    ...(s.output === 'structured' ? { format: fragmentOutputFormat() } : {}),
    ...(s.effort !== null ? { effort: s.effort } : {}),
  };
  return {
    model: s.model,
    max_tokens: s.maxTokens,
    system,
    messages: [...messages],
    ...toolsAndChoice(s, mayDescribe),
    ...(Object.keys(outputConfig).length > 0 ? { output_config: outputConfig } : {}),
    ...thinkingParam(s.thinking),
  };
}

function toolsAndChoice(s: RequestSettings, mayDescribe: boolean): Pick<Anthropic.MessageCreateParamsNonStreaming, 'tools' | 'tool_choice'> {
  switch (s.output) {
    case 'structured':
      // The answer is the response text; describe_handlers is the only tool, never forced.
      return s.describeHandlers ? { tools: [strictDescribeHandlersTool()], tool_choice: { type: mayDescribe ? 'auto' : 'none' } } : {};
    case 'strict_tool':
    case 'tool': {
      const strict = s.output === 'strict_tool';
      const submit = strict ? strictSubmitFragmentTool() : submitFragmentTool();
      const tools = s.describeHandlers ? [submit, strict ? strictDescribeHandlersTool() : describeHandlersTool()] : [submit];
      // Thinking cannot be combined with a forced tool choice: the system prompt asks for the tool instead.
      const toolChoice: Anthropic.ToolChoice = thinks(s) ? { type: 'auto' } : mayDescribe ? { type: 'any' } : { type: 'tool', name: SUBMIT_FRAGMENT };
      return { tools, tool_choice: toolChoice };
    }
  }
}

function thinkingParam(t: ThinkingSetting): Pick<Anthropic.MessageCreateParamsNonStreaming, 'thinking'> {
  if (t === 'default') return {};
  if (t === 'off') return { thinking: { type: 'disabled' } };
  if (t === 'adaptive') return { thinking: { type: 'adaptive' } };
  return { thinking: { type: 'enabled', budget_tokens: t.budgetTokens } };
}
