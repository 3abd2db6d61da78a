/**
 * The baseline for the orchestration-overhead benchmark: a hand-written workflow running a DAG
 * of no-op activities with `Promise.all` by dependency — what a developer would write by hand.
 */
import { proxyActivities } from '@temporalio/workflow';

/** A DAG node for the baseline. */
export interface StaticNode {
  readonly name: string;
  readonly dependencies: readonly string[];
}

const { noop } = proxyActivities<{ noop(input: { step: string }): Promise<{ ok: boolean }> }>({
  startToCloseTimeout: '1 minute',
});

/**
 * Runs a `start` activity, then every node once its dependencies have finished, then a `done`
 * activity: the same frame as the weft template, minus the planning call.
 */
export async function staticDag(nodes: readonly StaticNode[]): Promise<number> {
  await noop({ step: 'start' });
  const done = new Map<string, Promise<unknown>>();
  for (const n of nodes) {
    const deps = n.dependencies.map((d) => done.get(d) ?? Promise.resolve());
    done.set(n.name, Promise.all(deps).then(() => noop({ step: n.name })));
  }
  await Promise.all(done.values());
  await noop({ step: 'done' });
  return done.size;
}
