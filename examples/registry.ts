/**
 * The repository's registry: what `weft worker`, `weft validate`, `weft catalog` and
 * `npm run demo` serve when no `--registry` or `WEFT_REGISTRY` is given — the built-in catalog,
 * the gate, the order-triage handlers and template, and the example's scripted planner.
 */
import { builtinHandlers } from '../catalog/index.js';
import { gate } from '../catalog/gate.js';
import { defineRegistry } from '../src/registry.js';
import { orderTriageHandlers } from './order-triage/handlers.js';
import { orderTriagePlanner } from './order-triage/plan.js';
import { orderTriage } from './order-triage/template.js';

/** The example registry. */
export const registry = defineRegistry({
  handlers: [...builtinHandlers, gate, ...orderTriageHandlers],
  templates: [orderTriage],
  planner: orderTriagePlanner,
});

export default registry;
