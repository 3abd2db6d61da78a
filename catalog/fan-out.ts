/**
 * The `fan_out` handler's catalog entry. The engine runs a fan-out in workflow code, because it
 * creates steps (one child per partition) and only the workflow can; this entry is composed from
 * the `fanOut` primitive so the planner and the validator see its schemas like any handler's.
 */
import { ApplicationFailure } from '@temporalio/common';
import { FAN_OUT_ERROR_MODES, FAN_OUT_HANDLER, fanOutInputSchema, fanOutOutputSchema, type FanOutOutput } from '../src/core/fan-out.js';
import { compose } from './grammar/compose.js';
import { fanOutPrimitive } from './grammar/kinds.js';

/** Partitions an array and runs a handler per partition as child steps. */
export const fanOut = compose(FAN_OUT_HANDLER, {
  description: 'Runs one handler per partition of an array as child steps, a bounded number at once; fails fast, continues or isolates failures.',
  category: 'control',
})
  .then(
    fanOutPrimitive({
      name: 'partition',
      input: fanOutInputSchema,
      output: fanOutOutputSchema,
      errorModes: FAN_OUT_ERROR_MODES,
      run: (): Promise<FanOutOutput> =>
        Promise.reject(
          ApplicationFailure.create({
            type: 'FAN_OUT_IN_WORKFLOW',
            nonRetryable: true,
            message: 'The fan-out runs in the workflow, not as an activity; this worker and the workflow disagree about the catalog.',
          }),
        ),
    }),
  )
  .build();
