/**
 * `validate`: checks JSON against a JSON Schema (draft 2020-12, Ajv) and fails, flags or filters
 * what does not match. For an array the schema describes one row; for an object, the object.
 * `valid` always holds what passed, so downstream steps reference `${steps.<name>.output.valid}`
 * whatever `on_invalid` is.
 */
import Ajv2020Module, { type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';
import { z } from 'zod';
import { listChoices } from '../src/core/diagnostics.js';
import { isJsonObject, type JsonObject, type JsonValue } from '../src/core/json.js';
import { declareErrorModes } from './failures.js';
// The grammar's modules, not its index: the index loads validate-rows.ts, which imports this file.
import { compose } from './grammar/compose.js';
import { validatePrimitive } from './grammar/kinds.js';
import { linearRegExpForAjv } from '../src/core/linear-regex.js';
import addFormatsModule, { type FormatName } from 'ajv-formats';

// Ajv and ajv-formats are CommonJS with `exports.default`; under NodeNext the default import is `module.exports`.
const Ajv2020 = Ajv2020Module.default;
const addFormats = addFormatsModule.default;

/** Formats `validate` checks (ajv-formats, full mode). */
const FORMATS: FormatName[] = ['date-time', 'date', 'time', 'email', 'uri', 'uuid', 'ipv4', 'ipv6', 'hostname'];

/** At most this many errors are returned (and carried in a failure's details). */
export const MAX_REPORTED_ERRORS = 100;
/** At most this many reasons are listed in one flagged row's `_invalid`. */
const MAX_REASONS_PER_ROW = 5;
/** Compiled schemas kept, by JSON text, least recently used first out. */
const CACHE_SIZE = 64;

function formatNames(): string {
  return FORMATS.join(', ');
}

/** Input of `validate`. */
export const validateInput = z
  .object({
    data: z
      .union([z.array(z.json()), z.record(z.string(), z.json())])
      .describe('An array of rows (the schema describes one row) or one object (the schema describes it).'),
    schema: z
      .record(z.string(), z.json())
      .meta({ 'x-weft-syntax': 'json-schema' })
      .describe(
        `A JSON Schema, draft 2020-12. Formats: ${formatNames()}; no remote $ref; patterns in RE2 syntax (no backreferences, no lookaround). ` +
          'Example: {"type":"object","required":["id"],"properties":{"id":{"type":"string"}}}.',
      ),
    on_invalid: z
      .enum(['fail', 'flag', 'filter'])
      .default('fail')
      .describe("'fail': fail the step if anything is invalid; 'filter': drop invalid rows; 'flag': drop them from `valid` and return them in `flagged`."),
  })
  .strict();

/** One validation error. */
export const validationErrorSchema = z.object({
  index: z.number().int().nullable().describe('Row index in `data`; null when `data` is an object.'),
  path: z.string().describe('JSON Pointer inside the row (or object) where it failed; "" for the row itself.'),
  message: z.string().describe('What is wrong, e.g. "must be >= 1".'),
});

/** Output of `validate`. */
export const validateOutput = z.object({
  valid: z
    .union([z.array(z.json()), z.record(z.string(), z.json()), z.null()])
    .describe('What passed: for array data the valid rows in order (all rows when all are valid); for object data the object, or null if invalid.'),
  valid_count: z.number().int().describe('How many rows (or objects) passed.'),
  invalid_count: z.number().int().describe('How many rows (or objects) failed.'),
  errors: z.array(validationErrorSchema).describe(`The first ${MAX_REPORTED_ERRORS} errors, in row order.`),
  errors_truncated: z.boolean().describe('True when there were more errors than listed.'),
  flagged: z
    .array(z.record(z.string(), z.json()))
    .describe(
      "With on_invalid 'flag': each invalid row with `_index` (its row index, null for object data) and `_invalid` (the reasons); " +
        'a row that is not an object is wrapped as `_value`. Empty otherwise.',
    ),
});

/** What `validate` takes, as parsed. */
export type ValidateInput = z.infer<typeof validateInput>;
/** What `validate` returns. */
export type ValidateOutput = z.infer<typeof validateOutput>;
/** One reported validation error. */
export type ValidationError = z.infer<typeof validationErrorSchema>;

const errors = declareErrorModes({
  VALIDATE_SCHEMA_INVALID: { retryable: false, description: 'The given JSON Schema does not compile.' },
  VALIDATION_FAILED: { retryable: false, description: "on_invalid is 'fail' and some data does not match the schema." },
});

const compiled = new Map<string, ValidateFunction>();

/** Compiles `schema` once per distinct JSON text; each schema gets its own Ajv so `$id`s never collide. */
function compile(schema: JsonObject): ValidateFunction {
  const key = JSON.stringify(schema);
  const hit = compiled.get(key);
  if (hit) {
    // Re-insert to mark it recently used (a Map iterates in insertion order).
    compiled.delete(key);
    compiled.set(key, hit);
    return hit;
  }
  const ajv = new Ajv2020({
    allErrors: true,
    // Strict schema checks catch typos such as "require" for "required"; the type, tuple and
    // required checks reject valid schemas that merely look unusual, so they are off.
    strict: true,
    strictTypes: false,
    strictTuples: false,
    strictRequired: false,
    allowUnionTypes: true,
    logger: false,
    // Planner-written patterns match in linear time: a catastrophic one cannot freeze the worker.
    code: { regExp: linearRegExpForAjv },
  });
  addFormats(ajv, { mode: 'full', formats: FORMATS });
  let fn: ValidateFunction;
  try {
    fn = ajv.compile(schema);
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    throw errors.fail(
      'VALIDATE_SCHEMA_INVALID',
      `The schema given to validate does not compile: ${reason}. ` +
        `Fix it to be a JSON Schema draft 2020-12 object; supported formats: ${formatNames()}; no remote $ref.`,
      { reason },
    );
  }
  compiled.set(key, fn);
  if (compiled.size > CACHE_SIZE) compiled.delete(compiled.keys().next().value as string);
  return fn;
}

function describeError(e: ErrorObject): string {
  const base = e.message ?? `fails '${e.keyword}'`;
  const params = e.params as Record<string, unknown>;
  if (e.keyword === 'additionalProperties') return `${base}: '${String(params['additionalProperty'])}'`;
  if (e.keyword === 'enum' && Array.isArray(params['allowedValues'])) {
    return `${base}: ${listChoices(params['allowedValues'].map((v) => JSON.stringify(v)))}`;
  }
  return base;
}

function where(error: ValidationError): string {
  const row = error.index === null ? 'object' : `row ${error.index}`;
  return `${row} at ${error.path === '' ? '(root)' : error.path}: ${error.message}`;
}

/**
 * Validates `data` against `schema` and applies `on_invalid`. Throws `VALIDATE_SCHEMA_INVALID`
 * or, with `on_invalid: 'fail'`, `VALIDATION_FAILED` naming the first errors.
 */
export function validateData(input: ValidateInput): ValidateOutput {
  const check = compile(input.schema);
  const rows: readonly JsonValue[] = Array.isArray(input.data) ? input.data : [input.data];
  const indexOf = (i: number) => (Array.isArray(input.data) ? i : null);
  const valid: JsonValue[] = [];
  const flagged: JsonObject[] = [];
  const reported: ValidationError[] = [];
  let errorCount = 0;
  for (const [i, row] of rows.entries()) {
    if (check(row)) {
      valid.push(row);
      continue;
    }
    const rowErrors = (check.errors ?? []).map((e) => ({ index: indexOf(i), path: e.instancePath, message: describeError(e) }));
    errorCount += rowErrors.length;
    reported.push(...rowErrors.slice(0, Math.max(0, MAX_REPORTED_ERRORS - reported.length)));
    if (input.on_invalid === 'flag') {
      const reasons = rowErrors.map((e) => `${e.path === '' ? '(root)' : e.path}: ${e.message}`);
      const shown = reasons.slice(0, MAX_REASONS_PER_ROW).join('; ');
      const more = reasons.length > MAX_REASONS_PER_ROW ? `; and ${reasons.length - MAX_REASONS_PER_ROW} more` : '';
      flagged.push({ ...(isJsonObject(row) ? row : { _value: row }), _index: indexOf(i), _invalid: shown + more });
    }
  }
  const invalidCount = rows.length - valid.length;
  if (invalidCount > 0 && input.on_invalid === 'fail') {
    const noun = Array.isArray(input.data) ? `${invalidCount} of ${rows.length} rows do` : 'The object does';
    const first = reported.slice(0, 5).map(where).join('; ');
    const more = errorCount > 5 ? `; and ${errorCount - 5} more` : '';
    throw errors.fail(
      'VALIDATION_FAILED',
      `${noun} not match the schema: ${first}${more}. ` +
        "Set on_invalid to 'filter' (drop invalid rows) or 'flag' (keep them aside, marked), or fix the data upstream.",
      { invalid_count: invalidCount, valid_count: valid.length, errors: reported, errors_truncated: errorCount > reported.length },
    );
  }
  return {
    valid: Array.isArray(input.data) ? valid : ((valid[0] as JsonObject | undefined) ?? null),
    valid_count: valid.length,
    invalid_count: invalidCount,
    errors: reported,
    errors_truncated: errorCount > reported.length,
    flagged,
  };
}

/** The one step of `validate`: `validateData` on the parsed input. */
const checkSchema = validatePrimitive({
  name: 'check_schema',
  input: validateInput,
  output: validateOutput,
  errorModes: errors.modes,
  // Through `then`, so that a failure rejects the promise instead of throwing synchronously.
  run: (input) => Promise.resolve(input).then(validateData),
});

/** The `validate` handler: a composition of one `validate` primitive. */
export const validate = compose('validate', {
  description: 'Checks JSON against a JSON Schema; fails, flags or filters what does not match.',
  category: 'data',
})
  .then(checkSchema)
  .build();
