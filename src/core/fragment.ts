/**
 * The workflow fragment: the planner's output. Intent only — nothing about Temporal.
 * The zod schema is the single source; its JSON Schema is the planner tool's input schema.
 */
import { z } from 'zod';

/** Pattern every step name matches. */
export const STEP_NAME_PATTERN = /^[a-z][a-z0-9_]{0,62}$/;

/** The fragment format version this build understands. */
export const FRAGMENT_VERSION = '1';

/** One planned step. */
export const fragmentStepSchema = z
  .object({
    name: z.string().describe('Unique step name, ^[a-z][a-z0-9_]{0,62}$, not used by any earlier step.'),
    handler: z.string().describe('A handler this planning step allows.'),
    reasoning: z.string().describe('Why this step is needed, in one sentence.'),
    dependencies: z
      .array(z.string())
      .describe('Names of steps that must complete first: steps of this fragment, or earlier steps already complete.'),
    inputs: z
      .record(z.string(), z.json())
      .describe(
        'Handler inputs. A value is a JSON literal or a reference: a string that is exactly ${task.input.<path>} or ' +
          '${steps.<name>.output.<path>} yields the referenced value; references inside a longer string interpolate as text.',
      ),
  })
  .strict();

/** A workflow fragment: a small DAG of catalog-handler steps. */
export const fragmentSchema = z
  .object({
    fragment_version: z.literal(FRAGMENT_VERSION),
    goal: z.string().describe('The goal, restated in one sentence.'),
    reasoning: z.string().describe('Why this decomposition.'),
    steps: z.array(fragmentStepSchema).describe('The planned steps.'),
    next: z
      .enum(['done', 'replan'])
      .describe('"done" when these steps finish the work; "replan" to plan again after they ran, seeing their results.'),
  })
  .strict();

/** A planned step, as validated. */
export type FragmentStep = z.infer<typeof fragmentStepSchema>;
/** A fragment, as validated. */
export type Fragment = z.infer<typeof fragmentSchema>;
