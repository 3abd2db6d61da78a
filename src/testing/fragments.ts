/**
 * Fragments written in a test: the same JSON a planner returns, with the boilerplate filled in.
 */
import type { Fragment, FragmentStep } from '../core/fragment.js';
import type { JsonValue } from '../core/json.js';

/** A fragment of `steps`, asking for another phase when `next` is `'replan'`. */
export function fragment(steps: Fragment['steps'], next: Fragment['next'] = 'done', goal = 'test goal'): Fragment {
  return { fragment_version: '1', goal, reasoning: 'written in a test', steps, next };
}

/** One fragment step: its name, handler, inputs and dependencies. */
export function step(name: string, handler: string, inputs: Record<string, JsonValue>, dependencies: readonly string[] = []): FragmentStep {
  return { name, handler, reasoning: `why ${name}`, dependencies: [...dependencies], inputs };
}
