/**
 * `fromHandler`: any existing handler as a primitive of a given kind, so catalog and application
 * handlers compose like the ready primitives. Its schemas, error modes and behaviour are the
 * handler's own.
 */
import type { Handler } from '../../src/handler.js';
import { definePrimitive, type MutatingKind, type Primitive, type PrimitiveKind } from './primitive.js';

/**
 * Wraps `handler` as a `kind` primitive. The compiler sees only the handler's parsed input type,
 * so the previous step must return that (defaults included); the handler's mutating flag must
 * match the kind's.
 * @example
 * import { aggregate } from '../aggregate.js';
 * const countRows = fromHandler('aggregate', aggregate, { name: 'count_rows' });
 */
export function fromHandler<K extends PrimitiveKind, I, O, const Name extends string = K>(
  kind: K,
  handler: Handler<I, O>,
  options: { readonly name?: Name } = {},
): Primitive<I, O, K extends MutatingKind ? true : false, boolean, I, Name> {
  const primitive = definePrimitive(kind, {
    ...(options.name === undefined ? {} : { name: options.name }),
    input: handler.input,
    output: handler.output,
    errorModes: handler.errorModes,
    run: (input, ctx) => handler.run(input, ctx),
  });
  if (primitive.mutating !== handler.mutating) {
    throw new TypeError(
      `Handler '${handler.name}' is ${handler.mutating ? '' : 'not '}mutating, but a ${kind} primitive is ${primitive.mutating ? '' : 'not '}: ` +
        `wrap it as ${handler.mutating ? "'persist' or 'emit'" : "a non-mutating kind such as 'transform' or 'acquire'"}.`,
    );
  }
  return primitive as unknown as Primitive<I, O, K extends MutatingKind ? true : false, boolean, I, Name>;
}
