/**
 * Ready-set execution in workflow code: the pure `ReadySetScheduler` decides what starts (as
 * soon as its dependencies are complete, in declaration order, up to `concurrency`); this loop
 * starts it, waits for any to finish, and reports back.
 */
import { patched } from '@temporalio/workflow';
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
  if (patched(READY_SET_PATCH)) return drain(scheduler, run);
  const running = new Map<string, Promise<string>>();
  for (;;) {
    for (const name of scheduler.next()) running.set(name, run(name).then(() => name));
    if (running.size === 0) break;
    const finished = await Promise.race(running.values());
    running.delete(finished);
    scheduler.complete(finished);
  }
}

/** Patch ID of waiting for the next finished step without `Promise.race`. */
export const READY_SET_PATCH = 'weft-ready-set-without-race';

/** A started step and how it ended, once it has. */
interface Running {
  settled: boolean;
  failed: boolean;
  error: unknown;
}

/**
 * The loop without `Promise.race`. The workflow sandbox records a stack trace for every promise
 * it creates, and racing every running step after each completion makes one promise per running
 * step per completion: at a concurrency of 100 that dominated the workflow's CPU. Here each step
 * settles into a flag once, and the loop takes the first settled step in start order.
 */
async function drain(scheduler: ReadySetScheduler, run: (name: string) => Promise<void>): Promise<void> {
  const running = new Map<string, Running>();
  let wake: (() => void) | null = null;
  const settle = (entry: Running, error?: { readonly error: unknown }): void => {
    entry.settled = true;
    if (error) {
      entry.failed = true;
      entry.error = error.error;
    }
    wake?.();
  };
  for (;;) {
    for (const name of scheduler.next()) {
      const entry: Running = { settled: false, failed: false, error: undefined };
      running.set(name, entry);
      run(name).then(
        () => settle(entry),
        (error: unknown) => settle(entry, { error }),
      );
    }
    if (running.size === 0) return;
    let finished = firstSettled(running);
    while (!finished) {
      await new Promise<void>((resolve) => (wake = resolve));
      wake = null;
      finished = firstSettled(running);
    }
    const [name, entry] = finished;
    running.delete(name);
    if (entry.failed) throw entry.error;
    scheduler.complete(name);
  }
}

function firstSettled(running: ReadonlyMap<string, Running>): [string, Running] | undefined {
  for (const item of running) if (item[1].settled) return item;
  return undefined;
}
