/**
 * How the planner asks for the fragment: constrained decoding (structured outputs, or a strict
 * tool) from the zod fragment schema through the SDK's `zodOutputFormat`, or the unconstrained
 * forced tool for models and endpoints without it. The validator stays the authority whatever the
 * mode: constrained decoding removes schema-level mistakes, never semantic ones.
 *
 * The constrained subset cannot express one part of the fragment schema — a step's `inputs`, an
 * open map of arbitrary JSON values (see {@link constrainedSubsetGaps}). Constrained requests
 * therefore use {@link constrainedFragmentSchema}, the same zod schema with `inputs` as JSON text,
 * and {@link decodeFragment} turns the answer back into a fragment before validation.
 */
import type Anthropic from '@anthropic-ai/sdk';
import { z } from 'zod';
import { fragmentSchema, fragmentStepSchema } from '../core/fragment.js';
import { describeHandlersInputSchema } from './anthropic-tools.js';
import { DESCRIBE_HANDLERS_TOOL, SUBMIT_FRAGMENT_TOOL } from './prompt-text.js';
import { loadedZodOutputFormat } from './sdk.js';

export { OUTPUT_MODES, type OutputMode } from './output-mode.js';

/** What a constrained answer puts in place of a step's `inputs` object. */
const INPUTS_AS_JSON_TEXT =
  'Handler inputs as the text of one JSON object, e.g. "{\\"values\\": [\\"${steps.seed.output.value}\\", 2]}". ' +
  'A value is a JSON literal or a reference: a string that is exactly ${task.input.<path>} or ${steps.<name>.output.<path>} ' +
  'yields the referenced value; references inside a longer string interpolate as text.';

/**
 * The fragment schema as constrained decoding can enforce it: {@link fragmentSchema} with each
 * step's `inputs` as JSON text (a string) instead of an open map of JSON values.
 */
export const constrainedFragmentSchema = fragmentSchema.extend({
  steps: z.array(fragmentStepSchema.extend({ inputs: z.string().describe(INPUTS_AS_JSON_TEXT) })).describe('The planned steps.'),
});

/** The constrained form of a fragment (what the model writes under `structured` and `strict_tool`). */
export type ConstrainedFragment = z.infer<typeof constrainedFragmentSchema>;

/**
 * The JSON Schema the SDK's helper derives, in the supported subset (without its `parse`). The
 * helper loads with the SDK, on the planner's first call (`loadZodOutputFormat`).
 */
function constrainedSchema(schema: z.ZodType): Record<string, unknown> {
  return { ...loadedZodOutputFormat()(schema).schema };
}

/** `output_config.format` for the `structured` mode. */
export function fragmentOutputFormat(): Anthropic.JSONOutputFormat {
  return { type: 'json_schema', schema: constrainedSchema(constrainedFragmentSchema) };
}

/** `submit_fragment` as a strict tool (the `strict_tool` mode). */
export function strictSubmitFragmentTool(): Anthropic.Tool {
  return {
    name: SUBMIT_FRAGMENT_TOOL,
    description:
      'Submit the workflow fragment for this planning step. Call it exactly once, with the whole fragment as its input; ' +
      "each step's inputs are the text of one JSON object. The fragment is validated against the catalog and the constraints in the prompt.",
    input_schema: constrainedSchema(constrainedFragmentSchema) as Anthropic.Tool.InputSchema,
    strict: true,
  };
}

/** `describe_handlers` as a strict tool (constrained modes). */
export function strictDescribeHandlersTool(): Anthropic.Tool {
  return {
    name: DESCRIBE_HANDLERS_TOOL,
    description:
      'Get the detailed capability schema (tier 2: input and output JSON Schemas; tier 3: also configuration reference and examples) ' +
      'of handlers named in the capability list, before answering with the fragment. Only handlers this planning step allows are described.',
    input_schema: constrainedSchema(describeHandlersInputSchema) as Anthropic.Tool.InputSchema,
    strict: true,
  };
}

/**
 * A constrained answer back in the fragment's own shape: text is parsed as JSON, and each step's
 * `inputs` text is parsed into its object. Anything that does not parse is left as it is, so the
 * validator reports it as FRAGMENT_MALFORMED at its path (`/steps/0/inputs`). Never throws.
 * @example decodeFragment('{"steps":[{"inputs":"{\\"n\\":1}"}]}') // { steps: [{ inputs: { n: 1 } }] }
 */
