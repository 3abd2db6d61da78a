/**
 * The tools `anthropicPlanner` offers Claude: `submit_fragment` (the answer; its input schema is
 * the fragment schema, derived from zod) and `describe_handlers` (optional: tier 2/3 capability
 * views of named handlers, answered locally and bounded). Pure: no I/O, no SDK client.
 */
import type Anthropic from '@anthropic-ai/sdk';
import { z } from 'zod';
import { listChoices } from '../core/diagnostics.js';
import { fragmentSchema } from '../core/fragment.js';
import type { HandlerManifestEntry } from '../core/manifest.js';
import { closestFirst } from '../core/validator/index.js';
import { toJsonSchema } from '../handler.js';
import { capabilityView, renderCapabilities } from './capabilities.js';
import { DESCRIBE_HANDLERS_TOOL as DESCRIBE_HANDLERS, SUBMIT_FRAGMENT_TOOL as SUBMIT_FRAGMENT } from './prompt-text.js';

// The names the system prompt uses: one source for both.
export { DESCRIBE_HANDLERS_TOOL as DESCRIBE_HANDLERS, SUBMIT_FRAGMENT_TOOL as SUBMIT_FRAGMENT } from './prompt-text.js';

/** Input of `describe_handlers` (untrusted: parsed before use). */
export const describeHandlersInputSchema = z
  .object({
    names: z.array(z.string()).min(1).max(25).describe('Handler names from the capability list of this planning step.'),
    tier: z
      .union([z.literal(2), z.literal(3)])
      .describe('2: input and output JSON Schemas; 3: also the full configuration reference and examples.'),
  })
  .strict();

/** Tool input schemas are JSON Schema objects; ours come from zod, so the cast only narrows the type. */
function inputSchema(schema: z.ZodType): Anthropic.Tool.InputSchema {
  return toJsonSchema(schema, 'input') as Anthropic.Tool.InputSchema;
}

/** The `submit_fragment` tool: its input schema is `fragmentSchema`'s JSON Schema. */
export function submitFragmentTool(): Anthropic.Tool {
  return {
    name: SUBMIT_FRAGMENT,
    description:
      'Submit the workflow fragment for this planning step. Call it exactly once, with the whole fragment as its input. ' +
      'The fragment is validated against the catalog and the constraints in the prompt; if it is rejected you get the diagnostics and plan again.',
    input_schema: inputSchema(fragmentSchema),
  };
}

/** The `describe_handlers` tool. */
export function describeHandlersTool(): Anthropic.Tool {
  return {
    name: DESCRIBE_HANDLERS,
    description:
      'Get the detailed capability schema (tier 2: input and output JSON Schemas; tier 3: also configuration reference and examples) ' +
      'of handlers named in the capability list, before submitting the fragment. Only handlers this planning step allows are described.',
    input_schema: inputSchema(describeHandlersInputSchema),
  };
}

/** The tool result for one `describe_handlers` call; unknown or disallowed names get an error naming the allowed ones. */
export function answerDescribeHandlers(id: string, input: unknown, allowed: readonly HandlerManifestEntry[]): Anthropic.ToolResultBlockParam {
  const names = allowed.map((e) => e.name);
  const parsed = describeHandlersInputSchema.safeParse(input);
  if (!parsed.success) {
    const issues = parsed.error.issues.slice(0, 5).map((i) => `${i.path.join('.') || '(input)'}: ${i.message}`);
    return toolError(id, `describe_handlers input is invalid (${issues.join('; ')}). Call it as {"names": ["<handler>", ...], "tier": 2 or 3}. Allowed handlers: ${listChoices(names, 25)}.`);
  }
  const byName = new Map(allowed.map((e) => [e.name, e]));
  const found = parsed.data.names.map((n) => byName.get(n)).filter((e) => e !== undefined);
  const unknown = parsed.data.names.filter((n) => !byName.has(n));
  const notes = unknown.map((n) => `'${n}' is not a handler this planning step allows (closest: ${listChoices(closestFirst(n, names), 3)}).`);
  if (found.length === 0) {
    return toolError(id, `${notes.join(' ')} Allowed handlers: ${listChoices(names, 25)}.`);
  }
  const rendered = renderCapabilities(found.map((entry) => capabilityView(entry, parsed.data.tier)));
  const text = notes.length > 0 ? `${rendered}\n\n${notes.join(' ')} Allowed handlers: ${listChoices(names, 25)}.` : rendered;
  return { type: 'tool_result', tool_use_id: id, content: text };
}

/** The tool result for a tool the planner does not offer. */
export function answerUnknownTool(id: string, name: string): Anthropic.ToolResultBlockParam {
  return toolError(id, `There is no tool '${name}'. Use ${DESCRIBE_HANDLERS} or ${SUBMIT_FRAGMENT}.`);
}

function toolError(id: string, text: string): Anthropic.ToolResultBlockParam {
  return { type: 'tool_result', tool_use_id: id, content: text, is_error: true };
}

/** A response's content as request content (the assistant turn sent back with the tool results). */
export function asParams(content: readonly Anthropic.ContentBlock[]): Anthropic.ContentBlockParam[] {
  const out: Anthropic.ContentBlockParam[] = [];
  for (const block of content) {
    if (block.type === 'text') out.push({ type: 'text', text: block.text });
    else if (block.type === 'tool_use') out.push({ type: 'tool_use', id: block.id, name: block.name, input: block.input });
    else if (block.type === 'thinking') out.push({ type: 'thinking', thinking: block.thinking, signature: block.signature });
    else if (block.type === 'redacted_thinking') out.push({ type: 'redacted_thinking', data: block.data });
  }
  return out;
}
