/**
 * Planning-prompt size for a 200-handler catalog (the built-ins plus 200 application handlers
 * from test/support/large-catalog.ts), in estimated tokens (`ceil(chars / 3.5)`, see
 * src/planner/tokens.ts): every handler at tier 1, tier 2 and tier 3; `'auto'` with category
 * selection (unbounded and at the default 12,000-token budget); and the naive baseline of every
 * manifest entry included as JSON. Prints a table and writes bench/results/prompt-size.json.
 *
 *   npx tsx bench/prompt-size.bench.ts
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { composePlanningPrompt, DEFAULT_TOKEN_BUDGET, type ComposeOptions, type ComposedPrompt } from '../src/planner/context.js';
import { estimateTokens } from '../src/planner/tokens.js';
import type { PlanningRequest } from '../src/planner/types.js';
import { largeCatalog } from '../test/support/large-catalog.js';

const catalog = largeCatalog();
const UNBOUNDED = Number.MAX_SAFE_INTEGER;

const request: PlanningRequest = {
  taskId: 'bench',
  template: { name: 'order-triage', version: '1.0.0' },
  planningStep: 'plan_processing',
  phase: 1,
  attempt: 1,
  problem: 'Validate the orders against a schema, drop malformed rows, and total the valid ones by country and status.',
  taskInput: { orders_path: 'data/orders.json' },
  results: [],
  capabilities: catalog,
  constraints: {
    maxSteps: 12,
    maxDepth: 4,
    convergence: 'summarize_results',
    reservedNames: ['load_orders', 'plan_processing', 'summarize_results', 'publish_report'],
    availableSteps: [{ name: 'load_orders', outputSchema: { type: 'object', properties: { orders: { type: 'array' }, count: { type: 'integer' } } } }],
    phasesAfterThis: 1,
    remaining: { steps: 36, planningPhases: 2, llmCalls: 8, costUsd: 2, wallTimeMs: 30 * 60_000 },
  },
  failures: [],
};

interface Row {
  readonly variant: string;
  readonly promptTokens: number;
  readonly capabilityTokens: number;
  readonly tier2: number;
  readonly tier3: number;
  readonly savingVsEverySchema: number;
}

const capabilityTokens = (p: ComposedPrompt) => p.sections.find((s) => s.name === 'capabilities')?.tokens ?? 0;
const compose = (options: ComposeOptions) => composePlanningPrompt(request, options);

const measured: [string, ComposedPrompt][] = [
  ['tier 1 (all handlers)', compose({ tier: 1, tokenBudget: UNBOUNDED })],
  ['tier 2 (all handlers)', compose({ tier: 2, tokenBudget: UNBOUNDED })],
  ['tier 3 (all handlers)', compose({ tier: 3, tokenBudget: UNBOUNDED })],
  ['auto, category selection, unbounded', compose({ tier: 'auto', tokenBudget: UNBOUNDED })],
  [`auto, category selection, ${DEFAULT_TOKEN_BUDGET} budget`, compose({ tier: 'auto' })],
];

// The naive baseline: every manifest entry, whole, as compact JSON in place of the capability
// section (and, for reference, as the pretty-printed JSON one would paste).
const tier1 = measured[0]![1];
const withCapabilities = (text: string) => {
  const tokens = estimateTokens(`## Capabilities\n${text}`);
  return { capabilityTokens: tokens, promptTokens: tier1.estimatedTokens - capabilityTokens(tier1) + tokens };
};
const everySchema = withCapabilities(JSON.stringify(catalog));
const everySchemaPretty = withCapabilities(JSON.stringify(catalog, null, 2));
const everySchemaPrompt = everySchema.promptTokens;

const rows: Row[] = [
  ...measured.map(([variant, p]) => ({
    variant,
    promptTokens: p.estimatedTokens,
    capabilityTokens: capabilityTokens(p),
    tier2: p.capabilitiesShown.filter((c) => c.tier === 2).length,
    tier3: p.capabilitiesShown.filter((c) => c.tier === 3).length,
    savingVsEverySchema: 1 - p.estimatedTokens / everySchemaPrompt,
  })),
  { variant: 'every schema included (manifest JSON)', ...everySchema, tier2: catalog.length, tier3: catalog.length, savingVsEverySchema: 0 },
  { variant: 'every schema included, pretty JSON', ...everySchemaPretty, tier2: catalog.length, tier3: catalog.length, savingVsEverySchema: 1 - everySchemaPretty.promptTokens / everySchemaPrompt },
];

const pct = (x: number) => `${(x * 100).toFixed(1)}%`;
console.log(`Planning prompt for ${catalog.length} handlers (estimated tokens, ceil(chars / 3.5))\n`);
console.log(['variant'.padEnd(40), 'prompt'.padStart(8), 'capabilities'.padStart(13), 'tier2'.padStart(6), 'tier3'.padStart(6), 'saved vs every schema'.padStart(22)].join(' '));
for (const r of rows) {
  console.log(
    [r.variant.padEnd(40), String(r.promptTokens).padStart(8), String(r.capabilityTokens).padStart(13), String(r.tier2).padStart(6), String(r.tier3).padStart(6), pct(r.savingVsEverySchema).padStart(22)].join(' '),
  );
}

const report = {
  bench: 'prompt-size',
  estimator: 'ceil(chars / 3.5)',
  handlers: catalog.length,
  categories: Object.fromEntries([...new Set(catalog.map((e) => e.category))].map((c) => [c, catalog.filter((e) => e.category === c).length])),
  problem: request.problem,
  rows,
};
await mkdir(new URL('./results/', import.meta.url), { recursive: true });
await writeFile(new URL('./results/prompt-size.json', import.meta.url), `${JSON.stringify(report, null, 2)}\n`);
console.log('\nwrote bench/results/prompt-size.json');
