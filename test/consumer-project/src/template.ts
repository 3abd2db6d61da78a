// The reviewed frame: the planner decides whom to greet and how; the frame collects the greetings.
import { z } from 'zod';
import { convergenceStep, defineTemplate, planningStep } from '@weftworks/weft';

export const greetings = defineTemplate({
  name: 'greetings',
  version: '1.0.0',
  input: z.object({
    names: z.array(z.string()).default(['Ada', 'Grace']),
    tone: z.string().optional(),
  }),
  budget: { maxSteps: 10, maxPlanningPhases: 1, maxLlmCalls: 3, maxCostUsd: 0.5, maxWallTimeMs: 5 * 60_000 },
  steps: [
    planningStep('plan_greetings', {
      problem: 'Greet each of these people: ${task.input.names}.',
      allow: { handlers: ['greet', 'transform'] },
      maxSteps: 5,
      convergence: 'collect',
    }),
    convergenceStep('collect', {
      handler: 'transform',
      dependencies: ['plan_greetings'],
      inputs: { data: '${steps.plan_greetings.output.results}', expression: '$each($, function($v) { $v.text })' },
    }),
  ],
});
