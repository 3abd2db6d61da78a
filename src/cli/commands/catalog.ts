/**
 * `weft catalog`: the handlers a registry serves, derived from their manifest (the same data the
 * planner and the validator see). Tier 1: name and description; tier 2: + input and output JSON
 * Schema; tier 3: + error modes, mutating flag and estimated cost.
 */
import { listChoices } from '../../core/diagnostics.js';
import type { CapabilityTier } from '../../planner/capabilities.js';
import { CliError, defineCommand } from '../command.js';
import { json } from '../format.js';
import { loadCompiledRegistry, registryOption } from '../registry-option.js';

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
    const [{ manifestOf }, { capabilityView, renderCatalog }] = await Promise.all([import('../../handler.js'), import('../catalog-view.js')]);
    let entries = Object.values(manifestOf(registry.registry.handlers));
    if (options.category !== undefined) {
      const categories = [...new Set(entries.map((e) => e.category))].sort();
      if (!categories.includes(options.category)) throw new CliError(`no handler has category '${options.category}': use one of ${listChoices(categories)}`);
      entries = entries.filter((e) => e.category === options.category);
    }
    const views = entries.map((e) => capabilityView(e, tier));
    ctx.out(options.json ? json(views) : renderCatalog(views, tier));
    return 0;
  },
});
