/**
 * Slices: how a plan larger than one workflow history is cut into child workflows. A planned
 * sub-DAG or a fan-out with more steps than one run should hold is cut into slices of at most
 * `SLICE_STEPS` steps, each run by a `weftSlice` child workflow; the slices themselves form a DAG
 * (a slice waits for the slices holding its steps' dependencies). Pure, sandbox-safe.
 */
import { topologicalOrder, type DagNode } from './dag.js';
import { findReferences } from './references.js';
import type { JsonValue } from './json.js';

/**
 * Steps a run keeps in its own history at most before the rest goes to slices. Each step costs
 * about 3.3 events and 1.1 KB (scheduled, started, completed, its share of workflow tasks): 500
 * steps are about 1,700 events, well inside Temporal's 51,200-event and 50 MB limits and its
 * advice to keep pending activities per run in the hundreds.
 */
export const INLINE_STEPS = 500;

/** Steps one slice (one child workflow) runs at most. */
export const SLICE_STEPS = 500;

/** Concurrent steps a slice gets at least, when a concurrency limit is shared among slices. */
const MIN_STEPS_PER_SLICE = 10;

/** One slice: its steps (in a topological order) and the slices it waits for. */
export interface SliceSpec {
  readonly index: number;
  /** `<owner>#<index>`: the slice's name in its node of the slice DAG and in its workflow ID. */
  readonly name: string;
  readonly steps: readonly string[];
  /** Names of the slices holding dependencies of these steps. */
  readonly dependencies: readonly string[];
}

/** How a task cuts its steps: how many run inline at most, how many a slice runs. */
export interface SliceLimits {
  readonly stepsInline?: number;
  readonly stepsPerSlice?: number;
}

/** True when `steps` steps are too many to run in the task's own history. */
export function needsSlices(steps: number, limits: SliceLimits = {}): boolean {
  return steps > Math.max(1, limits.stepsInline ?? INLINE_STEPS);
}

/** Steps per slice under `limits`. */
export function stepsPerSlice(limits: SliceLimits = {}): number {
  return Math.max(1, limits.stepsPerSlice ?? SLICE_STEPS);
}

/**
 * Cuts a DAG into slices of at most `size` steps along a topological order, so every slice
 * depends only on earlier ones (the slice DAG has no cycle).
 * @example sliceDag([{ name: 'a', dependencies: [] }, { name: 'b', dependencies: ['a'] }], 'plan', 1)
 * // [{ index: 0, name: 'plan#0', steps: ['a'], dependencies: [] }, { index: 1, name: 'plan#1', steps: ['b'], dependencies: ['plan#0'] }]
 */
export function sliceDag(nodes: readonly DagNode[], owner: string, size: number = SLICE_STEPS): SliceSpec[] {
  const order = topologicalOrder(nodes);
  const byName = new Map(nodes.map((n) => [n.name, n]));
  const sliceOf = new Map<string, number>();
  const slices: SliceSpec[] = [];
  for (let start = 0, index = 0; start < order.length; start += size, index++) {
    const steps = order.slice(start, start + size);
    for (const s of steps) sliceOf.set(s, index);
    const deps = new Set<number>();
    for (const s of steps) {
      for (const d of byName.get(s)?.dependencies ?? []) {
        const at = sliceOf.get(d);
        if (at !== undefined && at !== index) deps.add(at);
      }
    }
    slices.push({ index, name: sliceName(owner, index), steps, dependencies: [...deps].sort((a, b) => a - b).map((i) => sliceName(owner, i)) });
  }
  return slices;
}

/** Cuts independent steps (a fan-out's partitions) into slices of at most `size`, in order. */
export function sliceList(names: readonly string[], owner: string, size: number = SLICE_STEPS): SliceSpec[] {
  const slices: SliceSpec[] = [];
  for (let start = 0, index = 0; start < names.length; start += size, index++) {
    slices.push({ index, name: sliceName(owner, index), steps: names.slice(start, start + size), dependencies: [] });
  }
  return slices;
}

function sliceName(owner: string, index: number): string {
  return `${owner}#${index}`;
}

/**
 * How a concurrency limit of steps is shared: how many slices run at once and how many steps
 * each runs at once, so that together they stay within the limit (each gets at least
 * `MIN_STEPS_PER_SLICE` unless the limit itself is smaller).
 * @example shareConcurrency(100, 20) // { slices: 10, perSlice: 10 }
 */
export function shareConcurrency(concurrency: number, slices: number): { slices: number; perSlice: number } {
  const limit = Math.max(1, concurrency);
  const running = Math.max(1, Math.min(slices, Math.floor(limit / MIN_STEPS_PER_SLICE)));
  return { slices: running, perSlice: Math.max(1, Math.floor(limit / running)) };
}

/** Names of the steps whose outputs `values` reference (`${steps.<name>...}`), in first-seen order. */
export function referencedSteps(values: readonly JsonValue[]): string[] {
  const seen = new Set<string>();
  for (const v of values) {
    for (const r of findReferences(v).references) if (r.reference.source.kind === 'step') seen.add(r.reference.source.step);
  }
  return [...seen];
}

/** The child workflow ID of a slice: the task's ID, the owning step and the slice index. */
export function sliceWorkflowId(taskWorkflowId: string, slice: Pick<SliceSpec, 'name'>): string {
  return `${taskWorkflowId}/${slice.name}`;
}
