/**
 * Ancestor queries over a dependency graph: bitsets of transitive dependencies, one row per
 * strongly connected component, so that "is a upstream of b?" costs one bit test however many
 * references a large fragment holds (no per-query graph walk, no O(n²) of set copies).
 */

/** Per node, its dependency edges: [target node, position in the node's `dependencies`]. */
export type Edges = readonly (readonly (readonly [number, number])[])[];

/** Answers "is a upstream of b?" in constant time. Built by `Dag.ancestors()`. */
export class AncestorIndex {
  constructor(
    private readonly names: readonly string[],
    private readonly index: ReadonlyMap<string, number>,
    /** One bitset row per strongly connected component. */
    private readonly bits: Uint32Array,
    private readonly words: number,
    /** Component of each node. */
    private readonly comp: Int32Array,
  ) {}

  /** True when node `ancestor` is a transitive dependency of node `of` (by declaration index). */
  has(of: number, ancestor: number): boolean {
    const c = this.comp[of];
    if (c === undefined) return false;
    const word = this.bits[c * this.words + (ancestor >>> 5)] ?? 0;
    return (word & (1 << (ancestor & 31))) !== 0;
  }

  /** True when `ancestor` is a transitive dependency of `of` (by name). */
  isAncestor(ancestor: string, of: string): boolean {
    const a = this.index.get(ancestor);
    const o = this.index.get(of);
    return a !== undefined && o !== undefined && this.has(o, a);
  }

  /** Every ancestor of a node, in declaration order. */
  of(name: string): string[] {
    const o = this.index.get(name);
    if (o === undefined) return [];
    return this.names.filter((_, a) => this.has(o, a));
  }
}

/**
 * Builds the ancestor index of a graph given as dependency edges per node. Each later
 * `isAncestor` question is one bit test, not a graph walk. Works on cyclic graphs too (the
 * validator still checks references after it has found a cycle): nodes of one cycle are each
 * other's ancestors.
 */
export function buildAncestorIndex(names: readonly string[], index: ReadonlyMap<string, number>, edges: Edges): AncestorIndex {
  const n = names.length;
  const words = Math.ceil(n / 32);
  const { comp, order } = components(edges);
  const bits = new Uint32Array(order.length * words);
  const set = (row: number, bit: number): void => {
    bits[row + (bit >>> 5)] = (bits[row + (bit >>> 5)] as number) | (1 << (bit & 31));
  };
  // Components come dependencies-first, so every row read below is already complete.
  order.forEach((members, c) => {
    const row = c * words;
    let cyclic = members.length > 1;
    for (const v of members) {
      for (const [w] of edges[v] as (readonly [number, number])[]) {
        const d = comp[w] as number;
        if (d === c) {
          cyclic = true;
          continue;
        }
        const from = d * words;
        for (let k = 0; k < words; k++) bits[row + k] = (bits[row + k] as number) | (bits[from + k] as number);
        set(row, w);
      }
    }
    if (cyclic) for (const v of members) set(row, v);
  });
  return new AncestorIndex(names, index, bits, words, comp);
}

/**
 * Strongly connected components (Tarjan, iterative), in an order where a component comes
 * after every component it depends on. In a DAG each node is its own component.
 */
function components(edges: Edges): { comp: Int32Array; order: number[][] } {
  const n = edges.length;
  const index = new Int32Array(n).fill(-1);
  const low = new Int32Array(n);
  const onStack = new Uint8Array(n);
  const comp = new Int32Array(n).fill(-1);
  const cursor = new Uint32Array(n);
  const stack: number[] = [];
  const frames: number[] = [];
  const order: number[][] = [];
  let counter = 0;
  for (let root = 0; root < n; root++) {
    if (index[root] !== -1) continue;
    index[root] = low[root] = counter++;
    stack.push(root);
    onStack[root] = 1;
    frames.push(root);
    while (frames.length > 0) {
      const v = frames[frames.length - 1] as number;
      const deps = edges[v] as (readonly [number, number])[];
      const k = cursor[v] as number;
      if (k < deps.length) {
        cursor[v] = k + 1;
        const w = (deps[k] as readonly [number, number])[0];
        if (index[w] === -1) {
          index[w] = low[w] = counter++;
          stack.push(w);
          onStack[w] = 1;
          frames.push(w);
        } else if (onStack[w] === 1) low[v] = Math.min(low[v] as number, index[w] as number);
        continue;
      }
      frames.pop();
      const parent = frames[frames.length - 1];
      if (parent !== undefined) low[parent] = Math.min(low[parent] as number, low[v] as number);
      if (low[v] !== index[v]) continue;
      const members: number[] = [];
      for (let w = -1; w !== v; ) {
        w = stack.pop() as number;
        onStack[w] = 0;
        comp[w] = order.length;
        members.push(w);
      }
      order.push(members.sort((x, y) => x - y));
    }
  }
  return { comp, order };
}
