/**
 * Reading a task's step table through its worker, page by page: the table of a task with
 * thousands of steps is larger than Temporal allows one query result (2 MB). A task that runs
 * steps in slices (child workflows) learns how they went when a slice ends; until then the
 * running slices answer for their own steps.
 */
import { QueryNotRegisteredError, WorkflowNotFoundError, type WorkflowHandle } from '@temporalio/client';
import type { StepRecord } from '../core/steps.js';
import { slicesQuery, stepsPageQuery, stepsQuery } from '../../workflows/definitions.js';

type Queryable = Pick<WorkflowHandle, 'query'>;

/** Nested slices (a fan-out inside a slice) are read this deep, no deeper. */
const SLICE_DEPTH = 3;

/**
 * The whole step table of a task: `weft.steps.page` until the last page; from a worker that
 * predates pages, `weft.steps` in one piece. With `sliceHandle`, the steps of the slices running
 * now are read from the slices (`weft.slices`, then `weft.steps` on each), so a step shows as it
 * is rather than `pending` until its slice ends.
 * @example const steps = await readStepTable(client.workflow.getHandle(id), (slice) => client.workflow.getHandle(slice));
 */
export async function readStepTable(handle: Queryable, sliceHandle?: (workflowId: string) => Queryable): Promise<StepRecord[]> {
  const table = await readPages(handle);
  if (!sliceHandle || !table.some((s) => s.state === 'pending' || s.state === 'running' || s.state === 'parked')) return table;
  const live = await runningSliceSteps(handle, sliceHandle, SLICE_DEPTH);
  return live.size === 0 ? table : table.map((r) => live.get(r.name) ?? r);
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

/** The records of the steps in the slices that `handle` runs now (and in theirs), by step name. */
async function runningSliceSteps(handle: Queryable, open: (workflowId: string) => Queryable, depth: number): Promise<Map<string, StepRecord>> {
  const out = new Map<string, StepRecord>();
  let slices: string[];
  try {
    slices = await handle.query(slicesQuery);
  } catch (err) {
    // Workers before `weft.slices` run no slices, or do not say which: the task's table stands.
    if (err instanceof QueryNotRegisteredError) return out;
    throw err;
  }
  const answers = await Promise.all(
    slices.map(async (id) => {
      const slice = open(id);
      try {
        const records = await slice.query(stepsQuery);
        const nested = depth > 1 ? await runningSliceSteps(slice, open, depth - 1) : new Map<string, StepRecord>();
        const merged = new Map(records.map((r) => [r.name, r]));
        for (const [name, r] of nested) merged.set(name, r);
        return [...merged.values()];
      } catch (err) {
        // A slice gone since the task named it (retention) leaves its steps as the task last heard.
        if (err instanceof WorkflowNotFoundError) return [];
        throw err;
      }
    }),
  );
  for (const records of answers) for (const r of records) out.set(r.name, r);
  return out;
}
