/**
 * Primitives: the typed steps a composition is built from. A primitive is a value whose type
 * carries what it takes and returns (its zod schemas), whether it changes the world outside the
 * task (`mutating`) and whether it can fail (`fallible`: it declares at least one error mode).
 * `compose` reads those types to reject misuse at compile time.
 */
import type { z } from 'zod';
import type { HandlerContext } from '../../src/handler.js';
import type { ErrorMode } from '../../src/core/manifest.js';

/** The kinds of primitive. `persist` and `emit` mutate; the others only compute or wait. */
export type PrimitiveKind = NonMutatingKind | MutatingKind;
/** Kinds that change nothing outside the task. */
export type NonMutatingKind = 'acquire' | 'transform' | 'validate' | 'decide' | 'gate' | 'fanOut' | 'aggregate';
/** Kinds that write or send: at most one per composition, after everything that can fail. */
export type MutatingKind = 'persist' | 'emit';

/** Every kind, mutating ones last. */
export const PRIMITIVE_KINDS = ['acquire', 'transform', 'validate', 'decide', 'gate', 'fanOut', 'aggregate', 'persist', 'emit'] as const;
const MUTATING_KINDS: readonly PrimitiveKind[] = ['persist', 'emit'];

/**
 * One step of a composition.
 * - `In`: what `run` receives (the input schema's output); `Accepts`: what the input schema
 *   accepts (its input type; differs from `In` when the schema has defaults or transforms).
 * - `Out`: what `run` returns and the output schema describes.
 * - `Mutating`, `Fallible`: literal `true`/`false` when known, `boolean` when not (treated as true).
 * - `Name`: the step's name, used in compile-time and run-time messages.
 */
export interface Primitive<
  In,
  Out,
  Mutating extends boolean = boolean,
  Fallible extends boolean = boolean,
  Accepts = In,
  Name extends string = string,
> {
  readonly kind: PrimitiveKind;
  readonly name: Name;
  readonly input: z.ZodType<In, Accepts>;
  readonly output: z.ZodType<Out>;
  readonly errorModes: readonly ErrorMode[];
  readonly mutating: Mutating;
  readonly fallible: Fallible;
  run(input: In, ctx: HandlerContext): Promise<Out>;
}

/** Any primitive, as `compose` constrains its arguments. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyPrimitive = Primitive<any, any, boolean, boolean, any, string>;

/** What a primitive's input schema accepts. */
export type AcceptsOf<P extends AnyPrimitive> = P extends Primitive<infer _I, infer _O, boolean, boolean, infer A, string> ? A : never;
/** What a primitive's `run` receives. */
export type InputOf<P extends AnyPrimitive> = P extends Primitive<infer I, infer _O, boolean, boolean, infer _A, string> ? I : never;
/** What a primitive returns. */
export type OutputOf<P extends AnyPrimitive> = P extends Primitive<infer _I, infer O, boolean, boolean, infer _A, string> ? O : never;

/** `false` for no error modes, `true` for a non-empty tuple, `boolean` for an array of unknown length. */
export type FallibleOf<Modes extends readonly ErrorMode[] | undefined> = Modes extends readonly []
  ? false
  : Modes extends readonly ErrorMode[]
    ? number extends Modes['length']
      ? boolean
      : true
    : false;

/** What a primitive constructor takes. */
export interface PrimitiveDefinition<
  I extends z.ZodType,
  O extends z.ZodType,
  Modes extends readonly ErrorMode[] | undefined,
  Name extends string,
> {
  /** Step name in messages; defaults to the kind. */
  readonly name?: Name;
  readonly input: I;
  readonly output: O;
  /** How it can fail. Give them as a literal tuple (or `[]`) so the compiler knows whether it can fail. */
  readonly errorModes?: Modes;
  run(input: z.output<I>, ctx: HandlerContext): Promise<z.output<O>>;
}

/** The primitive a constructor returns. */
export type PrimitiveOf<
  I extends z.ZodType,
  O extends z.ZodType,
  Mutating extends boolean,
  Modes extends readonly ErrorMode[] | undefined,
  Name extends string,
> = Primitive<z.output<I>, z.output<O>, Mutating, FallibleOf<Modes>, z.input<I>, Name>;

const STEP_NAME = /^[A-Za-z][A-Za-z0-9_]{0,62}$/;

/**
 * Defines a primitive of any kind; `mutating` follows the kind. Prefer the per-kind constructors
 * (`transformPrimitive`, `persistPrimitive`, ...), whose return types fix `mutating` as a literal.
 * @example
 * const double = definePrimitive('transform', {
 *   input: z.object({ n: z.number() }), output: z.object({ n: z.number() }), errorModes: [],
 *   run: ({ n }) => Promise.resolve({ n: n * 2 }),
 * });
 */
export function definePrimitive<
  K extends PrimitiveKind,
  I extends z.ZodType,
  O extends z.ZodType,
  const Modes extends readonly ErrorMode[] | undefined = undefined,
  const Name extends string = K,
>(kind: K, def: PrimitiveDefinition<I, O, Modes, Name>): PrimitiveOf<I, O, K extends MutatingKind ? true : false, Modes, Name> {
  if (!(PRIMITIVE_KINDS as readonly string[]).includes(kind)) {
    throw new TypeError(`Primitive kind '${String(kind)}' is unknown; use one of ${PRIMITIVE_KINDS.join(', ')}.`);
  }
  const name = def.name ?? kind;
  if (!STEP_NAME.test(name)) {
    throw new TypeError(`Primitive name '${name}' is invalid: start with a letter, then letters, digits or _ (${STEP_NAME.source}).`);
  }
  const errorModes: readonly ErrorMode[] = def.errorModes ?? [];
  const mutating = MUTATING_KINDS.includes(kind);
  const primitive: AnyPrimitive = {
    kind,
    name,
    input: def.input,
    output: def.output,
    errorModes,
    mutating,
    fallible: errorModes.length > 0,
    run: (input: z.output<I>, ctx: HandlerContext) => def.run(input, ctx),
  };
  // The literal types above are derived from the same `kind` and `errorModes` at compile time.
  return primitive as unknown as PrimitiveOf<I, O, K extends MutatingKind ? true : false, Modes, Name>;
}

/** Whether `value` is a primitive built by these constructors (the run-time side of `compose`'s checks). */
export function isPrimitive(value: unknown): value is AnyPrimitive {
  if (typeof value !== 'object' || value === null) return false;
  const p = value as Partial<Record<keyof AnyPrimitive, unknown>>;
  return (
    typeof p.kind === 'string' &&
    (PRIMITIVE_KINDS as readonly string[]).includes(p.kind) &&
    typeof p.name === 'string' &&
    typeof p.run === 'function' &&
    typeof p.mutating === 'boolean' &&
    Array.isArray(p.errorModes)
  );
}
