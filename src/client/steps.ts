/**
 * Reading a task's step table through its worker, page by page: the table of a task with
 * thousands of steps is larger than Temporal allows one query result (2 MB).
 */
import { QueryNotRegisteredError, type WorkflowHandle } from '@temporalio/client';
import type { StepRecord } from '../core/steps.js';
import { stepsPageQuery, stepsQuery } from '../../workflows/definitions.js';

/**
 * The whole step table of a task: `weft.steps.page` until the last page; from a worker that
 * predates pages, `weft.steps` in one piece.
 * @example const steps = await readStepTable(client.workflow.getHandle(workflowId));
 */
export async function readStepTable(handle: Pick<WorkflowHandle, 'query'>): Promise<StepRecord[]> {
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
