/**
 * The ready-set scheduler: a pure state machine that says which steps to start. A step is
 * ready as soon as all its dependencies are complete — not level by level — and ready steps
 * start in declaration order, at most `concurrency` at a time. The workflow owns the waiting;
 * this owns the bookkeeping, so that it is unit-tested without Temporal and replays identically.
 */
import { Dag, DagError, type DagNode } from './dag.js';
import { MinHeap } from './min-heap.js';

/** Where a node is in its life. `blocked`: a dependency failed, so it will never run. */
export type ReadySetState = 'waiting' | 'ready' | 'running' | 'complete' | 'failed' | 'blocked';

/** Options of `ReadySetScheduler`. */
export interface ReadySetOptions {
  /** Most nodes running at once; at least 1. */
  readonly concurrency: number;
  /** Names outside the node set that count as already complete (frame steps, earlier phases). */
  readonly satisfied?: Iterable<string>;
}

/**
 * Drives execution: call `next()` for the nodes to start now, then `complete(name)` or
 * `fail(name)` as each finishes, until `finished`.
 * @example
 * const s = new ReadySetScheduler([{ name: 'a', dependencies: [] }, { name: 'b', dependencies: ['a'] }], { concurrency: 4 });
 * s.next();        // ['a']
 * s.complete('a'); // ['b'] became ready
 * s.next();        // ['b']
 */
export class ReadySetScheduler {
  private readonly names: readonly string[];
  private readonly index = new Map<string, number>();
  private readonly states: ReadySetState[];
  private readonly pending: Uint32Array;
  private readonly dependents: number[][];
  private readonly ready = new MinHeap();
  private readonly concurrency: number;
  private runningCount = 0;
  private settledCount = 0;

  /** Throws `DagError` for duplicate names, unknown dependencies, cycles or a concurrency below 1. */
  constructor(nodes: readonly DagNode[], options: ReadySetOptions) {
    if (!(options.concurrency >= 1)) throw new DagError('DAG_INVALID_TRANSITION', `Concurrency must be at least 1, got ${options.concurrency}.`);
    this.concurrency = options.concurrency;
    const satisfied = new Set(options.satisfied ?? []);
    this.names = nodes.map((n) => n.name);
    nodes.forEach((n, i) => {
      if (this.index.has(n.name)) throw new DagError('DAG_DUPLICATE_NODE', `Node '${n.name}' is declared twice.`);
      this.index.set(n.name, i);
    });
    const cycle = new Dag(nodes).cycles()[0];
    if (cycle) throw new DagError('DAG_CYCLE', `The dependencies form a cycle: ${cycle.path.join(' → ')}.`);
    this.states = nodes.map(() => 'waiting');
    this.pending = new Uint32Array(nodes.length);
    this.dependents = nodes.map(() => []);
    nodes.forEach((n, i) => {
      for (const d of new Set(n.dependencies)) {
        const w = this.index.get(d);
        if (w !== undefined) {
          this.pending[i] = (this.pending[i] as number) + 1;
          (this.dependents[w] as number[]).push(i);
        } else if (!satisfied.has(d)) {
          throw new DagError('DAG_UNKNOWN_DEPENDENCY', `Node '${n.name}' depends on '${d}', which is neither a node nor satisfied.`);
        }
      }
      if (this.pending[i] === 0) this.markReady(i);
    });
  }

  /** Nodes to start now, in declaration order; they become `running`. Empty when none is ready or the limit is reached. */
  next(): string[] {
    const out: string[] = [];
    while (this.ready.size > 0 && this.runningCount < this.concurrency) {
      const i = this.ready.pop();
      this.states[i] = 'running';
      this.runningCount++;
      out.push(this.names[i] as string);
    }
    return out;
  }

  /** Marks a running node complete; returns the nodes that became ready because of it. */
  complete(name: string): string[] {
    const i = this.expectRunning(name, 'complete');
    this.states[i] = 'complete';
    this.runningCount--;
    this.settledCount++;
    const out: string[] = [];
    for (const u of this.dependents[i] as number[]) {
      this.pending[u] = (this.pending[u] as number) - 1;
      if (this.pending[u] === 0 && this.states[u] === 'waiting') {
        this.markReady(u);
        out.push(this.names[u] as string);
      }
    }
    return out;
  }

  /** Marks a running node failed; every node downstream of it becomes `blocked`. Returns those, in declaration order. */
  fail(name: string): string[] {
    const i = this.expectRunning(name, 'fail');
    this.states[i] = 'failed';
    this.runningCount--;
    this.settledCount++;
    const blocked: number[] = [];
    const stack = [...(this.dependents[i] as number[])];
    while (stack.length > 0) {
      const u = stack.pop() as number;
      // Only waiting nodes can be downstream of a node that just failed.
      if (this.states[u] !== 'waiting') continue;
      this.states[u] = 'blocked';
      this.settledCount++;
      blocked.push(u);
      stack.push(...(this.dependents[u] as number[]));
    }
    return blocked.sort((a, b) => a - b).map((u) => this.names[u] as string);
  }

  /** The state of a node; throws `DagError` for a name that is not a node. */
  state(name: string): ReadySetState {
    return this.states[this.indexOf(name)] as ReadySetState;
  }

  /** Names currently running, in declaration order. */
  get running(): string[] {
    return this.names.filter((_, i) => this.states[i] === 'running');
  }

  /** True when every node is complete, failed or blocked. */
  get finished(): boolean {
    return this.settledCount === this.names.length;
  }

  /** How many nodes are in each state. */
  counts(): Record<ReadySetState, number> {
    const out: Record<ReadySetState, number> = { waiting: 0, ready: 0, running: 0, complete: 0, failed: 0, blocked: 0 };
    for (const s of this.states) out[s]++;
    return out;
  }

  private markReady(i: number): void {
    this.states[i] = 'ready';
    this.ready.push(i);
  }

  private indexOf(name: string): number {
    const i = this.index.get(name);
    if (i === undefined) throw new DagError('DAG_INVALID_TRANSITION', `'${name}' is not a node of this scheduler.`);
    return i;
  }

  private expectRunning(name: string, action: string): number {
    const i = this.indexOf(name);
    const s = this.states[i] as ReadySetState;
    if (s !== 'running') throw new DagError('DAG_INVALID_TRANSITION', `Cannot ${action} '${name}': it is ${s}, not running.`);
    return i;
  }
}
