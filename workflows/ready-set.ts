/**
 * Ready-set execution in workflow code: the pure `ReadySetScheduler` decides what starts (as
 * soon as its dependencies are complete, in declaration order, up to `concurrency`); this loop
 * starts it, waits for any to finish, and reports back.
 */
import type { DagNode } from '../src/core/dag.js';
import { ReadySetScheduler } from '../src/core/ready-set.js';
import { taskFailure } from './failures.js';

/** Runs all nodes; rejects with the first failure. */
export async function runReadySet(nodes: readonly DagNode[], concurrency: number, run: (name: string) => Promise<void>): Promise<void> {
  let scheduler: ReadySetScheduler;
  try {
    scheduler = new ReadySetScheduler(nodes, { concurrency: Math.max(1, concurrency) });
  } catch (e) {
    // Validation and template compilation rule these out; reaching here is a weft bug.
    throw taskFailure('WEFT_INTERNAL', `Cannot schedule the steps: ${(e as Error).message}`);
  }
  const running = new Map<string, Promise<string>>();
  for (;;) {
    for (const name of scheduler.next()) running.set(name, run(name).then(() => name));
    if (running.size === 0) break;
    const finished = await Promise.race(running.values());
    running.delete(finished);
    scheduler.complete(finished);
  }
}
