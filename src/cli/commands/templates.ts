/**
 * `weft templates`: the templates a registry serves, compiled: name, version, hash prefix, and
 * the frame's steps in order with their kinds.
 */
import type { CompiledPlan } from '../../core/plan.js';
import { defineCommand } from '../command.js';
import { json, table } from '../format.js';
import { loadCompiledRegistry, registryOption } from '../registry-option.js';

/** The frame as one line: `load_orders → plan_processing (planning) → ...`. */
export function frameLine(plan: CompiledPlan): string {
  return plan.steps.map((s) => (s.kind === 'static' ? s.name : `${s.name} (${s.kind})`)).join(' → ');
}

/** `weft templates`. */
export const templatesCommand = defineCommand({
  name: 'templates',
  summary: 'List the templates the registry serves: name, version, hash prefix, steps.',
  positionals: [],
  options: {
    json: { type: 'boolean', description: 'print JSON (name, version, hash, description, steps)' },
    registry: registryOption,
  },
  async run({ options }, ctx) {
    const { plans } = await loadCompiledRegistry(options.registry, ctx);
    if (options.json) {
      ctx.out(json(plans.map((p) => ({ name: p.name, version: p.version, hash: p.hash, description: p.description, steps: p.steps.map((s) => ({ name: s.name, kind: s.kind })) }))));
      return 0;
    }
    ctx.out(table(['template', 'version', 'hash', 'steps'], plans.map((p) => [p.name, p.version, p.hash.slice(0, 12), frameLine(p)])));
    return 0;
  },
});
