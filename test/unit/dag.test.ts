import { describe, expect, it } from 'vitest';
import { ancestorsOf, Dag, DagError, depth, findCycle, terminalNodes, topologicalOrder, type DagNode } from '../../src/core/dag.js';
import { ReadySetScheduler } from '../../src/core/ready-set.js';

const n = (name: string, ...dependencies: string[]): DagNode => ({ name, dependencies });

// a   b
// |\ /
// c d
//  \|
//   e     f (alone)
const diamond = [n('e', 'c', 'd'), n('c', 'a'), n('d', 'a', 'b'), n('a'), n('b'), n('f')];

describe('topologicalOrder', () => {
  it('puts dependencies first and breaks ties in declaration order', () => {
    // Whenever several nodes are free to go, the one declared first goes: c (declared second)
    // as soon as a is placed, before b.
    expect(topologicalOrder(diamond)).toEqual(['a', 'c', 'b', 'd', 'e', 'f']);
    expect(topologicalOrder([n('z'), n('y'), n('x')])).toEqual(['z', 'y', 'x']);
    expect(topologicalOrder([n('late', 'early'), n('other'), n('early')])).toEqual(['other', 'early', 'late']);
  });

  it('ignores dependencies outside the node set', () => {
    expect(topologicalOrder([n('a', 'frame_step')])).toEqual(['a']);
  });

  it('throws a DagError with the cycle on a cycle', () => {
    expect(() => topologicalOrder([n('a', 'b'), n('b', 'a')])).toThrow(DagError);
    expect(() => topologicalOrder([n('a', 'b'), n('b', 'a')])).toThrow('a → b → a');
  });

  it('handles a 10,000-node chain without recursion limits', () => {
    const chain = Array.from({ length: 10_000 }, (_, i) => n(`s${i}`, ...(i > 0 ? [`s${i - 1}`] : [])));
    expect(topologicalOrder(chain.slice().reverse())[9_999]).toBe('s9999');
    expect(depth(chain)).toBe(10_000);
  });
});

describe('cycles', () => {
  it('returns the cycle path', () => {
    expect(findCycle([n('a', 'b'), n('b', 'c'), n('c', 'a')])).toEqual(['a', 'b', 'c', 'a']);
    expect(findCycle([n('x'), n('a', 'a')])).toEqual(['a', 'a']);
    expect(findCycle(diamond)).toBeNull();
  });

  it('names the node and dependency position closing each cycle', () => {
    const dag = new Dag([n('a', 'x', 'b'), n('b', 'a'), n('c', 'd'), n('d', 'c')]);
    expect(dag.cycles()).toEqual([
      { path: ['a', 'b', 'a'], node: 1, dependency: 0 },
      { path: ['c', 'd', 'c'], node: 3, dependency: 0 },
    ]);
    expect(dag.hasCycle()).toBe(true);
    // A cyclic graph still gets an order (back edges left out) for best-effort checks.
    expect(dag.orderIndexes()).toHaveLength(4);
  });
});

describe('depth and longest chain', () => {
  it('counts steps on the longest chain', () => {
    expect(depth([])).toBe(0);
    expect(depth([n('a')])).toBe(1);
    expect(depth(diamond)).toBe(3);
    expect(new Dag(diamond).longestChain()).toEqual(['a', 'c', 'e']);
  });
});

describe('ancestors', () => {
  it('answers transitive dependency questions', () => {
    const index = new Dag(diamond).ancestors();
    expect(index.isAncestor('a', 'e')).toBe(true);
    expect(index.isAncestor('b', 'e')).toBe(true);
    expect(index.isAncestor('b', 'c')).toBe(false);
    expect(index.isAncestor('e', 'a')).toBe(false);
    expect(index.isAncestor('e', 'e')).toBe(false);
    expect(index.isAncestor('nope', 'e')).toBe(false);
    expect(ancestorsOf(diamond, 'e')).toEqual(['c', 'd', 'a', 'b']);
    expect(ancestorsOf(diamond, 'f')).toEqual([]);
  });

  it('makes the members of a cycle each other\'s ancestors (the validator asks after finding one)', () => {
    const index = new Dag([n('a', 'b'), n('b', 'a'), n('c', 'a'), n('d')]).ancestors();
    expect(index.isAncestor('a', 'b')).toBe(true);
    expect(index.isAncestor('b', 'a')).toBe(true);
    expect(index.isAncestor('a', 'a')).toBe(true);
    expect(index.isAncestor('b', 'c')).toBe(true);
    expect(index.isAncestor('c', 'a')).toBe(false);
    expect(index.isAncestor('d', 'd')).toBe(false);
  });

  it('works across bitset word boundaries', () => {
    const chain = Array.from({ length: 100 }, (_, i) => n(`s${i}`, ...(i > 0 ? [`s${i - 1}`] : [])));
    const index = new Dag(chain).ancestors();
    expect(index.isAncestor('s0', 's99')).toBe(true);
    expect(index.isAncestor('s63', 's64')).toBe(true);
    expect(index.isAncestor('s64', 's63')).toBe(false);
    expect(index.of('s40')).toHaveLength(40);
  });
});

