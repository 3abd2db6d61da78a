/**
 * A binary min-heap of integers: the scheduler and the topological sort take the ready node
 * declared first, in O(log n), so that large fragments stay fast and order stays deterministic.
 */

/** A binary min-heap of node indexes: the ready node declared first comes out first. */
export class MinHeap {
  private readonly items: number[] = [];
  /** Number of items. */
  get size(): number {
    return this.items.length;
  }
  /** Adds an index. */
  push(value: number): void {
    const a = this.items;
    a.push(value);
    for (let i = a.length - 1; i > 0; ) {
      const parent = (i - 1) >> 1;
      if ((a[parent] as number) <= value) break;
      a[i] = a[parent] as number;
      a[parent] = value;
      i = parent;
    }
  }
  /** Removes and returns the smallest index; the heap must not be empty. */
  pop(): number {
    const a = this.items;
    const top = a[0] as number;
    const last = a.pop() as number;
    if (a.length > 0) {
      a[0] = last;
      for (let i = 0; ; ) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < a.length && (a[l] as number) < (a[m] as number)) m = l;
        if (r < a.length && (a[r] as number) < (a[m] as number)) m = r;
        if (m === i) break;
        [a[i], a[m]] = [a[m] as number, a[i] as number];
        i = m;
      }
    }
    return top;
  }
}
