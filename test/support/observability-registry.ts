/**
 * The registry of the observability end-to-end test's worker process (`WEFT_REGISTRY`): the
 * example's handlers, templates and Claude planner, plus `order-triage-parking`, the same frame
 * whose planning step parks for an operator when planning fails (the example's fails the task).
 */
import { exampleRegistry } from '../../examples/registry.js';
import { orderTriage } from '../../examples/order-triage/template.js';
import { defineRegistry } from '../../src/registry.js';
import { defineTemplate } from '../../src/template/define.js';

const base = exampleRegistry(process.env);

/** order-triage with `onExhausted: 'park'` on its planning step. */
export const orderTriageParking = defineTemplate({
  ...orderTriage,
  name: 'order-triage-parking',
  steps: orderTriage.steps.map((s) => (s.kind === 'planning' ? { ...s, onExhausted: 'park' as const } : s)),
});

/** The registry. */
export const registry = defineRegistry({ ...base, templates: [...base.templates, orderTriageParking] });

export default registry;
