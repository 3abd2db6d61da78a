/**
 * `jsonataTransform`: a ready `transform` primitive that evaluates one fixed JSONata expression
 * against its input. Evaluation and its failures are the `transform` handler's own (same limits,
 * same error modes and messages); the result is then parsed by the declared output schema, which
 * is what gives it a type.
 */
import type { z } from 'zod';
import type { JsonValue } from '../../src/core/json.js';
import type { ErrorMode } from '../../src/core/manifest.js';
import { formatIssues } from '../../src/core/issues.js';
import { declareErrorModes } from '../failures.js';
import { compileJsonata, createTransformHandler, JsonataProblem, jsonataMessage, type JsonataLimits } from '../transform.js';
import { definePrimitive, type Primitive } from './primitive.js';

const mismatch = declareErrorModes({
  TRANSFORM_RESULT_MISMATCH: { retryable: false, description: "The expression's result does not match the declared output schema." },
});

/** What `jsonataTransform` takes. */
export interface JsonataTransformDefinition<I extends z.ZodType<JsonValue>, O extends z.ZodType, Name extends string> {
  readonly name?: Name;
  /** A JSONata expression; `$` is the step's input. Checked for syntax when the primitive is defined. */
  readonly expression: string;
  /** The input; JSON, since JSONata reads JSON. */
  readonly input: I;
  /** What the result must match. */
  readonly output: O;
  /** Values the expression reads as `$name`. */
  readonly bindings?: Readonly<Record<string, JsonValue>>;
  /** Evaluation limits; the `transform` handler's defaults otherwise. */
  readonly limits?: Partial<JsonataLimits>;
}

/**
 * A `transform` primitive running one JSONata expression. It can fail (evaluation, time and size
 * limits, or a result that does not match `output`), so it must come before any mutating step.
 * @example
 * const paidIds = jsonataTransform({
 *   name: 'paid_ids',
 *   expression: '{ "ids": [orders[status = "paid"].id] }',
 *   input: z.object({ orders: z.array(z.object({ id: z.string(), status: z.string() })) }),
 *   output: z.object({ ids: z.array(z.string()) }),
 * });
 */
export function jsonataTransform<I extends z.ZodType<JsonValue>, O extends z.ZodType, const Name extends string = 'transform'>(
  def: JsonataTransformDefinition<I, O, Name>,
): Primitive<z.output<I>, z.output<O>, false, true, z.input<I>, Name> {
  const handler = createTransformHandler(def.limits ?? {});
  try {
    compileJsonata(def.expression);
  } catch (err) {
    if (err instanceof JsonataProblem) {
      throw new TypeError(jsonataMessage(`Expression of '${def.name ?? 'transform'}'`, err, 'Fix the JSONata syntax (https://docs.jsonata.org).'));
    }
    throw err;
  }
  const errorModes: readonly ErrorMode[] = [...handler.errorModes, ...mismatch.modes];
  const primitive = definePrimitive('transform', {
    ...(def.name === undefined ? {} : { name: def.name }),
    input: def.input,
    output: def.output,
    errorModes,
    async run(input, ctx): Promise<z.output<O>> {
      const { result } = await handler.run({ data: input, expression: def.expression, ...(def.bindings ? { bindings: { ...def.bindings } } : {}) }, ctx);
      const parsed = await def.output.safeParseAsync(result);
      if (parsed.success) return parsed.data;
      throw mismatch.fail(
        'TRANSFORM_RESULT_MISMATCH',
        `The result of '${def.name ?? 'transform'}' does not match its output schema: ${formatIssues(parsed.error)}. ` +
          'Change the expression to build that shape (wrap sequences in [ ] so one match stays an array), or widen the output schema.',
        { issues: parsed.error.issues.map((i) => ({ path: i.path.map(String), message: i.message })) },
      );
    },
  });
  // It declares error modes, so it is fallible; the array's length is not a literal type.
  return primitive as Primitive<z.output<I>, z.output<O>, false, true, z.input<I>, Name>;
}
