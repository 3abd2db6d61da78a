/**
 * Token usage by billing class: what the Messages API reports per call (`usage`), in the shape the
 * planning record keeps (layer 2) and metrics export. Pure: no SDK import, safe anywhere.
 *
 * The classes are disjoint for input and nested for output, as the API bills them:
 * - `input`: prompt tokens read neither from nor into the cache (`usage.input_tokens`);
 * - `cacheRead`: prompt tokens read from the prompt cache (`usage.cache_read_input_tokens`);
 * - `cacheWrite5m` / `cacheWrite1h`: prompt tokens written to the cache with a 5-minute or 1-hour
 *   lifetime (`usage.cache_creation.ephemeral_5m_input_tokens` / `..._1h_...`);
 * - `output`: every generated token, thinking included (`usage.output_tokens`, billed at the output rate);
 * - `thinking`: the part of `output` spent on thinking (`usage.output_tokens_details.thinking_tokens`),
 *   0 when the API does not report it. Informational: never added to `output` again.
 *
 * The prompt a call sent is `input + cacheRead + cacheWrite5m + cacheWrite1h` tokens; that sum is
 * what `PlanningResult.inputTokens` has always meant.
 */

/** Tokens of one call, or a sum of calls, by billing class. */
export interface TokenUsage {
  readonly input: number;
  readonly cacheRead: number;
  readonly cacheWrite5m: number;
  readonly cacheWrite1h: number;
  readonly output: number;
  readonly thinking: number;
}

/** One LLM call of a planning attempt, as accounted. */
export interface PlanningCall {
  readonly model: string;
  readonly usage: TokenUsage;
  /** USD, from the price table and the classes above. */
  readonly costUsd: number;
  /** The API's `stop_reason` (`end_turn`, `tool_use`, `max_tokens`, `refusal`, ...). */
  readonly stopReason: string | null;
}

/** The calls of one planning attempt and their sum (layer 2; metrics by token type). */
export interface PlanningUsage extends TokenUsage {
  readonly calls: readonly PlanningCall[];
}

/** No tokens. */
export const NO_USAGE: TokenUsage = { input: 0, cacheRead: 0, cacheWrite5m: 0, cacheWrite1h: 0, output: 0, thinking: 0 };

/** The usage fields of a Messages API response this module reads (a subset of the SDK's `Usage`). */
export interface ApiUsage {
  readonly input_tokens: number;
  readonly output_tokens: number;
  readonly cache_creation_input_tokens?: number | null;
  readonly cache_read_input_tokens?: number | null;
  readonly cache_creation?: { readonly ephemeral_5m_input_tokens?: number | null; readonly ephemeral_1h_input_tokens?: number | null } | null;
  readonly output_tokens_details?: { readonly thinking_tokens?: number | null } | null;
}

/**
 * The classes of one response's `usage`. Cache writes without the per-TTL breakdown (older
 * endpoints report only `cache_creation_input_tokens`) count as 5-minute writes.
 * @example usageOf({ input_tokens: 50, output_tokens: 300, cache_read_input_tokens: 4000 }).cacheRead // 4000
 */
export function usageOf(u: ApiUsage): TokenUsage {
  const created = u.cache_creation_input_tokens ?? 0;
  const w1h = u.cache_creation?.ephemeral_1h_input_tokens ?? 0;
  const w5m = u.cache_creation ? (u.cache_creation.ephemeral_5m_input_tokens ?? 0) : created;
  return {
    input: u.input_tokens,
    cacheRead: u.cache_read_input_tokens ?? 0,
    cacheWrite5m: w5m,
    cacheWrite1h: w1h,
    output: u.output_tokens,
    thinking: Math.min(u.output_tokens, u.output_tokens_details?.thinking_tokens ?? 0),
  };
}

/** The sum of two usages, class by class. */
export function addUsage(a: TokenUsage, b: TokenUsage): TokenUsage {
  return {
    input: a.input + b.input,
    cacheRead: a.cacheRead + b.cacheRead,
    cacheWrite5m: a.cacheWrite5m + b.cacheWrite5m,
    cacheWrite1h: a.cacheWrite1h + b.cacheWrite1h,
    output: a.output + b.output,
    thinking: a.thinking + b.thinking,
  };
}

/** Every prompt token of a usage, whatever its cache class. */
export function promptTokens(u: TokenUsage): number {
  return u.input + u.cacheRead + u.cacheWrite5m + u.cacheWrite1h;
}
