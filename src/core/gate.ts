/**
 * The gate: a step that waits for a human decision through a workflow update, with a timeout.
 * It runs in the workflow (an activity cannot receive an update), so its schemas live here.
 */
import { z } from 'zod';

/** Gate inputs. */
export const gateInputSchema = z
  .object({
    prompt: z.string().describe('What the approver is asked to decide.'),
    timeout_ms: z.number().int().positive().default(86_400_000).describe('How long to wait for a decision, in ms (default one day).'),
    on_timeout: z.enum(['approve', 'reject', 'fail']).default('reject').describe('What a timeout means.'),
  })
  .strict();

/** Gate output. */
export const gateOutputSchema = z.object({
  outcome: z.enum(['approved', 'rejected', 'timed_out']),
  approved: z.boolean().describe('True when the gate lets downstream work proceed.'),
  by: z.string().nullable().describe('Who decided; null on timeout.'),
  comment: z.string().nullable(),
});

/** Gate inputs, parsed. */
export type GateInput = z.output<typeof gateInputSchema>;
/** Gate output. */
export type GateOutput = z.output<typeof gateOutputSchema>;

/** The reserved handler name of the gate. */
export const GATE_HANDLER = 'gate';
