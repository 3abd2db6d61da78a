// What a good planner answers for `greetings`, given in code: the tests (and a worker without
// ANTHROPIC_API_KEY) plan with it, validated and executed exactly like a fragment from Claude.
import type { Fragment } from '@weftworks/weft';

export const greetingsFragment: Fragment = {
  fragment_version: '1',
  goal: 'Greet Ada and Grace.',
  reasoning: 'One greet step per person; no dependencies between them.',
  steps: [
    { name: 'greet_ada', handler: 'greet', reasoning: 'first name', dependencies: [], inputs: { name: '${task.input.names[0]}' } },
    { name: 'greet_grace', handler: 'greet', reasoning: 'second name', dependencies: [], inputs: { name: '${task.input.names[1]}', excited: true } },
  ],
  next: 'done',
};
