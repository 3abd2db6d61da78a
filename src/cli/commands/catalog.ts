/**
 * `weft catalog`: the handlers a registry serves, derived from their manifest (the same data the
 * planner and the validator see). Tier 1: name and description; tier 2: + input and output JSON
 * Schema; tier 3: + error modes, mutating flag and estimated cost.
 */
import type { HandlerManifestEntry } from '../../core/manifest.js';
import { listChoices } from '../../core/diagnostics.js';
import { manifestOf } from '../../handler.js';
import { capabilityView as plannerCapabilityView, type CapabilityTier, type CapabilityView } from '../../planner/capabilities.js';
import { CliError, defineCommand } from '../command.js';
import { indent, json, table } from '../format.js';
import { loadCompiledRegistry, registryOption } from '../registry-option.js';

/**
 * The catalog's view of a manifest entry at a tier (1, 2 or 3): the planner's capability view
 * (`src/planner/capabilities.ts`, the one derivation) without tier 3's derived input example, so
 * `--tier 3 --json` prints the manifest entry itself.
 */
export function capabilityView(entry: HandlerManifestEntry, tier: CapabilityTier): CapabilityView {
  return plannerCapabilityView(entry, tier, { example: false });
}

function render(views: readonly CapabilityView[], tier: number): string {
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

/** `weft catalog`. */
export const catalogCommand = defineCommand({
  name: 'catalog',
  summary: 'List the handlers the registry serves, derived from their manifest.',
  description: 'Tier 1: name and one-line description. Tier 2: + input and output JSON Schema. Tier 3: + error modes, mutating flag, estimated cost.',
  positionals: [],
  options: {
    tier: { type: 'string', choices: ['1', '2', '3'], description: 'detail level (default 1)' },
    category: { type: 'string', placeholder: 'c', description: 'only handlers of this category (data, control, io, ...)' },
    json: { type: 'boolean', description: 'print JSON' },
    registry: registryOption,
  },
  async run({ options }, ctx) {
    const tier = Number(options.tier ?? '1') as CapabilityTier;
    const registry = await loadCompiledRegistry(options.registry, ctx);
    let entries = Object.values(manifestOf(registry.registry.handlers));
    if (options.category !== undefined) {
      const categories = [...new Set(entries.map((e) => e.category))].sort();
      if (!categories.includes(options.category)) throw new CliError(`no handler has category '${options.category}': use one of ${listChoices(categories)}`);
      entries = entries.filter((e) => e.category === options.category);
    }
    const views = entries.map((e) => capabilityView(e, tier));
    ctx.out(options.json ? json(views) : render(views, tier));
    return 0;
  },
});
