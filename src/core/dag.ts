/**
 * Pure DAG algorithms over named nodes with dependencies: stable topological order, cycles with
 * their path, depth and the longest chain, ancestor queries and terminal nodes. The ready-set
 * scheduler built on them is in `ready-set.ts`; the ancestor bitsets in `ancestors.ts`.
 *
 * Edges point from a node to its dependencies. Dependencies naming no node of the set are
 * ignored here (they are steps outside the fragment, or errors reported by the validator);
 * when a name appears twice, the first node owns it. Everything is deterministic: ties are
 * broken by declaration order, never by hashing or timing.
 */

import { buildAncestorIndex, type AncestorIndex } from './ancestors.js';
import { MinHeap } from './min-heap.js';

export { AncestorIndex } from './ancestors.js';

// Packs (node, dependency position) into one number; a node has far fewer than 2^20 dependencies.
const EDGE_KEY = 2 ** 20;

/** A node and the names of the nodes it depends on. */
export interface DagNode {
  readonly name: string;
  readonly dependencies: readonly string[];
}

/** A cycle closed by one dependency: `path` starts and ends with the same name. */
export interface DagCycle {
  /** E.g. `['a', 'b', 'c', 'a']`: a depends on b, b on c, c on a. */
  readonly path: readonly string[];
  /** Declaration index of the node whose dependency closes the cycle. */
  readonly node: number;
  /** Position of that dependency in the node's `dependencies`. */
  readonly dependency: number;
}

/** Thrown when an algorithm that needs a DAG gets a cycle, or the scheduler is misused. */
export class DagError extends Error {
  override readonly name = 'DagError';
  constructor(
    /** Stable code, usable as an `ApplicationFailure` type. */
    readonly code: 'DAG_CYCLE' | 'DAG_UNKNOWN_DEPENDENCY' | 'DAG_DUPLICATE_NODE' | 'DAG_INVALID_TRANSITION',
    message: string,
  ) {
    super(message);
  }
}

/**
 * A graph indexed once, so that every algorithm below runs in O(nodes + edges) (ancestors in
 * O(edges × nodes / 32) with bitsets). Build it once and ask it many questions.
 */
export class Dag {
  /** Node names in declaration order. */
  readonly names: readonly string[];
  private readonly index = new Map<string, number>();
  /** Per node, its dependencies that name nodes of the set: [target index, position in `dependencies`]. */
  private readonly edges: (readonly [number, number])[][];
  private cyclesCache: readonly DagCycle[] | undefined;
  /** Depth-first finish order: every node after its dependencies (back edges aside). */
  private finishCache: readonly number[] | undefined;
  private backCache: ReadonlySet<number> | undefined;
  private orderCache: readonly number[] | undefined;

  /**
   * `ownsName(i)` false makes node i a node whose name means something else (the validator's
   * case: a step reusing a frame step's name, where references mean the frame step): it keeps
   * its own dependencies but no dependency resolves to it.
   */
  constructor(nodes: readonly DagNode[], ownsName: (index: number) => boolean = () => true) {
    this.names = nodes.map((n) => n.name);
    for (let i = 0; i < nodes.length; i++) {
      const name = (nodes[i] as DagNode).name;
      if (!this.index.has(name) && ownsName(i)) this.index.set(name, i);
    }
    this.edges = [];
    for (const n of nodes) {
      const out: (readonly [number, number])[] = [];
      for (let position = 0; position < n.dependencies.length; position++) {
        const target = this.index.get(n.dependencies[position] as string);
        if (target !== undefined) out.push([target, position]);
      }
      this.edges.push(out);
    }
  }

  /** Declaration index of a name (its first node), or -1. */
  indexOf(name: string): number {
    return this.index.get(name) ?? -1;
  }

  /**
   * Every cycle a depth-first search closes (one per back edge), in declaration order. Each
   * cycle in the graph shows up in at least one of them.
   */
  cycles(): readonly DagCycle[] {
    if (this.cyclesCache) return this.cyclesCache;
    const n = this.names.length;
    const color = new Uint8Array(n); // 0 unseen, 1 on the stack, 2 done
    const out: DagCycle[] = [];
    const finish: number[] = [];
    const stack: number[] = [];
    const cursor = new Uint32Array(n);
    for (let root = 0; root < n; root++) {
      if (color[root] !== 0) continue;
      stack.push(root);
      color[root] = 1;
      // Iterative, so a 10,000-step chain cannot overflow the call stack.
      while (stack.length > 0) {
        const v = stack[stack.length - 1] as number;
        const deps = this.edges[v] as (readonly [number, number])[];
        const k = cursor[v] as number;
        if (k >= deps.length) {
          color[v] = 2;
          finish.push(v);
          stack.pop();
          continue;
        }
        cursor[v] = k + 1;
        const [w, position] = deps[k] as readonly [number, number];
        if (color[w] === 0) {
          color[w] = 1;
          stack.push(w);
        } else if (color[w] === 1) {
          const from = stack.lastIndexOf(w);
          const path = [...stack.slice(from), w].map((i) => this.names[i] as string);
          out.push({ path, node: v, dependency: position });
        }
      }
    }
    this.cyclesCache = out;
    this.finishCache = finish;
    return out;
  }

