/**
 * `compose`: the typed builder that turns primitives into a handler. Like zod's `.pipe()` and
 * tRPC's procedure builder, each `then` returns the builder with its output type replaced, and an
 * invalid step turns `then`'s parameter type into a sentence (`CompositionError`), which is what
 * the compiler shows. The same rules are checked again at run time for callers that erase types.
 */
import { z } from 'zod';
import { defineHandler, type AnyHandler, type Handler, type HandlerContext } from '../../src/handler.js';
import type { ErrorMode, HandlerCategory } from '../../src/core/manifest.js';
import { formatIssues } from '../../src/core/issues.js';
import { declareErrorModes } from '../failures.js';
import type { DescribeType } from './describe-type.js';
import { isPrimitive, type AcceptsOf, type AnyPrimitive, type InputOf, type OutputOf, type PrimitiveKind } from './primitive.js';

/** A composition rule the compiler enforces, as a sentence starting with ✗ (the brand). */
export type CompositionError<Message extends string> = `✗ ${Message}`;

/** The sentence for a second mutating primitive. */
export const AT_MOST_ONE_MUTATING = '✗ a composition has at most one mutating primitive';
/** The sentence for a fallible primitive after the mutating one. */
export const NOTHING_FALLIBLE_AFTER_MUTATION = '✗ nothing that can fail may follow the mutating primitive';

/** What `then` accepts after a step returning `Out`: `P` itself, or the sentence saying why not. */
export type NextStep<Out, Mutated extends boolean, P extends AnyPrimitive> = [Mutated] extends [false]
  ? Accepting<Out, P>
  : [P['mutating']] extends [false]
    ? [P['fallible']] extends [false]
      ? Accepting<Out, P>
      : typeof NOTHING_FALLIBLE_AFTER_MUTATION
    : typeof AT_MOST_ONE_MUTATING;

type Accepting<Out, P extends AnyPrimitive> = [Out] extends [AcceptsOf<P>]
  ? P
  : CompositionError<`${P['name']} expects ${DescribeType<AcceptsOf<P>>} but the previous step returns ${DescribeType<Out>}`>;

/** `true` once a mutating primitive is in; `boolean` when unknown (treated as mutated). */
type MutatedAfter<Mutated extends boolean, P extends AnyPrimitive> = [Mutated] extends [false] ? P['mutating'] : Mutated;

/** A composition with no step yet: `then` takes any primitive. */
export interface EmptyComposition {
  /** Adds the first step; its input schema becomes the handler's input. */
  then<P extends AnyPrimitive>(primitive: P): Composition<InputOf<P>, OutputOf<P>, P['mutating']>;
}

/** A composition taking `In` and so far returning `Out`. */
export interface Composition<In, Out, Mutated extends boolean> {
  /**
   * Adds a step. Its input must accept `Out`; after the mutating step, only non-mutating
   * primitives without error modes may follow.
   */
  then<P extends AnyPrimitive>(primitive: NextStep<Out, Mutated, P>): Composition<In, OutputOf<P>, MutatedAfter<Mutated, P>>;
  /** The handler: input of the first step, output of the last, error modes of all (and the guard's). */
  build(): Handler<In, Out>;
}

/** What a composed handler says about itself (its schemas and error modes are derived). */
export interface CompositionMeta {
  /** One line: what the handler does. */
  readonly description: string;
  readonly category: HandlerCategory;
  readonly estimatedCostUsd?: number;
}

const guard = declareErrorModes({
  COMPOSITION_STEP_INPUT_INVALID: {
    retryable: false,
    description: "A step's output did not pass the next primitive's input schema (a refinement or transform the types could not see).",
  },
});

/** The error mode of the run-time guard between steps; composed handlers of two or more steps declare it. */
export const COMPOSITION_GUARD_MODES: readonly ErrorMode[] = guard.modes;

/**
 * Starts a composition named `name` (the handler name: lower case, digits, _).
 * @example
 * const measure = transformPrimitive({ name: 'measure', input: z.object({ text: z.string() }),
 *   output: z.object({ length: z.number() }), errorModes: [], run: ({ text }) => Promise.resolve({ length: text.length }) });
 * const handler = compose('text_length', { description: 'Measures the text it is given.', category: 'data' })
 *   .then(measure)
 *   .build(); // Handler<{ text: string }, { length: number }>
 */
export function compose(name: string, meta: CompositionMeta): EmptyComposition {
  return builder(name, meta, []) as unknown as EmptyComposition;
}

interface RuntimeBuilder {
  then(primitive: unknown): RuntimeBuilder;
  build(): Handler<unknown, unknown>;
}

