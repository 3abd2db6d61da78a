/**
 * The planner of a registry or worker that has none: every planning call fails, non-retryable,
 * with a message saying how to configure one.
 */
import { ApplicationFailure } from '@temporalio/common';
import type { Planner } from './types.js';

/** A planner for registries (or workers) that have none: every planning call fails, saying how to configure one. `owner` names what lacks it. */
export function missingPlanner(owner: string): Planner {
  return {
    name: 'none',
    plan: () =>
      Promise.reject(
        ApplicationFailure.create({
          type: 'PLANNER_MISSING',
          nonRetryable: true,
          message: `${owner} has no planner, so planning steps cannot run. Add \`planner\` to it (scriptedPlanner or anthropicPlanner from @weftworks/weft/planner).`,
        }),
      ),
  };
}
