/**
 * The gate handler's catalog entry. A gate waits for a human decision through the workflow's
 * `weft.gate` update, so the engine runs it in workflow code; this entry gives it a manifest
 * (schemas the planner and validator see) like every other handler, composed of one `gate`
 * primitive whose `run` only rejects.
 */
import { ApplicationFailure } from '@temporalio/common';
import { gateInputSchema, gateOutputSchema, GATE_HANDLER } from '../src/core/gate.js';
import { compose } from './grammar/compose.js';
import { gatePrimitive } from './grammar/kinds.js';

/**
 * The one step of `gate`. Its `run` is never the gate: an activity cannot receive the approval
 * update, so reaching it means the worker's catalog and the workflow code disagree.
 */
const awaitApproval = gatePrimitive({
  name: 'await_approval',
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

/** Human approval with a timeout: `weft gate approve|reject <workflowId> <step>`. */
export const gate = compose(GATE_HANDLER, {
  description: 'Waits for a human to approve or reject, with a timeout; the steps that depend on it run only if it approves.',
  category: 'control',
})
  .then(awaitApproval)
  .build();
