/**
 * The token estimator context composition budgets with: deterministic, dependency-free, and
 * deliberately pessimistic for the JSON-heavy text a planning prompt is made of.
 */

/**
 * Characters per token assumed by {@link estimateTokens}. English prose runs near 4 characters
 * per token for Claude's tokenizer; JSON Schemas, punctuation and identifiers run nearer 3. 3.5
 * over-counts prose a little and under-counts dense JSON a little, so a prompt composed to a budget
 * lands close to it on the provider's count. Measure with the provider's usage numbers before
 * changing it; the bench (`bench/prompt-size.bench.ts`) reports sizes in this unit.
 */
export const CHARS_PER_TOKEN = 3.5;

/**
 * Estimated tokens of `text`: `ceil(text.length / 3.5)`, with `length` in UTF-16 code units.
 * No tokenizer dependency, so the same prompt always gets the same count, in any runtime.
 * @example estimateTokens('{"type":"object"}') // 5
 */
export function estimateTokens(text: string): number {
  return Math.ceil(text.length / CHARS_PER_TOKEN);
}

/** The most characters a text may have and still be estimated at `tokens` or fewer. */
export function charsForTokens(tokens: number): number {
  return Math.max(0, Math.floor(tokens * CHARS_PER_TOKEN));
}
