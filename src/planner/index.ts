/**
 * Planners: Claude through the Messages API, and scripted planners whose fragments are given in
 * code (tests, demos, fallbacks). `@anthropic-ai/sdk` loads only when a Claude planner first plans.
 *
 * @example
 * import { anthropicPlanner, scriptedPlanner } from '@weftworks/weft/planner';
 * const planner = process.env.ANTHROPIC_API_KEY ? anthropicPlanner() : scriptedPlanner([myFragment]);
 */
export { anthropicPlanner, ANTHROPIC_PLANNER_DEFAULTS, DEFAULT_MODEL } from './anthropic.js';
export type { AnthropicPlannerOptions } from './anthropic.js';
export { scriptedPlanner, scriptedPlannerFromFile } from './scripted.js';
export type { PlannerScript } from './scripted.js';
export { CACHE_RATE_MULTIPLIERS, costUsd, DEFAULT_PRICES, priceOf, ratesOf, UNKNOWN_MODEL_PRICE, usageCostUsd, worstCaseCallUsd } from './prices.js';
export type { ModelPrice, ModelRates, PriceLookup, PriceTable } from './prices.js';
export type { PlanningCall, PlanningUsage, TokenUsage } from './usage.js';
export { OUTPUT_MODES, type OutputMode } from './output-mode.js';
export { constrainedSubsetGaps } from './output-format.js';
export type { AvailableStep, FailedAttempt, Planner, PlanningConstraints, PlanningRequest, PlanningResult, PromptContextRecord } from './types.js';
export type { RequestOmissions } from '../core/planning-request.js';
