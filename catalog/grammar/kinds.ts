/**
 * One constructor per primitive kind, all made by `constructorFor`. Each fixes the kind, so the
 * returned primitive's `mutating` is a literal type (`persist` and `emit` are `true`, every other
 * kind `false`) and its default name is the kind.
 */
import type { z } from 'zod';
import type { ErrorMode } from '../../src/core/manifest.js';
import { definePrimitive, type MutatingKind, type PrimitiveDefinition, type PrimitiveKind, type PrimitiveOf } from './primitive.js';

/** The constructor of primitives of one kind. */
export type PrimitiveConstructor<K extends PrimitiveKind> = <
  I extends z.ZodType,
  O extends z.ZodType,
  const Modes extends readonly ErrorMode[] | undefined = undefined,
  const Name extends string = K,
>(
  def: PrimitiveDefinition<I, O, Modes, Name>,
) => PrimitiveOf<I, O, K extends MutatingKind ? true : false, Modes, Name>;

function constructorFor<K extends PrimitiveKind>(kind: K): PrimitiveConstructor<K> {
  return (def) => definePrimitive(kind, def);
}

/** An `acquire` primitive: reads data from outside the task (an API, a file, a store) without changing it. */
export const acquirePrimitive = constructorFor('acquire');

/**
 * A `transform` primitive: computes a new value from its input.
 * @example
 * const total = transformPrimitive({
 *   name: 'total',
 *   input: z.object({ prices: z.array(z.number()) }),
 *   output: z.object({ total: z.number() }),
 *   errorModes: [],
 *   run: ({ prices }) => Promise.resolve({ total: prices.reduce((a, b) => a + b, 0) }),
 * });
 */
export const transformPrimitive = constructorFor('transform');

/** A `validate` primitive: checks its input against a contract and passes on what holds. */
export const validatePrimitive = constructorFor('validate');

/** A `decide` primitive: chooses one of declared outcomes from its input. */
export const decidePrimitive = constructorFor('decide');

/** A `gate` primitive: waits for a decision (e.g. human approval) before the composition goes on. */
export const gatePrimitive = constructorFor('gate');

/** A `fanOut` primitive: splits its input into parts to be handled separately. */
export const fanOutPrimitive = constructorFor('fanOut');

/** An `aggregate` primitive: reduces many values to one. */
export const aggregatePrimitive = constructorFor('aggregate');

/** A `persist` primitive: writes to a durable store. Mutating: at most one per composition, and nothing fallible after it. */
export const persistPrimitive = constructorFor('persist');

/** An `emit` primitive: sends its input out of the system (webhook, file sink). Mutating: at most one per composition, and nothing fallible after it. */
export const emitPrimitive = constructorFor('emit');
