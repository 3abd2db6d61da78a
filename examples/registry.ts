/**
 * The repository's registry: what `weft worker`, `weft validate`, `weft catalog` and
 * `npm run demo` serve when no `--registry` or `WEFT_REGISTRY` is given — the built-in catalog,
 * the gate and fan-out, the order-triage handlers and template, and a planner: Claude when
 * ANTHROPIC_API_KEY is set (plus the LLM `summarize` handler), else the example's scripted planner.
 */
import { defineRegistry, type Registry } from '@weftworks/weft';
import { configuredBuiltinHandlers, createSummarizeHandler, fanOut, gate } from '@weftworks/weft/catalog';
import { anthropicPlanner } from '@weftworks/weft/planner';
import { orderTriageHandlers } from './order-triage/handlers.js';
import { orderTriagePlanner } from './order-triage/plan.js';
import { orderTriage } from './order-triage/template.js';

/** The example registry for an environment. */
export function exampleRegistry(env: Readonly<Record<string, string | undefined>> = process.env): Registry {
  const claude = Boolean(env['ANTHROPIC_API_KEY']);
  return defineRegistry({
    handlers: [...configuredBuiltinHandlers(env), gate, fanOut, ...orderTriageHandlers, ...(claude ? [createSummarizeHandler({ env })] : [])],
    templates: [orderTriage],
    planner: claude ? anthropicPlanner({ env }) : orderTriagePlanner,
  });
}

/** The example registry. */
export const registry = exampleRegistry();

export default registry;
