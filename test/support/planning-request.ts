/**
 * One planning request for the Claude planner's tests: the engine test template's planning step
 * after its seed, with the validation context the workflow would use and a valid fragment.
 */
import type { Fragment } from '../../src/core/fragment.js';
import type { ValidationContext } from '../../src/core/validation.js';
import { manifestOf } from '../../src/handler.js';
import type { PlanningRequest } from '../../src/planner/types.js';
import { testHandlers } from './test-handlers.js';

export const catalog = manifestOf(testHandlers);
export const allowed = ['add', 'emit_number', 'flaky'];
export const request: PlanningRequest = {
  taskId: 'task-1',
  template: { name: 'engine-test', version: '1' },
  planningStep: 'plan',
  phase: 1,
  attempt: 1,
  problem: 'Add things up starting from 4.',
  taskInput: { n: 4 },
  results: [{ step: 'seed', mode: 'verbatim', bytes: 11, value: { value: 4 } }],
  capabilities: allowed.map((h) => catalog[h]!),
  constraints: {
    maxSteps: 10,
    maxDepth: 5,
    convergence: 'converge',
    reservedNames: ['seed', 'plan', 'converge'],
    availableSteps: [{ name: 'seed', outputSchema: catalog['emit_number']!.outputSchema }],
    phasesAfterThis: 0,
    remaining: { steps: 40, planningPhases: 4, llmCalls: 19, costUsd: 5, wallTimeMs: 3_600_000 },
  },
  failures: [],
};
export const ctx: ValidationContext = {
  planningStep: 'plan',
  allowedHandlers: allowed,
  maxSteps: 10,
  maxDepth: 5,
  maxFragmentBytes: 64 * 1024,
  catalog,
  taskInputSchema: { type: 'object', properties: { n: { type: 'number' } } },
  knownSteps: {
    seed: { name: 'seed', kind: 'static', outputSchema: catalog['emit_number']!.outputSchema, availability: 'complete' },
    converge: { name: 'converge', kind: 'convergence', outputSchema: {}, availability: 'forbidden' },
  },
  remaining: { steps: 40, phases: 0, costUsd: 5 },
};
export const valid: Fragment = {
  fragment_version: '1',
  goal: 'double the seed',
  reasoning: 'one addition',
  steps: [{ name: 'double_seed', handler: 'add', reasoning: 'double it', dependencies: ['seed'], inputs: { values: ['${steps.seed.output.value}', '${steps.seed.output.value}'] } }],
  next: 'done',
};

