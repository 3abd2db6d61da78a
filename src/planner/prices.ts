/**
 * The price table: USD per million tokens, per model and token class (input, output, cache
 * writes with a 5-minute and a 1-hour lifetime, cache reads). Every LLM call the planner makes is
 * costed from it by the classes its `usage` reports, and the task's cost budget (`WeftCostUsd`)
 * adds those costs up. The check before a call assumes the uncached worst case
 * ({@link worstCaseCallUsd}).
 */
import { NO_USAGE, type TokenUsage } from './usage.js';

/**
 * What one model costs, in USD per million tokens. The cache rates may be omitted: they then
 * follow Anthropic's published multipliers of the input rate ({@link CACHE_RATE_MULTIPLIERS}).
 */
export interface ModelPrice {
  readonly inputPerMTok: number;
  readonly outputPerMTok: number;
  /** Cache writes with the default 5-minute lifetime (default 1.25 × input). */
  readonly cacheWrite5mPerMTok?: number;
  /** Cache writes with a 1-hour lifetime (default 2 × input). */
  readonly cacheWrite1hPerMTok?: number;
  /** Cache reads, whatever the lifetime (default 0.1 × input). */
  readonly cacheReadPerMTok?: number;
}

/** A {@link ModelPrice} with every class filled in. */
export type ModelRates = Required<ModelPrice>;

/** Cache rates as multiples of the input rate, as Anthropic publishes them for every current model. */
export const CACHE_RATE_MULTIPLIERS = { cacheWrite5m: 1.25, cacheWrite1h: 2, cacheRead: 0.1 } as const;

/** Every class of a price, the omitted cache rates derived from the input rate (to a millionth of a dollar). */
export function ratesOf(price: ModelPrice): ModelRates {
  const m = CACHE_RATE_MULTIPLIERS;
  const times = (k: number) => Math.round(price.inputPerMTok * k * 1e6) / 1e6;
  return {
    inputPerMTok: price.inputPerMTok,
    outputPerMTok: price.outputPerMTok,
    cacheWrite5mPerMTok: price.cacheWrite5mPerMTok ?? times(m.cacheWrite5m),
    cacheWrite1hPerMTok: price.cacheWrite1hPerMTok ?? times(m.cacheWrite1h),
    cacheReadPerMTok: price.cacheReadPerMTok ?? times(m.cacheRead),
  };
}

/** A table row: input, output, 5-minute write, 1-hour write, read. */
const row = (input: number, output: number): ModelRates => ratesOf({ inputPerMTok: input, outputPerMTok: output });

/** Prices by model id (an alias such as `claude-sonnet-4-6`; dated snapshots of it match too). */
export type PriceTable = Readonly<Record<string, ModelPrice>>;

/**
 * Published list prices (standard tier, no batch discount) as of mid-2026, every token class:
 * cache writes cost 1.25 × input (5-minute lifetime) or 2 × input (1 hour), cache reads 0.1 × input.
 * Prices change: pass `prices` to `anthropicPlanner` to override or extend this table.
 */
export const DEFAULT_PRICES: PriceTable = {
  'claude-haiku-4-5': row(1, 5),
  'claude-sonnet-4-5': row(3, 15),
  'claude-sonnet-4-6': row(3, 15),
  'claude-sonnet-5': row(2, 10),
  'claude-sonnet-5-5': row(2, 10),
  'claude-opus-4-1': row(15, 75),
  'claude-opus-4-5': row(5, 25),
  'claude-opus-4-6': row(5, 25),
  'claude-opus-4-7': row(5, 25),
  'claude-opus-5': row(5, 25),
  'claude-opus-5-5': row(4, 20),
  'claude-fable-5-1': row(10, 50),
  'claude-fable-5-2': row(8, 40),
};

/**
 * The price of a model missing from the table: the most expensive rate of each class above. An
 * unknown model is never free, so a cost budget still stops a task early rather than late.
 */
export const UNKNOWN_MODEL_PRICE: ModelRates = row(15, 75);

/** A model's price, and whether it came from the table. */
export interface PriceLookup {
  readonly price: ModelRates;
  readonly known: boolean;
}

const DATED_SNAPSHOT = /^-\d{8}$/;

/**
 * Finds a model's price: the exact id, else the alias a dated snapshot belongs to
 * (`claude-haiku-4-5-20251001` → `claude-haiku-4-5`), else {@link UNKNOWN_MODEL_PRICE}.
 * Omitted cache rates are derived ({@link ratesOf}).
 * @example priceOf('claude-sonnet-4-6-20260217').price // { inputPerMTok: 3, outputPerMTok: 15, cacheWrite5mPerMTok: 3.75, cacheWrite1hPerMTok: 6, cacheReadPerMTok: 0.3 }
 */
export function priceOf(model: string, table: PriceTable = DEFAULT_PRICES): PriceLookup {
  const exact = Object.hasOwn(table, model) ? table[model] : undefined;
  if (exact) return { price: ratesOf(exact), known: true };
  for (const [alias, price] of Object.entries(table)) {
    if (model.startsWith(alias) && DATED_SNAPSHOT.test(model.slice(alias.length))) return { price: ratesOf(price), known: true };
  }
  return { price: UNKNOWN_MODEL_PRICE, known: false };
}

/** USD cost of plain input and output tokens (no cache classes). */
export function costUsd(price: ModelPrice, inputTokens: number, outputTokens: number): number {
  return usageCostUsd(price, { ...NO_USAGE, input: inputTokens, output: outputTokens });
}

/**
 * USD cost of a call's usage, each class at its own rate. Thinking tokens are part of `output`
 * and billed there once.
 * @example usageCostUsd(DEFAULT_PRICES['claude-sonnet-4-6']!, { ...NO_USAGE, cacheRead: 1_000_000 }) // 0.3
 */
export function usageCostUsd(price: ModelPrice, u: TokenUsage): number {
  const r = ratesOf(price);
  return (
    u.input * r.inputPerMTok +
    u.cacheRead * r.cacheReadPerMTok +
    u.cacheWrite5m * r.cacheWrite5mPerMTok +
    u.cacheWrite1h * r.cacheWrite1hPerMTok +
    u.output * r.outputPerMTok
  ) / 1_000_000;
}

/**
 * The most a call can cost before it is made: nothing read from the cache, every prompt token at
 * the dearest input class the request can be billed at (a cache write at the breakpoints' lifetime
 * when caching is on, else plain input), and `max_tokens` of output (thinking included).
 */
export function worstCaseCallUsd(price: ModelPrice, promptTokens: number, maxTokens: number, cacheTtl: '5m' | '1h' | null): number {
  const r = ratesOf(price);
  const perPromptToken = Math.max(r.inputPerMTok, cacheTtl === '1h' ? r.cacheWrite1hPerMTok : cacheTtl === '5m' ? r.cacheWrite5mPerMTok : 0);
  return (promptTokens * perPromptToken + maxTokens * r.outputPerMTok) / 1_000_000;
}
