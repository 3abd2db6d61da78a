/**
 * `aggregate`: reduces an array to one value — count, sum of a field, groups with counts (and
 * sums), a merged object, or a concatenated array. `op` selects the operation; each operation has
 * its own inputs and its own typed `result`, and every output carries `count`, the input size.
 */
import { z } from 'zod';
import { isJsonObject, type JsonObject, type JsonPrimitive, type JsonValue } from '../src/core/json.js';
import { declareErrorModes } from './failures.js';
import { compose } from './grammar/compose.js';
import { aggregatePrimitive } from './grammar/kinds.js';

/** Field paths: dot-separated keys with optional `[n]` indexes, e.g. `customer.country` or `items[0].qty`. */
export const FIELD_PATH_PATTERN = /^[^.[\]]+(?:\.[^.[\]]+|\[\d+\])*$/;

const fieldPath = (what: string) =>
  z.string().regex(FIELD_PATH_PATTERN).describe(`${what}: dot-separated keys and [n] indexes, e.g. "customer.country".`);
const rows = z.array(z.json()).describe('The rows to aggregate.');

/** Input of `aggregate`: one variant per operation, selected by `op`. */
export const aggregateInput = z.discriminatedUnion('op', [
  z.object({ op: z.literal('count'), data: rows }).strict().describe('Counts the rows.'),
  z.object({ op: z.literal('sum'), data: rows, field: fieldPath('Numeric field to add up') }).strict().describe('Adds up a numeric field.'),
  z
    .object({
      op: z.literal('group'),
      data: rows,
      by: fieldPath('Field to group by (a string, number, boolean or null; missing counts as null)'),
      sum_field: fieldPath('Optional numeric field to add up per group').optional(),
    })
    .strict()
    .describe('Groups rows by a field, in order of first appearance, with a count (and a sum) per group.'),
  z
    .object({ op: z.literal('merge'), data: z.array(z.record(z.string(), z.json())).describe('Objects to merge.') })
    .strict()
    .describe('Merges objects shallowly; later keys win.'),
  z
    .object({ op: z.literal('concat'), data: z.array(z.array(z.json())).describe('Arrays to join.') })
    .strict()
    .describe('Joins arrays into one, in order.'),
]);

const count = z.number().int().describe('How many items `data` had.');
const group = z.object({
  key: z.union([z.string(), z.number(), z.boolean(), z.null()]).describe('The value of `by` shared by the group.'),
  count: z.number().int().describe('Rows in the group.'),
  sum: z.number().optional().describe('Sum of `sum_field` over the group, when `sum_field` was given.'),
});

/** Output of `aggregate`: `result`'s type follows `op`. */
export const aggregateOutput = z.discriminatedUnion('op', [
  z.object({ op: z.literal('count'), result: z.number().int().describe('The number of rows.'), count }),
  z.object({ op: z.literal('sum'), result: z.number().describe('The sum of `field`.'), count }),
  z.object({ op: z.literal('group'), result: z.array(group).describe('Groups in order of first appearance.'), count }),
  z.object({ op: z.literal('merge'), result: z.record(z.string(), z.json()).describe('The merged object.'), count }),
  z.object({ op: z.literal('concat'), result: z.array(z.json()).describe('The joined array.'), count }),
]);

/** What `aggregate` takes, as parsed. */
export type AggregateInput = z.infer<typeof aggregateInput>;
/** What `aggregate` returns. */
export type AggregateOutput = z.infer<typeof aggregateOutput>;

const errors = declareErrorModes({
  AGGREGATE_INPUT_INVALID: {
    retryable: false,
    description: 'A row lacks the field, or its value has the wrong type (e.g. summing a string).',
  },
});

/** Splits a field path into keys and indexes. */
export function parseFieldPath(path: string): (string | number)[] {
  return [...path.matchAll(/([^.[\]]+)|\[(\d+)\]/g)].map((m) => (m[2] === undefined ? (m[1] as string) : Number(m[2])));
}

/** Reads `path` from `value`; `undefined` when any step is absent. */
export function readField(value: JsonValue, path: readonly (string | number)[]): JsonValue | undefined {
  let at: JsonValue | undefined = value;
  for (const token of path) {
    if (typeof token === 'number') at = Array.isArray(at) ? at[token] : undefined;
    else at = isJsonObject(at) && Object.hasOwn(at, token) ? at[token] : undefined;
    if (at === undefined) return undefined;
  }
  return at;
}

