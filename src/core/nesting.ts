/**
 * How deeply a value nests, found by one iterative walk (an explicit stack, no recursion), so
 * that it can run before any recursive pass — zod's schemas, the size walk, the reference scan,
 * `JSON.stringify` — and turn "Maximum call stack size exceeded" into a diagnostic or a declared
 * failure. Pure and sandbox-safe: the validator runs it in workflow code.
 */

/** How deep a fragment may nest, counting the fragment object as level 1. */
export const DEFAULT_MAX_FRAGMENT_NESTING = 64;

/** How deep a step's input or output data may nest, counting the value itself as level 1. */
export const DEFAULT_MAX_DATA_NESTING = 256;

/** What `findNestingProblem` found: nothing, a value nested too deeply (with where), or too many values. */
export type NestingProblem =
  | { readonly kind: 'too_deep'; readonly depth: number; readonly path: readonly (string | number)[] }
  | { readonly kind: 'too_many'; readonly values: number };

interface Frame {
  readonly value: unknown;
  readonly depth: number;
  readonly parent: Frame | null;
  readonly key: string | number;
}

/**
 * The first value found nested deeper than `maxDepth` (arrays and objects count one level each;
 * the root is level 1), or more than `maxValues` values in all; `null` when neither. A value that
 * contains itself (a cycle) is reported as too deep, and values shared between several parents
 * count once per parent, as `JSON.stringify` would write them, so the walk ends on any input.
 * @example findNestingProblem([[[]]], 2) // { kind: 'too_deep', depth: 3, path: [0, 0] }
 */
export function findNestingProblem(
  root: unknown,
  maxDepth: number,
  maxValues = Number.POSITIVE_INFINITY,
  /** Objects not to look into (counted as one value), e.g. a JSONata function in a result. */
  isLeaf: (value: object) => boolean = () => false,
): NestingProblem | null {
  const stack: Frame[] = [{ value: root, depth: 1, parent: null, key: '' }];
  let values = 0;
  while (stack.length > 0) {
    const frame = stack.pop()!;
    if (++values > maxValues) return { kind: 'too_many', values };
    const { value, depth } = frame;
    if (typeof value !== 'object' || value === null || isLeaf(value)) continue;
    if (depth > maxDepth) return { kind: 'too_deep', depth, path: pathOf(frame) };
    const children = Array.isArray(value) ? value.length : Object.keys(value).length;
    if (values + stack.length + children > maxValues) return { kind: 'too_many', values: values + stack.length + children };
    if (Array.isArray(value)) {
      for (let i = value.length - 1; i >= 0; i--) stack.push({ value: value[i] as unknown, depth: depth + 1, parent: frame, key: i });
    } else {
      const keys = Object.keys(value);
      for (let i = keys.length - 1; i >= 0; i--) {
        const key = keys[i]!;
        stack.push({ value: (value as Record<string, unknown>)[key], depth: depth + 1, parent: frame, key });
      }
    }
  }
  return null;
}

function pathOf(frame: Frame): (string | number)[] {
  const path: (string | number)[] = [];
  for (let f: Frame | null = frame; f && f.parent; f = f.parent) path.push(f.key);
  return path.reverse();
}
