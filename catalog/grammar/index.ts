/**
 * The action grammar: primitives with typed inputs, outputs, error modes and a mutating flag, and
 * `compose`, which turns a chain of them into a handler. The compiler rejects a step whose input
 * does not accept the previous output, a second mutating step, and a fallible step after the
 * mutation; the capability schemas of the result are derived by `manifestEntry`.
 *
 * @example
 * import { z } from 'zod';
 * import { compose, jsonataTransform, validateRows } from './catalog/grammar/index.js';
 *
 * const paidOrders = compose('paid_orders', { description: 'Selects paid orders and checks their shape.', category: 'data' })
 *   .then(jsonataTransform({
 *     name: 'select_paid',
 *     expression: '{ "rows": [orders[status = "paid"]] }',
 *     input: z.object({ orders: z.array(z.json()) }),
 *     output: z.object({ rows: z.array(z.json()) }),
 *   }))
 *   .then(validateRows({ name: 'check_orders', row: z.object({ id: z.string(), total: z.number() }), onInvalid: 'filter' }))
 *   .build();
 */
export {
  AT_MOST_ONE_MUTATING,
  compose,
  COMPOSITION_GUARD_MODES,
  NOTHING_FALLIBLE_AFTER_MUTATION,
  unionErrorModes,
} from './compose.js';
export type { Composition, CompositionError, CompositionMeta, EmptyComposition, NextStep } from './compose.js';
export type { DescribeType } from './describe-type.js';
export { fromHandler } from './from-handler.js';
export { jsonataTransform } from './jsonata-transform.js';
export type { JsonataTransformDefinition } from './jsonata-transform.js';
export {
  acquirePrimitive,
  aggregatePrimitive,
  decidePrimitive,
  emitPrimitive,
  fanOutPrimitive,
  gatePrimitive,
  persistPrimitive,
  transformPrimitive,
  validatePrimitive,
} from './kinds.js';
export { definePrimitive, isPrimitive, PRIMITIVE_KINDS } from './primitive.js';
export type {
  AcceptsOf,
  AnyPrimitive,
  FallibleOf,
  InputOf,
  MutatingKind,
  NonMutatingKind,
  OutputOf,
  Primitive,
  PrimitiveDefinition,
  PrimitiveKind,
  PrimitiveOf,
} from './primitive.js';
export { validateRows, validateRowsInput, validateRowsOutput } from './validate-rows.js';
export type { ValidateRowsDefinition, ValidateRowsOutput } from './validate-rows.js';