function kindOf(value: JsonValue | undefined): string {
  if (value === undefined) return 'missing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'object' ? 'an object' : `a ${typeof value} (${JSON.stringify(value).slice(0, 40)})`;
}

/** Adds floats with Neumaier compensation, so that money columns do not drift (0.1 + 0.2). */
class Sum {
  private total = 0;
  private compensation = 0;
  add(x: number): void {
    const t = this.total + x;
    this.compensation += Math.abs(this.total) >= Math.abs(x) ? this.total - t + x : x - t + this.total;
    this.total = t;
  }
  get value(): number {
    return this.total + this.compensation;
  }
}

function numberAt(row: JsonValue, index: number, field: string): number {
  const value = readField(row, parseFieldPath(field));
  if (typeof value === 'number') return value;
  throw errors.fail(
    'AGGREGATE_INPUT_INVALID',
    `Cannot sum '${field}': row ${index} has ${kindOf(value)} there, not a number. ` +
      'Drop or fix such rows first (validate with on_invalid "filter", or a transform).',
    { index, field, found: kindOf(value) },
  );
}

function keyAt(row: JsonValue, index: number, by: string): JsonPrimitive {
  const value = readField(row, parseFieldPath(by)) ?? null;
  if (value === null || typeof value !== 'object') return value;
  throw errors.fail(
    'AGGREGATE_INPUT_INVALID',
    `Cannot group by '${by}': row ${index} has ${kindOf(value)} there; group keys must be strings, numbers, booleans or null. ` +
      'Group by a scalar field inside it instead (e.g. "customer.id").',
    { index, field: by, found: kindOf(value) },
  );
}

/** Computes an aggregate. Pure; throws `AGGREGATE_INPUT_INVALID` naming the offending row. */
export function aggregateData(input: AggregateInput): AggregateOutput {
  const n = input.data.length;
  switch (input.op) {
    case 'count':
      return { op: 'count', result: n, count: n };
    case 'sum': {
      const sum = new Sum();
      input.data.forEach((row, i) => sum.add(numberAt(row, i, input.field)));
      return { op: 'sum', result: sum.value, count: n };
    }
    case 'group': {
      // Keyed by JSON text so that 1 and "1" stay distinct groups.
      const groups = new Map<string, { key: JsonPrimitive; count: number; sum?: Sum }>();
      const { by, sum_field: sumField } = input;
      input.data.forEach((row, i) => {
        const key = keyAt(row, i, by);
        const id = JSON.stringify(key);
        const g = groups.get(id) ?? { key, count: 0, ...(sumField === undefined ? {} : { sum: new Sum() }) };
        g.count += 1;
        if (sumField !== undefined) g.sum?.add(numberAt(row, i, sumField));
        groups.set(id, g);
      });
      const result = [...groups.values()].map(({ key, count: c, sum }) => ({ key, count: c, ...(sum ? { sum: sum.value } : {}) }));
      return { op: 'group', result, count: n };
    }
    case 'merge': {
      const result: JsonObject = {};
      for (const item of input.data) {
        for (const [key, value] of Object.entries(item)) {
          // Define, not assign: assigning a JSON key "__proto__" would replace the prototype instead.
          Object.defineProperty(result, key, { value, enumerable: true, writable: true, configurable: true });
        }
      }
      return { op: 'merge', result, count: n };
    }
    case 'concat':
      return { op: 'concat', result: input.data.flat(1), count: n };
  }
}

/** The one step of `aggregate`: `aggregateData` on the parsed input. */
const reduceRows = aggregatePrimitive({
  name: 'reduce_rows',
  input: aggregateInput,
  output: aggregateOutput,
  errorModes: errors.modes,
  // Through `then`, so that a failure rejects the promise instead of throwing synchronously.
  run: (input) => Promise.resolve(input).then(aggregateData),
});

/** The `aggregate` handler: a composition of one `aggregate` primitive. */
export const aggregate = compose('aggregate', {
  description: 'Reduces an array: count, sum of a field, group by a field, merge objects, or concat arrays.',
  category: 'data',
})
  .then(reduceRows)
  .build();
