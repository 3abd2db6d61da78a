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
  // Two plain stacks and no per-value objects: this runs on every fragment the validator sees.
  const values: unknown[] = [root];
  const depths: number[] = [1];
  let seen = 0;
  while (values.length > 0) {
    const value = values.pop();
    const depth = depths.pop()!;
    if (++seen > maxValues) return { kind: 'too_many', values: seen };
    if (typeof value !== 'object' || value === null || isLeaf(value)) continue;
    if (depth > maxDepth) return { kind: 'too_deep', depth, path: pathTo(root, maxDepth, isLeaf) };
    if (Array.isArray(value)) {
      if (seen + values.length + value.length > maxValues) return { kind: 'too_many', values: seen + values.length + value.length };
      for (let i = value.length - 1; i >= 0; i--) {
        values.push(value[i]);
        depths.push(depth + 1);
      }
    } else {
      const keys = Object.keys(value);
      if (seen + values.length + keys.length > maxValues) return { kind: 'too_many', values: seen + values.length + keys.length };
      for (let i = keys.length - 1; i >= 0; i--) {
        values.push((value as Record<string, unknown>)[keys[i]!]);
        depths.push(depth + 1);
      }
    }
  }
  return null;
}

/** The path to the first container deeper than `maxDepth`, found again with parent links (only on failure). */
function pathTo(root: unknown, maxDepth: number, isLeaf: (value: object) => boolean): (string | number)[] {
  const stack: Frame[] = [{ value: root, depth: 1, parent: null, key: '' }];
  while (stack.length > 0) {
    const frame = stack.pop()!;
    const { value, depth } = frame;
    if (typeof value !== 'object' || value === null || isLeaf(value)) continue;
    if (depth > maxDepth) return pathOf(frame);
    const keys: (string | number)[] = Array.isArray(value) ? value.map((_, i) => i) : Object.keys(value);
    for (let i = keys.length - 1; i >= 0; i--) {
      const key = keys[i]!;
      stack.push({ value: (value as Record<string | number, unknown>)[key], depth: depth + 1, parent: frame, key });
    }
  }
  return [];
}

function pathOf(frame: Frame): (string | number)[] {
  const path: (string | number)[] = [];
  for (let f: Frame | null = frame; f && f.parent; f = f.parent) path.push(f.key);
  return path.reverse();
}
