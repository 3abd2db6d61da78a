/**
 * Ready-set execution in workflow code: start every node whose dependencies are complete, up to
 * `concurrency` at once, in declaration order; wait for any to finish; repeat.
 */
import { taskFailure } from './failures.js';

/** A node to run and the nodes (of the same set) it waits for. */
export interface ReadyNode {
  readonly name: string;
  readonly dependencies: readonly string[];
}

/** Runs all nodes; rejects with the first failure. */
export async function runReadySet(nodes: readonly ReadyNode[], concurrency: number, run: (name: string) => Promise<void>): Promise<void> {
  const done = new Set<string>();
  const started = new Set<string>();
  const running = new Map<string, Promise<string>>();
  const limit = Math.max(1, concurrency);
  for (;;) {
    for (const node of nodes) {
      if (running.size >= limit) break;
      if (started.has(node.name) || !node.dependencies.every((d) => done.has(d))) continue;
      started.add(node.name);
      running.set(node.name, run(node.name).then(() => node.name));
    }
    if (running.size === 0) break;
    const finished = await Promise.race(running.values());
    running.delete(finished);
    done.add(finished);
  }
  if (done.size !== nodes.length) {
    const stuck = nodes.filter((n) => !done.has(n.name)).map((n) => n.name);
    throw taskFailure('WEFT_INTERNAL', `Steps ${stuck.join(', ')} never became ready (a cycle or an unknown dependency slipped past validation).`);
  }
}
