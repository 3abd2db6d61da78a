/**
 * What a planning step outputs, as a zod schema (the single source) and its JSON Schema, so
 * convergence steps' references to it are type-checked like any other step's.
 */
import { z } from 'zod';
import type { JsonSchema } from './json.js';

/** A planning step's output. */
export const planningOutputSchema = z.object({
  results: z.record(z.string(), z.json()).describe('Outputs of the terminal steps of every accepted fragment, by step name.'),
  steps: z.array(z.string()).describe('Every planned step, in creation order.'),
  phases: z.number().int().describe('Planning phases run.'),
  partial: z.boolean().describe('True when planning stopped early (budget) and convergence runs on partial results.'),
  reason: z.string().nullable().describe('Why planning stopped early, if it did.'),
});

/** A planning step's output. */
export type PlanningOutput = z.infer<typeof planningOutputSchema>;

/** The JSON Schema of a planning step's output. */
export const PLANNING_OUTPUT_SCHEMA: JsonSchema = (() => {
  const json = z.toJSONSchema(planningOutputSchema, { unrepresentable: 'throw', io: 'output' }) as Record<string, unknown>;
  delete json['$schema'];
  return json;
})();
