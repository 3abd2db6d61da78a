/**
 * What to change when the Messages API rejects a parameter the planner's settings put into the
 * request: the parameter, the setting that sent it, and the values that avoid it. Pure.
 */
import type { RequestSettings, ThinkingSetting } from './anthropic-request.js';

/** How a thinking setting is written in options and in WEFT_THINKING. */
export function thinkingText(t: ThinkingSetting): string {
  return typeof t === 'object' ? `{ budgetTokens: ${t.budgetTokens} }` : `'${t}'`;
}

/**
 * The setting to change for a 400 whose message names a parameter the settings sent, or null
 * when the message names none of them.
 * @example rejectedSettingHint('Thinking may not be enabled when tool_choice forces tool use.', settings)
 * // "the model thinks and the request forces the answer tool (tool_choice) ... set output: 'structured' ..."
 */
export function rejectedSettingHint(apiMessage: string, s: RequestSettings): string | null {
  const m = apiMessage.toLowerCase();
  if (m.includes('tool_choice') && m.includes('thinking')) {
    return (
      `the model thinks (thinking: ${thinkingText(s.thinking)}${s.thinking === 'default' ? ', the model thinks by default' : ''}) and the request forces the answer tool ` +
      `(tool_choice, output: '${s.output}'). Set output: 'structured' (WEFT_PLANNER_OUTPUT=structured), which needs no forced tool, ` +
      `or thinking: 'off' (WEFT_THINKING=off)`
    );
  }
  if (m.includes('budget_tokens') && typeof s.thinking === 'object') {
    return `the thinking budget does not fit (thinking: ${thinkingText(s.thinking)}, maxTokens: ${s.maxTokens}): budgetTokens must be at least 1024 and below maxTokens`;
  }
  if (m.includes('thinking')) {
    return `the model rejects the thinking parameter (thinking: ${thinkingText(s.thinking)}). Set thinking: 'default' or 'off' (WEFT_THINKING)` +
      (s.thinking === 'adaptive' ? `, or a fixed budget: thinking: { budgetTokens: 2048 } (WEFT_THINKING=2048)` : '') + ', or choose a model that thinks';
  }
  if (m.includes('effort')) {
    return `the model rejects output_config.effort (effort: '${s.effort ?? ''}'). Unset effort (WEFT_EFFORT), or choose a model that takes it`;
  }
  if (m.includes('output_config') || m.includes('structured output') || m.includes('strict')) {
    return `the model or endpoint has no constrained output (output: '${s.output}' sends ${s.output === 'structured' ? 'output_config.format' : 'a strict tool'}). ` +
      `Set output: 'tool' (WEFT_PLANNER_OUTPUT=tool), the unconstrained forced tool; the validator still checks every fragment`;
  }
  if (m.includes('cache_control')) {
    return `the endpoint rejects prompt caching (promptCaching: '${s.promptCaching}'). Set promptCaching: 'off' (WEFT_PROMPT_CACHE=off)`;
  }
  return null;
}
