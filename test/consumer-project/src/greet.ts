// An application handler: the same API as weft's built-in catalog.
import { z } from 'zod';
import { declareErrorModes, defineHandler } from '@weftworks/weft';

const errors = declareErrorModes({
  GREETING_NAME_BLANK: { retryable: false, description: 'The name to greet is blank.' },
});

export const greet = defineHandler({
  name: 'greet',
  description: 'Writes a greeting for one person.',
  category: 'data',
  input: z.object({ name: z.string(), excited: z.boolean().default(false) }).strict(),
  output: z.object({ text: z.string() }),
  errorModes: errors.modes,
  async run({ name, excited }) {
    if (name.trim() === '') throw errors.fail('GREETING_NAME_BLANK', 'The name is blank: pass a name to greet.');
    return { text: excited ? `Hello, ${name}!` : `Hello, ${name}.` };
  },
});
