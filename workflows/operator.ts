/**
 * Checks on operator actions, run in update validators so a bad request is rejected before it
 * enters history and the parked step keeps waiting.
 */
import { ApplicationFailure } from '@temporalio/workflow';
import { checkSchema } from '../src/core/json-schema/check.js';
import type { JsonValue } from '../src/core/json.js';
import { PLANNING_OUTPUT_SCHEMA } from '../src/core/planning-output.js';
import type { StepRecord } from '../src/core/steps.js';
import type { TaskRun } from './run-state.js';

/** A skip must give an output that fits the step's output schema: downstream steps rely on it. */
export function validateOperatorSkip(run: TaskRun, record: StepRecord, output: JsonValue | undefined): void {
  if (output === undefined) {
    throw ApplicationFailure.create({
      type: 'SKIP_OUTPUT_MISSING',
      message: `Skipping step '${record.name}' needs the output downstream steps will see (--output '<json>').`,
    });
  }
  const schema = record.kind === 'planning' ? PLANNING_OUTPUT_SCHEMA : run.plan.catalog[record.handler ?? '']?.outputSchema;
  if (schema === undefined) return;
  const issues = checkSchema(schema, output);
  if (issues.length > 0) {
    const shown = issues.slice(0, 5).map((i) => `${i.pointer || '(root)'}: ${i.message}`).join('; ');
    throw ApplicationFailure.create({
      type: 'SKIP_OUTPUT_INVALID',
      message: `The output given to skip step '${record.name}' does not fit the output schema of '${record.handler ?? 'planning'}': ${shown}.`,
    });
  }
}
