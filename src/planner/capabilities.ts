/**
 * The capability schema the planner (and `weft catalog`) is shown, derived from handler manifest
 * entries, never hand-written. Tier 1: name, category, one line. Tier 2: + input and output JSON
 * Schema. Tier 3: + mutating flag, estimated cost, error modes and an input example derived from
 * the input schema. Selection narrows by category and name and ranks by relevance to a problem.
 */
import type { JsonSchema, JsonValue } from '../core/json.js';
import type { ErrorMode, HandlerManifestEntry } from '../core/manifest.js';
import { categoriesPointedAt, relevanceScores } from './relevance.js';
import { inputExample } from './schema-example.js';

export { CATEGORY_KEYWORDS, categoriesPointedAt, relevanceScores, termsOf } from './relevance.js';
export { inputExample } from './schema-example.js';

/** How much of a handler is shown: 1 = name and line, 2 = + schemas, 3 = + full reference. */
export type CapabilityTier = 1 | 2 | 3;

/** One handler as a tier shows it. */
export interface CapabilityView {
  readonly name: string;
  readonly category: string;
  readonly description: string;
  readonly inputSchema?: JsonSchema;
  readonly outputSchema?: JsonSchema;
  readonly mutating?: boolean;
  readonly errorModes?: readonly ErrorMode[];
  readonly estimatedCostUsd?: number;
  /** A minimal valid input, derived from `inputSchema` by {@link inputExample} (tier 3). */
  readonly inputExample?: JsonValue;
}

/** Options of {@link capabilityView}. */
export interface CapabilityViewOptions {
  /** Whether tier 3 carries the derived input example (default true). */
  readonly example?: boolean | undefined;
}

/**
 * The view of a manifest entry at a tier: a projection of the entry, plus at tier 3 the input
 * example derived from its input schema.
 * @example capabilityView(manifest['validate']!, 2) // { name, category, description, inputSchema, outputSchema }
 */
export function capabilityView(entry: HandlerManifestEntry, tier: CapabilityTier, options: CapabilityViewOptions = {}): CapabilityView {
  const base = { name: entry.name, category: entry.category, description: entry.description };
  if (tier === 1) return base;
  const schemas = { ...base, inputSchema: entry.inputSchema, outputSchema: entry.outputSchema };
  if (tier === 2) return schemas;
  const full = { ...schemas, mutating: entry.mutating, errorModes: entry.errorModes, estimatedCostUsd: entry.estimatedCostUsd };
  return options.example === false ? full : { ...full, inputExample: inputExample(entry.inputSchema) };
}

/** The tier a view was made at, from the fields it carries. */
export function tierOf(view: CapabilityView): CapabilityTier {
  if (view.errorModes !== undefined) return 3;
  return view.inputSchema !== undefined ? 2 : 1;
}

/** What {@link selectCapabilities} keeps and how it orders them. */
export interface CapabilitySelection {
  /** Keep only handlers of these categories. */
  readonly categories?: readonly string[] | undefined;
  /** Keep only handlers with these names (names not in `entries` are ignored). */
  readonly names?: readonly string[] | undefined;
  /**
   * Order by relevance to this text, most relevant first; equal scores keep catalog order. The
   * score is {@link relevanceScores}: keyword overlap with name, description and category.
   */
  readonly relevantTo?: string | undefined;
}

/**
 * Narrows a catalog by category and name and, given a problem text, orders it by relevance.
 * Deterministic: the same entries and selection give the same list.
 * @example selectCapabilities(entries, { categories: ['data'], relevantTo: 'validate orders against a schema' })
 */
export function selectCapabilities(entries: readonly HandlerManifestEntry[], selection: CapabilitySelection = {}): HandlerManifestEntry[] {
  const categories = selection.categories === undefined ? null : new Set(selection.categories);
  const names = selection.names === undefined ? null : new Set(selection.names);
  const kept = entries.filter((e) => (categories === null || categories.has(e.category)) && (names === null || names.has(e.name)));
  if (selection.relevantTo === undefined) return kept;
  const scores = relevanceScores(kept, selection.relevantTo);
  return kept
    .map((entry, index) => ({ entry, index, score: scores.get(entry.name) ?? 0 }))
    .sort((a, b) => b.score - a.score || a.index - b.index)
    .map((r) => r.entry);
}

/** The categories among `entries` that a problem text points at (see {@link categoriesPointedAt}). */
export function relevantCategories(entries: readonly HandlerManifestEntry[], text: string): string[] {
  return categoriesPointedAt([...new Set(entries.map((e) => e.category))], text);
}

/**
 * A JSON Schema as the prompt shows it: the same constraints without what zod adds for the
 * validator's sake and the model does not need — integer bounds at ±2^53−1 (zod's "safe
 * integer") and the regex zod writes next to a `format` (the format names it). Compact JSON.
 */
export function promptSchema(schema: JsonSchema): string {
  return JSON.stringify(schema, (_key, value: unknown) => {
    if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
      const o = { ...(value as Record<string, unknown>) };
      if (o['minimum'] === -Number.MAX_SAFE_INTEGER) delete o['minimum'];
      if (o['maximum'] === Number.MAX_SAFE_INTEGER) delete o['maximum'];
      if (typeof o['format'] === 'string' && typeof o['pattern'] === 'string') delete o['pattern'];
      return o;
    }
    return value;
  });
}

/**
 * One handler as prompt text: a `- name [category]: line` bullet, then, by tier, compact input and
 * output schemas ({@link promptSchema}), the mutating flag and cost, error modes and the input example.
 */
export function renderCapability(view: CapabilityView): string {
  const lines = [`- ${view.name} [${view.category}]: ${view.description}`];
  if (view.inputSchema !== undefined) lines.push(`  input schema: ${promptSchema(view.inputSchema)}`);
  if (view.outputSchema !== undefined) lines.push(`  output schema: ${promptSchema(view.outputSchema)}`);
  if (view.errorModes !== undefined) {
    lines.push(`  mutating: ${view.mutating === true ? 'yes (changes the world outside the task)' : 'no'}; estimated cost per call: $${view.estimatedCostUsd ?? 0}`);
    const modes = view.errorModes.map((m) => `${m.code} (${m.retryable ? 'retryable' : 'not retryable'}): ${m.description}`);
    lines.push(`  error modes: ${modes.length === 0 ? '(none declared)' : modes.join(' | ')}`);
  }
  if (view.inputExample !== undefined) lines.push(`  example input: ${JSON.stringify(view.inputExample)}`);
  return lines.join('\n');
}

/** Views as compact prompt text, one {@link renderCapability} block per line group, in the given order. */
export function renderCapabilities(views: readonly CapabilityView[]): string {
  return views.map(renderCapability).join('\n');
}
