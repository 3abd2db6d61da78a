/**
 * weft's activities, built by a factory so the worker injects handlers, templates and planner.
 * @example
 * const activities = createActivities({ handlers: [...builtinHandlers, ...mine], templates: [orderTriage], planner });
 * await Worker.create({ workflowsPath, activities, taskQueue });
 */
import { ApplicationFailure } from '@temporalio/common';
import { listChoices } from '../src/core/diagnostics.js';
import type { CompiledPlan } from '../src/core/plan.js';
import type { AnyHandler } from '../src/handler.js';
import type { Planner } from '../src/planner/types.js';
import { planningActivity } from './planning.js';
import { handlerActivity, type StepActivity } from './steps.js';
import type { LoadTemplateRequest } from './types.js';

/** What the activities need. */
export interface ActivityDeps {
  readonly handlers: readonly AnyHandler[];
  /** Compiled templates this worker can start by name. */
  readonly templates: readonly CompiledPlan[];
  readonly planner: Planner;
}

/** Built-in activity names (camelCase, so they never collide with snake_case handler names). */
export interface WeftActivities {
  weftPlan: ReturnType<typeof planningActivity>;
  weftLoadTemplate(request: LoadTemplateRequest): Promise<CompiledPlan>;
}

/** Creates every activity: one per handler, plus planning and template loading. */
export function createActivities(deps: ActivityDeps): WeftActivities & Record<string, StepActivity | unknown> {
  const byName = new Map(deps.templates.map((t) => [t.name, t]));
  const out: Record<string, unknown> = {};
  for (const h of deps.handlers) out[h.name] = handlerActivity(h);
  return {
    ...out,
    weftPlan: planningActivity(deps.planner),
    // eslint-disable-next-line @typescript-eslint/require-await
    async weftLoadTemplate({ name }: LoadTemplateRequest): Promise<CompiledPlan> {
      const plan = byName.get(name);
      if (!plan) {
        throw ApplicationFailure.create({
          type: 'TEMPLATE_UNKNOWN',
          nonRetryable: true,
          message: `No template '${name}' is registered on this worker. Registered: ${listChoices([...byName.keys()])}.`,
        });
      }
      return plan;
    },
  };
}
