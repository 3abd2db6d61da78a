/**
 * Reading a task's step table through its worker, page by page: the table of a task with
 * thousands of steps is larger than Temporal allows one query result (2 MB). A task that runs
 * steps in slices (child workflows) learns how they went when a slice ends; until then the
 * running slices answer for their own steps.
 */
import { QueryNotRegisteredError, WorkflowNotFoundError, type QueryDefinition, type WorkflowHandle } from '@temporalio/client';
import type { StepRecord } from '../core/steps.js';
import { slicesQuery, stepQuery, stepsPageQuery, stepsQuery, type StepDetail } from '../../workflows/definitions.js';

type Queryable = Pick<WorkflowHandle, 'query'>;

/** Nested slices (a fan-out inside a slice) are read this deep, no deeper. */
const SLICE_DEPTH = 3;

/** States in which a step's record in the task may be behind its slice's. */
const LIVE_STATES: ReadonlySet<StepRecord['state']> = new Set(['pending', 'running', 'parked']);

/**
 * The whole step table of a task: `weft.steps.page` until the last page; from a worker that
 * predates pages, `weft.steps` in one piece. With `sliceHandle`, the steps of the slices running
 * now are read from the slices (`weft.slices`, then `weft.steps` on each), so a step shows as it
 * is rather than `pending` until its slice ends.
 * @example const steps = await readStepTable(client.workflow.getHandle(id), (slice) => client.workflow.getHandle(slice));
 */
export async function readStepTable(handle: Queryable, sliceHandle?: (workflowId: string) => Queryable): Promise<StepRecord[]> {
  const table = await readPages(handle);
  if (!sliceHandle || !table.some((s) => LIVE_STATES.has(s.state))) return table;
  const slices = await runningSlices(handle, sliceHandle, SLICE_DEPTH);
  const answers = await Promise.all(slices.map((slice) => askSlice(slice, stepsQuery)));
  // Outer slices first: a nested slice's records are the fresher.
  const live = new Map<string, StepRecord>();
  for (const records of answers) for (const r of records ?? []) live.set(r.name, r);
  return live.size === 0 ? table : table.map((r) => live.get(r.name) ?? r);
}

/**
 * One step with its input and output: the task's answer, or, while the step runs in a slice,
 * the slice's.
 */
export async function readStepDetail(handle: Queryable, name: string, sliceHandle: (workflowId: string) => Queryable): Promise<StepDetail | null> {
  const detail = await handle.query(stepQuery, name);
  if (!detail || !LIVE_STATES.has(detail.record.state)) return detail;
  // The innermost slice holding the step knows it best.
  for (const slice of (await runningSlices(handle, sliceHandle, SLICE_DEPTH)).reverse()) {
    const there = await askSlice(slice, stepQuery, name);
    if (there) return there;
  }
  return detail;
}

async function readPages(handle: Queryable): Promise<StepRecord[]> {
  const out: StepRecord[] = [];
  for (let from: number | null = 0; from !== null; ) {
    let page;
    try {
      page = await handle.query(stepsPageQuery, from);
    } catch (err) {
      // Workers before pages answer only the whole table (and an unknown query this way).
      if (from === 0 && err instanceof QueryNotRegisteredError) return handle.query(stepsQuery);
      throw err;
    }
    out.push(...page.records);
    // A page always moves on; the guard keeps a misbehaving answer from looping forever.
    from = page.next !== null && page.next > from ? page.next : null;
  }
  return out;
}

/** Handles on the slices `handle` runs now and, `depth` levels down, the slices they run; outer first. */
async function runningSlices(handle: Queryable, open: (workflowId: string) => Queryable, depth: number): Promise<Queryable[]> {
  if (depth === 0) return [];
  // Workers before `weft.slices` run no slices, or do not say which: the task's table stands.
  const ids = (await askSlice(handle, slicesQuery)) ?? [];
  const slices = ids.map(open);
  const nested = await Promise.all(slices.map((s) => runningSlices(s, open, depth - 1)));
  return [...slices, ...nested.flat()];
}

/** A query to a slice; null when the slice is gone since the task named it (retention) or cannot answer it. */
async function askSlice<R, A extends unknown[]>(slice: Queryable, query: QueryDefinition<R, A>, ...args: A): Promise<R | null> {
  try {
    return await slice.query(query, ...args);
  } catch (err) {
    if (err instanceof WorkflowNotFoundError || err instanceof QueryNotRegisteredError) return null;
    throw err;
  }
}
