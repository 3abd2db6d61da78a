/**
 * The one place a template's input schema is applied to a task input, whatever starts the task
 * (`weft run`, `WeftClient.start` by name, `startPlan` with a compiled plan, a service with
 * partial input): defaults filled in from the plan's pinned JSON Schema, then every issue
 * checked. Pure and sandbox-safe, so the workflow and the template-loading activity share it.
 */
import { checkSchema } from './json-schema/check.js';
import { withDefaults } from './json-schema/defaults.js';
import type { JsonValue } from './json.js';
import type { CompiledPlan } from './plan.js';

/** A task input that fits its template (defaults applied), or what is wrong with it. */
export type TaskInputResult = { readonly ok: true; readonly input: JsonValue } | { readonly ok: false; readonly message: string };

/**
 * Applies the plan's input schema to a task input: a missing input is `{}`, absent properties
 * with a `default` get it, then the result is checked (at most five issues named).
 * @example taskInputFor(orderTriagePlan, {}) // { ok: true, input: { focus: 'Find malformed orders, …' } }
 */
export function taskInputFor(plan: Pick<CompiledPlan, 'name' | 'inputSchema'>, input: JsonValue | undefined): TaskInputResult {
  const filled = withDefaults(plan.inputSchema, input ?? {});
  const issues = checkSchema(plan.inputSchema, filled);
  if (issues.length === 0) return { ok: true, input: filled };
  const shown = issues.slice(0, 5).map((i) => `${i.pointer || '(root)'}: ${i.message}`);
  const more = issues.length > 5 ? `; and ${issues.length - 5} more` : '';
  return {
    ok: false,
    message: `The task input does not fit template '${plan.name}': ${shown.join('; ')}${more}. Fix the input (weft run ${plan.name} --input file.json).`,
  };
}
