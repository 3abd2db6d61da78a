/**
 * The price table: USD per million input and output tokens, per model. Every LLM call the
 * planner makes is costed from it, and the task's cost budget (`WeftCostUsd`) adds those costs up.
 */

/** What one model costs, in USD per million tokens. */
export interface ModelPrice {
  readonly inputPerMTok: number;
  readonly outputPerMTok: number;
}

/** Prices by model id (an alias such as `claude-sonnet-4-6`; dated snapshots of it match too). */
export type PriceTable = Readonly<Record<string, ModelPrice>>;

/**
 * Published list prices (standard tier, no batch discount, no cache pricing) as of mid-2026.
 * Prices change: pass `prices` to `anthropicPlanner` to override or extend this table.
 */
export const DEFAULT_PRICES: PriceTable = {
  'claude-haiku-4-5': { inputPerMTok: 1, outputPerMTok: 5 },
  'claude-sonnet-4-5': { inputPerMTok: 3, outputPerMTok: 15 },
  'claude-sonnet-4-6': { inputPerMTok: 3, outputPerMTok: 15 },
  'claude-sonnet-5': { inputPerMTok: 2, outputPerMTok: 10 },
  'claude-sonnet-5-5': { inputPerMTok: 2, outputPerMTok: 10 },
  'claude-opus-4-1': { inputPerMTok: 15, outputPerMTok: 75 },
  'claude-opus-4-5': { inputPerMTok: 5, outputPerMTok: 25 },
  'claude-opus-4-6': { inputPerMTok: 5, outputPerMTok: 25 },
  'claude-opus-4-7': { inputPerMTok: 5, outputPerMTok: 25 },
  'claude-opus-5': { inputPerMTok: 5, outputPerMTok: 25 },
  'claude-opus-5-5': { inputPerMTok: 4, outputPerMTok: 20 },
  'claude-fable-5-1': { inputPerMTok: 10, outputPerMTok: 50 },
  'claude-fable-5-2': { inputPerMTok: 8, outputPerMTok: 40 },
};

/**
 * The price of a model missing from the table: the most expensive rate above. An unknown model
 * is never free, so a cost budget still stops a task early rather than late.
 */
export const UNKNOWN_MODEL_PRICE: ModelPrice = { inputPerMTok: 15, outputPerMTok: 75 };

/** A model's price, and whether it came from the table. */
export interface PriceLookup {
  readonly price: ModelPrice;
  readonly known: boolean;
}

const DATED_SNAPSHOT = /^-\d{8}$/;

/**
 * Finds a model's price: the exact id, else the alias a dated snapshot belongs to
 * (`claude-haiku-4-5-20251001` → `claude-haiku-4-5`), else {@link UNKNOWN_MODEL_PRICE}.
 * @example priceOf('claude-sonnet-4-6-20260217').price // { inputPerMTok: 3, outputPerMTok: 15 }
 */
export function priceOf(model: string, table: PriceTable = DEFAULT_PRICES): PriceLookup {
  const exact = Object.hasOwn(table, model) ? table[model] : undefined;
  if (exact) return { price: exact, known: true };
  for (const [alias, price] of Object.entries(table)) {
    if (model.startsWith(alias) && DATED_SNAPSHOT.test(model.slice(alias.length))) return { price, known: true };
  }
  return { price: UNKNOWN_MODEL_PRICE, known: false };
}

/** USD cost of one call. */
export function costUsd(price: ModelPrice, inputTokens: number, outputTokens: number): number {
  return (inputTokens * price.inputPerMTok + outputTokens * price.outputPerMTok) / 1_000_000;
}