describe('terminalNodes', () => {
  it('lists nodes nothing depends on, in declaration order', () => {
    expect(terminalNodes(diamond)).toEqual(['e', 'f']);
  });
});

describe('ReadySetScheduler', () => {
  it('starts a node as soon as its dependencies complete, not level by level', () => {
    // slow and fast are both ready; after_fast depends only on fast.
    const s = new ReadySetScheduler([n('slow'), n('fast'), n('after_fast', 'fast'), n('join', 'slow', 'after_fast')], { concurrency: 10 });
    expect(s.next()).toEqual(['slow', 'fast']);
    expect(s.complete('fast')).toEqual(['after_fast']);
    expect(s.next()).toEqual(['after_fast']); // while 'slow' still runs
    expect(s.state('slow')).toBe('running');
    s.complete('after_fast');
    expect(s.next()).toEqual([]);
    expect(s.complete('slow')).toEqual(['join']);
    expect(s.next()).toEqual(['join']);
    s.complete('join');
    expect(s.finished).toBe(true);
  });

  it('respects the concurrency limit and starts ready nodes in declaration order', () => {
    const s = new ReadySetScheduler([n('a'), n('b'), n('c'), n('d', 'a')], { concurrency: 2 });
    expect(s.next()).toEqual(['a', 'b']);
    expect(s.next()).toEqual([]);
    s.complete('b');
    // d is not ready yet, c is: c goes next.
    expect(s.next()).toEqual(['c']);
    s.complete('a');
    expect(s.next()).toEqual(['d']);
    expect(s.running).toEqual(['c', 'd']);
    expect(s.counts()).toEqual({ waiting: 0, ready: 0, running: 2, complete: 2, failed: 0, blocked: 0 });
  });

  it('prefers the earliest-declared ready node even when it became ready later', () => {
    const s = new ReadySetScheduler([n('first', 'gate'), n('gate'), n('x'), n('y')], { concurrency: 1 });
    expect(s.next()).toEqual(['gate']);
    s.complete('gate');
    expect(s.next()).toEqual(['first']);
  });

  it('blocks everything downstream of a failure and still finishes', () => {
    const s = new ReadySetScheduler(diamond, { concurrency: 10 });
    expect(s.next()).toEqual(['a', 'b', 'f']);
    expect(s.fail('a')).toEqual(['e', 'c', 'd']);
    expect(s.state('e')).toBe('blocked');
    s.complete('b');
    s.complete('f');
    expect(s.next()).toEqual([]);
    expect(s.finished).toBe(true);
  });

  it('treats satisfied external dependencies as complete', () => {
    const s = new ReadySetScheduler([n('a', 'frame_load')], { concurrency: 1, satisfied: ['frame_load'] });
    expect(s.next()).toEqual(['a']);
  });

  it('rejects misuse with DagError codes', () => {
    const code = (f: () => unknown): string | undefined => {
      try {
        f();
      } catch (err) {
        return err instanceof DagError ? err.code : 'not a DagError';
      }
      return undefined;
    };
    expect(code(() => new ReadySetScheduler([n('a', 'missing')], { concurrency: 1 }))).toBe('DAG_UNKNOWN_DEPENDENCY');
    expect(code(() => new ReadySetScheduler([n('a', 'b'), n('b', 'a')], { concurrency: 1 }))).toBe('DAG_CYCLE');
    expect(code(() => new ReadySetScheduler([n('a'), n('a')], { concurrency: 1 }))).toBe('DAG_DUPLICATE_NODE');
    expect(code(() => new ReadySetScheduler([n('a')], { concurrency: 0 }))).toBe('DAG_INVALID_TRANSITION');
    const s = new ReadySetScheduler([n('a')], { concurrency: 1 });
    expect(code(() => s.complete('a'))).toBe('DAG_INVALID_TRANSITION');
    expect(code(() => s.state('zzz'))).toBe('DAG_INVALID_TRANSITION');
  });

  it('is deterministic: the same completions give the same starts', () => {
    const nodes = Array.from({ length: 50 }, (_, i) => n(`s${i}`, ...(i >= 5 ? [`s${i - 5}`, `s${(i * 7) % i}`] : [])));
    const trace = (): string[][] => {
      const s = new ReadySetScheduler(nodes, { concurrency: 3 });
      const out: string[][] = [];
      for (let batch = s.next(); batch.length > 0 || s.running.length > 0; batch = s.next()) {
        out.push(batch);
        const done = s.running[0];
        if (done) s.complete(done);
      }
      return out;
    };
    expect(trace()).toEqual(trace());
    expect(trace().flat()).toHaveLength(50);
  });
});