function builder(name: string, meta: CompositionMeta, steps: readonly AnyPrimitive[]): RuntimeBuilder {
  return {
    then(primitive) {
      checkStep(name, steps, primitive);
      return builder(name, meta, [...steps, primitive]);
    },
    build() {
      const first = steps[0];
      const last = steps[steps.length - 1];
      if (!first || !last) throw new TypeError(`Composition '${name}' has no steps: add one with .then(primitive) before .build().`);
      const handler = defineHandler<unknown, unknown>({
        name,
        description: meta.description,
        category: meta.category,
        mutating: steps.some((s) => s.mutating),
        input: first.input,
        output: last.output,
        errorModes: unionErrorModes(name, steps.length > 1 ? [...steps.map((s) => s.errorModes), guard.modes] : [first.errorModes]),
        ...(meta.estimatedCostUsd === undefined ? {} : { estimatedCostUsd: meta.estimatedCostUsd }),
        run: (input, ctx) => runSteps(name, steps, input, ctx),
      });
      recordSteps(handler, steps);
      return handler;
    },
  };
}

/** One step of a composed handler as `compositionOf` reports it: the primitive's kind and name. */
export interface CompositionStep {
  readonly kind: PrimitiveKind;
  readonly name: string;
}

/**
 * The steps of every handler `build` returned. A WeakMap beside the handler, not a property on it,
 * so a composed handler is exactly the object `defineHandler` returns (same keys, same manifest).
 */
const builtFrom = new WeakMap<AnyHandler, readonly CompositionStep[]>();

function recordSteps(handler: AnyHandler, steps: readonly AnyPrimitive[]): void {
  builtFrom.set(handler, Object.freeze(steps.map(({ kind, name }) => Object.freeze({ kind, name }))));
}

/**
 * The primitives `handler` was composed from, in order, or `undefined` when `compose` did not
 * build it (a `defineHandler` handler, or a copy of a composed one). For tests and tooling that
 * check how a handler is made; it exposes kinds and names only, never the primitives themselves.
 * @example compositionOf(transform) // [{ kind: 'transform', name: 'evaluate_expression' }]
 */
export function compositionOf(handler: AnyHandler): readonly CompositionStep[] | undefined {
  return builtFrom.get(handler);
}

/** The compile-time rules, again, for values whose types were erased (`any`, JavaScript callers). */
function checkStep(name: string, steps: readonly AnyPrimitive[], primitive: unknown): asserts primitive is AnyPrimitive {
  if (!isPrimitive(primitive)) {
    throw new TypeError(`Composition '${name}': .then() takes a primitive (from transformPrimitive, persistPrimitive, ...), got ${describeValue(primitive)}.`);
  }
  const mutation = steps.find((s) => s.mutating);
  if (!mutation) return;
  if (primitive.mutating) {
    throw new TypeError(
      `${AT_MOST_ONE_MUTATING}: in '${name}', '${primitive.name}' (${primitive.kind}) follows '${mutation.name}' (${mutation.kind}). ` +
        'Split the composition into two handlers, one mutation each.',
    );
  }
  if (primitive.fallible) {
    const codes = primitive.errorModes.map((m) => m.code).join(', ');
    throw new TypeError(
      `${NOTHING_FALLIBLE_AFTER_MUTATION}: in '${name}', '${primitive.name}' (${codes}) follows '${mutation.name}' (${mutation.kind}). ` +
        'Move it before the mutating step so a failure cannot leave the mutation half-reported.',
    );
  }
}

function describeValue(value: unknown): string {
  if (typeof value === 'string') return `the string '${value}'`;
  return value === null ? 'null' : typeof value;
}

/** The union of error modes by code, in first-declared order; one code declared two ways is a mistake. */
export function unionErrorModes(name: string, lists: readonly (readonly ErrorMode[])[]): ErrorMode[] {
  const byCode = new Map<string, ErrorMode>();
  for (const mode of lists.flat()) {
    const seen = byCode.get(mode.code);
    if (!seen) byCode.set(mode.code, mode);
    else if (seen.retryable !== mode.retryable) {
      throw new TypeError(
        `Composition '${name}': error mode ${mode.code} is declared both retryable and not. Give the two failures different codes.`,
      );
    }
  }
  return [...byCode.values()];
}

async function runSteps(name: string, steps: readonly AnyPrimitive[], input: unknown, ctx: HandlerContext): Promise<unknown> {
  let value: unknown = input;
  for (const [i, step] of steps.entries()) {
    // The handler's input was parsed by the activity; later inputs come from the previous step.
    if (i > 0) {
      // Cancellation between steps stops the composition before it starts the next one.
      ctx.signal.throwIfAborted();
      const parsed = await step.input.safeParseAsync(value);
      if (!parsed.success) throw guardFailure(name, steps[i - 1] as AnyPrimitive, step, parsed.error);
      value = parsed.data;
    }
    value = await step.run(value, ctx);
  }
  return value;
}

function guardFailure(name: string, from: AnyPrimitive, to: AnyPrimitive, error: z.ZodError) {
  return guard.fail(
    'COMPOSITION_STEP_INPUT_INVALID',
    `In '${name}', the output of '${from.name}' (${from.kind}) does not pass the input schema of '${to.name}' (${to.kind}): ` +
      `${formatIssues(error)}. ` +
      `The types agreed, so a refinement or transform differs: align '${from.name}'s output schema with what '${to.name}' accepts.`,
    { from: from.name, to: to.name, issues: z.treeifyError(error) },
  );
}
