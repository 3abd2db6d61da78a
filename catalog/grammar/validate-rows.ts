/**
 * `validateRows`: a ready `validate` primitive that checks rows against a zod row schema with the
 * `validate` handler's Ajv logic (`validateData`), and passes on the rows that hold, typed. The
 * JSON Schema Ajv checks is derived from the row schema, never written by hand.
 */
import { z } from 'zod';
import { isDeepStrictEqual } from 'node:util';
import { toJsonSchema } from '../../src/handler.js';
import type { JsonObject } from '../../src/core/json.js';
import { validate, validateData, validationErrorSchema, type ValidationError } from '../validate.js';
import { definePrimitive, type Primitive } from './primitive.js';

/** Input of a `validateRows` primitive. */
export const validateRowsInput = z.object({ rows: z.array(z.json()).describe('The rows to check.') });

/**
 * The schema with `additionalProperties: false` removed: zod objects accept extra keys as input
 * and strip them as output, which is the one difference between the two readings that is not a
 * default or transform. (Extra keys pass through here and are stripped by the next step's input.)
 */
function closedToOpen(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(closedToOpen);
  if (typeof schema !== 'object' || schema === null) return schema;
  return Object.fromEntries(
    Object.entries(schema)
      .filter(([key, value]) => !(key === 'additionalProperties' && value === false))
      .map(([key, value]) => [key, closedToOpen(value)]),
  );
}

/** What `validateRows` takes. */
export interface ValidateRowsDefinition<R extends z.ZodType, Name extends string> {
  readonly name?: Name;
  /** One row. No defaults or transforms: what Ajv accepts must be exactly what the type says. */
  readonly row: R;
  /** 'fail' (default): fail if any row is invalid; 'filter': drop invalid rows; 'flag': drop them and return them in `flagged`. */
  readonly onInvalid?: 'fail' | 'filter' | 'flag';
}

/** The output schema of a `validateRows` primitive for rows of type `R`. */
export function validateRowsOutput<R extends z.ZodType>(row: R) {
  return z.object({
    rows: z.array(row).describe('The valid rows, in order.'),
    invalid_count: z.number().int().describe('How many rows failed.'),
    errors: z.array(validationErrorSchema).describe('The first validation errors, in row order.'),
    flagged: z.array(z.record(z.string(), z.json())).describe("With on_invalid 'flag': the invalid rows with `_index` and `_invalid`."),
  });
}

/** What a `validateRows` primitive returns. */
export type ValidateRowsOutput<Row> = {
  rows: Row[];
  invalid_count: number;
  errors: ValidationError[];
  flagged: JsonObject[];
};

type ValidateRowsPrimitive<R extends z.ZodType, Name extends string> = Primitive<
  z.output<typeof validateRowsInput>,
  ValidateRowsOutput<z.output<R>>,
  false,
  true,
  z.input<typeof validateRowsInput>,
  Name
>;

/**
 * A `validate` primitive: rows in, typed valid rows out. Its error modes are the `validate`
 * handler's (`VALIDATE_SCHEMA_INVALID`, `VALIDATION_FAILED`).
 * @example
 * const checkOrders = validateRows({
 *   name: 'check_orders',
 *   row: z.object({ id: z.string(), total: z.number().nonnegative() }),
 *   onInvalid: 'filter',
 * });
 */
export function validateRows<R extends z.ZodType, const Name extends string = 'validate'>(
  def: ValidateRowsDefinition<R, Name>,
): ValidateRowsPrimitive<R, Name> {
  const schema = toJsonSchema(def.row, 'input') as JsonObject;
  if (!isDeepStrictEqual(closedToOpen(schema), closedToOpen(toJsonSchema(def.row, 'output')))) {
    throw new TypeError(
      `The row schema of '${def.name ?? 'validate'}' reads differently as input and output (a default or transform). ` +
        'Remove it, and fill defaults in a transform step after validation.',
    );
  }
  const onInvalid = def.onInvalid ?? 'fail';
  const output = validateRowsOutput(def.row);
  const primitive = definePrimitive('validate', {
    ...(def.name === undefined ? {} : { name: def.name }),
    input: validateRowsInput,
    output,
    errorModes: validate.errorModes,
    // Through `then`, so that a failure rejects the promise instead of throwing synchronously.
    run: ({ rows }) =>
      Promise.resolve({ data: rows, schema, on_invalid: onInvalid }).then(validateData).then((checked) => ({
        // Ajv accepted these rows against the row schema's own JSON Schema, whose input and output read the same.
        rows: checked.valid as z.output<R>[],
        invalid_count: checked.invalid_count,
        errors: checked.errors,
        flagged: checked.flagged,
      })),
  });
  // It declares error modes, so it is fallible; the array's length is not a literal type.
  return primitive as unknown as ValidateRowsPrimitive<R, Name>;
}
