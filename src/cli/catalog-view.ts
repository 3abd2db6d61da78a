/**
 * What `weft catalog` prints: the catalog's view of manifest entries, apart from the command so
 * that the command table loads none of it.
 */
import type { HandlerManifestEntry } from '../core/manifest.js';
import { capabilityView as plannerCapabilityView, type CapabilityTier, type CapabilityView } from '../planner/capabilities.js';
import { indent, table } from './format.js';

/**
 * The catalog's view of a manifest entry at a tier (1, 2 or 3): the planner's capability view
 * (`src/planner/capabilities.ts`, the one derivation) without tier 3's derived input example, so
 * `--tier 3 --json` prints the manifest entry itself.
 */
export function capabilityView(entry: HandlerManifestEntry, tier: CapabilityTier): CapabilityView {
  return plannerCapabilityView(entry, tier, { example: false });
}

/** The views as text: a table at tier 1, a block per handler at tiers 2 and 3. */
export function renderCatalog(views: readonly CapabilityView[], tier: number): string {
  if (tier === 1) return table(['handler', 'category', 'description'], views.map((v) => [v.name, v.category, v.description]));
  const blocks = views.map((v) => {
    const lines = [`${v.name} (${v.category}${v.mutating ? ', mutating' : ''}): ${v.description}`];
    lines.push('  input schema:', indent(JSON.stringify(v.inputSchema, null, 2), '    '));
    lines.push('  output schema:', indent(JSON.stringify(v.outputSchema, null, 2), '    '));
    if (v.errorModes) {
      lines.push(`  mutating: ${v.mutating ? 'yes' : 'no'} · estimated cost per call: $${v.estimatedCostUsd ?? 0}`);
      lines.push('  error modes:', ...(v.errorModes.length === 0 ? ['    (none declared)'] : v.errorModes.map((m) => `    ${m.code} (${m.retryable ? 'retryable' : 'not retryable'}): ${m.description}`)));
    }
    return lines.join('\n');
  });
  return blocks.join('\n\n');
}

