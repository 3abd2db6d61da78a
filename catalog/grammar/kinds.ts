/**
 * One constructor per primitive kind. Each fixes the kind, so the returned primitive's `mutating`
 * is a literal type (`persist` and `emit` are `true`, every other kind `false`).
 */
import type { z } from 'zod';
import type { ErrorMode } from '../../src/core/manifest.js';
import { definePrimitive, type PrimitiveDefinition, type PrimitiveOf } from './primitive.js';

/** An `acquire` primitive: reads data from outside the task (an API, a file, a store) without changing it.
 */
export function acquirePrimitive<
  I extends z.ZodType,
  O extends z.ZodType,
  const Modes extends readonly ErrorMode[] | undefined = undefined,
  const Name extends string = 'acquire',
>(def: PrimitiveDefinition<I, O, Modes, Name>): PrimitiveOf<I, O, false, Modes, Name> {
  return definePrimitive('acquire', def);
}

/** A `transform` primitive: computes a new value from its input.
 * @example
 * const total = transformPrimitive({
 *   name: 'total',
 *   input: z.object({ prices: z.array(z.number()) }),
 *   output: z.object({ total: z.number() }),
 *   errorModes: [],
 *   run: ({ prices }) => Promise.resolve({ total: prices.reduce((a, b) => a + b, 0) }),
 * });
 */
export function transformPrimitive<
  I extends z.ZodType,
  O extends z.ZodType,
  const Modes extends readonly ErrorMode[] | undefined = undefined,
  const Name extends string = 'transform',
>(def: PrimitiveDefinition<I, O, Modes, Name>): PrimitiveOf<I, O, false, Modes, Name> {
  return definePrimitive('transform', def);
}

/** A `validate` primitive: checks its input against a contract and passes on what holds.
 */
export function validatePrimitive<
  I extends z.ZodType,
  O extends z.ZodType,
  const Modes extends readonly ErrorMode[] | undefined = undefined,
  const Name extends string = 'validate',
>(def: PrimitiveDefinition<I, O, Modes, Name>): PrimitiveOf<I, O, false, Modes, Name> {
  return definePrimitive('validate', def);
}

/** A `decide` primitive: chooses one of declared outcomes from its input.
 */
export function decidePrimitive<
  I extends z.ZodType,
  O extends z.ZodType,
  const Modes extends readonly ErrorMode[] | undefined = undefined,
  const Name extends string = 'decide',
>(def: PrimitiveDefinition<I, O, Modes, Name>): PrimitiveOf<I, O, false, Modes, Name> {
  return definePrimitive('decide', def);
}

/** A `gate` primitive: waits for a decision (e.g. human approval) before the composition goes on.
 */
export function gatePrimitive<
  I extends z.ZodType,
  O extends z.ZodType,
  const Modes extends readonly ErrorMode[] | undefined = undefined,
  const Name extends string = 'gate',
>(def: PrimitiveDefinition<I, O, Modes, Name>): PrimitiveOf<I, O, false, Modes, Name> {
  return definePrimitive('gate', def);
}

/** A `fanOut` primitive: splits its input into parts to be handled separately.
 */
export function fanOutPrimitive<
  I extends z.ZodType,
  O extends z.ZodType,
  const Modes extends readonly ErrorMode[] | undefined = undefined,
  const Name extends string = 'fanOut',
>(def: PrimitiveDefinition<I, O, Modes, Name>): PrimitiveOf<I, O, false, Modes, Name> {
  return definePrimitive('fanOut', def);
}

/** An `aggregate` primitive: reduces many values to one.
 */
export function aggregatePrimitive<
  I extends z.ZodType,
  O extends z.ZodType,
  const Modes extends readonly ErrorMode[] | undefined = undefined,
  const Name extends string = 'aggregate',
>(def: PrimitiveDefinition<I, O, Modes, Name>): PrimitiveOf<I, O, false, Modes, Name> {
  return definePrimitive('aggregate', def);
}

/** A `persist` primitive: writes to a durable store. Mutating: at most one per composition, and nothing fallible after it.
 */
export function persistPrimitive<
  I extends z.ZodType,
  O extends z.ZodType,
  const Modes extends readonly ErrorMode[] | undefined = undefined,
  const Name extends string = 'persist',
>(def: PrimitiveDefinition<I, O, Modes, Name>): PrimitiveOf<I, O, true, Modes, Name> {
  return definePrimitive('persist', def);
}

/** An `emit` primitive: sends its input out of the system (webhook, file sink). Mutating: at most one per composition, and nothing fallible after it.
 */
export function emitPrimitive<
  I extends z.ZodType,
  O extends z.ZodType,
  const Modes extends readonly ErrorMode[] | undefined = undefined,
  const Name extends string = 'emit',
>(def: PrimitiveDefinition<I, O, Modes, Name>): PrimitiveOf<I, O, true, Modes, Name> {
  return definePrimitive('emit', def);
}
