/**
 * The `gate` handler's catalog entry. A gate waits for a human decision through the workflow's
 * `weft.gate` update, so the engine runs it in workflow code; this entry gives it a manifest
 * (schemas the planner and validator see) like every other handler.
 */
import { ApplicationFailure } from '@temporalio/common';
import { gateInputSchema, gateOutputSchema, GATE_HANDLER } from '../src/core/gate.js';
import { defineHandler } from '../src/handler.js';

/** Human approval with a timeout: `weft gate approve|reject <workflowId> <step>`. */
export const gate = defineHandler({
  name: GATE_HANDLER,
  description: 'Waits for a human to approve or reject, with a timeout; the steps that depend on it run only if it approves.',
  category: 'control',
  input: gateInputSchema,
  output: gateOutputSchema,
  errorModes: [{ code: 'GATE_TIMEOUT', retryable: false, description: 'No decision arrived in time and on_timeout is "fail".' }],
  run: () =>
    Promise.reject(
      ApplicationFailure.create({
        type: 'GATE_IN_WORKFLOW',
        nonRetryable: true,
        message: 'The gate runs in the workflow, not as an activity; this worker and the workflow disagree about the catalog.',
      }),
    ),
});