  /** Back edges as `node * 2^20 + position` numbers: the edges algorithms skip to treat a cyclic graph as a DAG. */
  private backEdges(): ReadonlySet<number> {
    this.backCache ??= new Set(this.cycles().map((c) => c.node * EDGE_KEY + c.dependency));
    return this.backCache;
  }

  /** True when some dependencies form a cycle. */
  hasCycle(): boolean {
    return this.cycles().length > 0;
  }

  /**
   * Node indexes in a topological order (dependencies first): whenever several nodes are free
   * to go, the one declared first goes (Kahn's algorithm with a min-heap). Back edges of
   * `cycles()` are left out, so a cyclic graph still gets an order.
   */
  orderIndexes(): readonly number[] {
    if (this.orderCache) return this.orderCache;
    const n = this.names.length;
    const back = this.backEdges();
    const pending = new Uint32Array(n);
    const dependents: number[][] = this.names.map(() => []);
    this.edges.forEach((deps, v) => {
      for (const [w, position] of deps) {
        if (back.size > 0 && back.has(v * EDGE_KEY + position)) continue;
        pending[v] = (pending[v] as number) + 1;
        (dependents[w] as number[]).push(v);
      }
    });
    const heap = new MinHeap();
    for (let v = 0; v < n; v++) if (pending[v] === 0) heap.push(v);
    const order: number[] = [];
    while (heap.size > 0) {
      const v = heap.pop();
      order.push(v);
      for (const u of dependents[v] as number[]) {
        pending[u] = (pending[u] as number) - 1;
        if (pending[u] === 0) heap.push(u);
      }
    }
    this.orderCache = order;
    return order;
  }

  /**
   * The longest dependency chain, from a root to the node that ends it (first found in
   * declaration order). Its length is the depth in steps: a lone node has depth 1.
   */
  longestChain(): readonly string[] {
    const n = this.names.length;
    if (n === 0) return [];
    const back = this.backEdges();
    const length = new Uint32Array(n);
    const via = new Int32Array(n).fill(-1);
    // The search that found the cycles finished every node after its dependencies: a
    // topological order for free (ties do not matter here, only that dependencies come first).
    for (const v of this.finishCache ?? []) {
      let best = 0;
      for (const [w, position] of this.edges[v] as (readonly [number, number])[]) {
        if (back.size > 0 && back.has(v * EDGE_KEY + position)) continue;
        if ((length[w] as number) > best) {
          best = length[w] as number;
          via[v] = w;
        }
      }
      length[v] = best + 1;
    }
    let end = 0;
    for (let v = 1; v < n; v++) if ((length[v] as number) > (length[end] as number)) end = v;
    const chain: string[] = [];
    for (let v = end; v >= 0; v = via[v] as number) chain.push(this.names[v] as string);
    return chain.reverse();
  }

  /** Names of nodes no other node depends on, in declaration order. */
  terminal(): readonly string[] {
    const dependedOn = new Uint8Array(this.names.length);
    for (const deps of this.edges) for (const [w] of deps) dependedOn[w] = 1;
    return this.names.filter((_, i) => dependedOn[i] === 0 && this.index.get(this.names[i] as string) === i);
  }

  /**
   * Transitive dependencies of every node as bitsets, computed once: each later `isAncestor`
   * question is one bit test, not a graph walk. Works on cyclic graphs too: nodes of one cycle
   * are each other's ancestors.
   */
  ancestors(): AncestorIndex {
    return buildAncestorIndex(this.names, this.index, this.edges);
  }

  /** True when node `v` lists node `w` among its dependencies (a direct edge). */
  dependsDirectly(v: number, w: number): boolean {
    const deps = this.edges[v];
    if (deps) for (let k = 0; k < deps.length; k++) if ((deps[k] as readonly [number, number])[0] === w) return true;
    return false;
  }
}

/** The first cycle in declaration order, as a path (`['a', 'b', 'a']`), or null. */
export function findCycle(nodes: readonly DagNode[]): string[] | null {
  const first = new Dag(nodes).cycles()[0];
  return first ? [...first.path] : null;
}

/**
 * Names in a topological order, dependencies first; whenever several are free to go, the one
 * declared first. Throws `DagError` on a cycle.
 * @example topologicalOrder([{ name: 'b', dependencies: ['a'] }, { name: 'a', dependencies: [] }]) // ['a', 'b']
 */
export function topologicalOrder(nodes: readonly DagNode[]): string[] {
  const dag = new Dag(nodes);
  const cycle = dag.cycles()[0];
  if (cycle) throw new DagError('DAG_CYCLE', `The dependencies form a cycle: ${cycle.path.join(' → ')}.`);
  return dag.orderIndexes().map((i) => dag.names[i] as string);
}

/** Depth in steps: the number of nodes on the longest dependency chain (0 for no nodes). */
export function depth(nodes: readonly DagNode[]): number {
  return new Dag(nodes).longestChain().length;
}

/** Every transitive dependency of `name`, in declaration order. */
export function ancestorsOf(nodes: readonly DagNode[], name: string): string[] {
  return new Dag(nodes).ancestors().of(name);
}

/** Names of nodes no other node depends on, in declaration order. */
export function terminalNodes(nodes: readonly DagNode[]): string[] {
  return [...new Dag(nodes).terminal()];
}