export function decodeFragment(answer: unknown): unknown {
  let value = answer;
  if (typeof value === 'string') {
    try {
      value = JSON.parse(value) as unknown;
    } catch {
      return answer;
    }
  }
  if (!isRecord(value) || !Array.isArray(value['steps'])) return value;
  const steps = value['steps'].map((step: unknown) => {
    if (!isRecord(step) || typeof step['inputs'] !== 'string') return step;
    try {
      const inputs = JSON.parse(step['inputs']) as unknown;
      return isRecord(inputs) ? { ...step, inputs } : step;
    } catch {
      return step;
    }
  });
  return { ...value, steps };
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** String formats the constrained subset keeps (as the SDK's transform does). */
const SUPPORTED_FORMATS = new Set(['date-time', 'time', 'date', 'duration', 'email', 'hostname', 'uri', 'ipv4', 'ipv6', 'uuid']);
/** Keywords the constrained subset does not enforce (the SDK moves them into the description). */
const UNENFORCED = ['minLength', 'maxLength', 'pattern', 'minimum', 'maximum', 'exclusiveMinimum', 'exclusiveMaximum', 'multipleOf', 'maxItems', 'uniqueItems', 'prefixItems', 'contains', 'propertyNames', 'patternProperties', 'minProperties', 'maxProperties', 'not', 'if', 'then', 'else', 'dependentSchemas', 'dependentRequired'];

/**
 * What a JSON Schema uses that the constrained subset of structured outputs and strict tools
 * lacks, one line per place (`<JSON Pointer>: <what>`): objects that are not closed
 * (`additionalProperties` other than false), recursive `$ref`s, keywords the subset does not
 * enforce (lengths, patterns, numeric bounds, `minItems` above 1, ...), and unsupported formats.
 * Empty when the schema is inside the subset.
 * @example constrainedSubsetGaps(toJsonSchema(fragmentSchema, 'input')) // ['/properties/steps/items/properties/inputs: an open object ...', ...]
 */
export function constrainedSubsetGaps(schema: Readonly<Record<string, unknown>>): string[] {
  const defs = isRecord(schema['$defs']) ? schema['$defs'] : {};
  const gaps: string[] = [];
  const walk = (node: unknown, path: string, inDefs: readonly string[]): void => {
    if (!isRecord(node)) return;
    const ref = node['$ref'];
    if (typeof ref === 'string') {
      const name = ref.startsWith('#/$defs/') ? ref.slice('#/$defs/'.length) : null;
      if (name === null) gaps.push(`${path}: $ref '${ref}' outside $defs`);
      else if (inDefs.includes(name)) gaps.push(`${path}: recursive $ref '${ref}' (recursive schemas are not supported)`);
      else walk(defs[name], `${path}(${ref})`, [...inDefs, name]);
      return;
    }
    for (const k of UNENFORCED) if (k in node) gaps.push(`${path}: ${k} ${JSON.stringify(node[k])} is not enforced`);
    if (node['type'] === 'object' && node['additionalProperties'] !== false) {
      gaps.push(`${path}: an open object (additionalProperties ${JSON.stringify(node['additionalProperties'] ?? true)}); the subset closes every object, so only its named properties could be written`);
    }
    if (typeof node['minItems'] === 'number' && node['minItems'] > 1) gaps.push(`${path}: minItems ${node['minItems']} (only 0 and 1 are supported)`);
    if (typeof node['format'] === 'string' && !SUPPORTED_FORMATS.has(node['format'])) gaps.push(`${path}: format '${node['format']}' is not supported`);
    if (isRecord(node['properties'])) for (const [k, v] of Object.entries(node['properties'])) walk(v, `${path}/properties/${k}`, inDefs);
    if (isRecord(node['additionalProperties'])) walk(node['additionalProperties'], `${path}/additionalProperties`, inDefs);
    if (isRecord(node['items'])) walk(node['items'], `${path}/items`, inDefs);
    for (const k of ['anyOf', 'oneOf', 'allOf'] as const) {
      const list = node[k];
      if (Array.isArray(list)) list.forEach((v, i) => walk(v, `${path}/${k}/${i}`, inDefs));
    }
  };
  walk(schema, '', []);
  return gaps;
}
