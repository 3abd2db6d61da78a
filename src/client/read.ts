/**
 * Reading a task with no worker: its histories (decoded) and visibility record, through the
 * frontend alone. Queries need a worker polling the task's queue; these calls never do, so
 * they work on finished tasks and with every worker down.
 *
 * A task can be more than one history: a long task continues as new (a chain of runs under its
 * workflow ID), and a large plan runs part of its steps in slices (child workflows). The reader
 * fetches them all and the view joins them, so operators see the task's steps wherever they ran.
 */
import { isGrpcServiceError, type Client } from '@temporalio/client';
import { WorkflowNotFoundError } from '@temporalio/common';
import { decodeHistory, type WeftEvent } from '../history/events.js';
import { SLICE_TYPE, type HistoryPart } from '../history/histories.js';
import { taskView, type TaskView } from '../history/task-view.js';

/** Slice histories fetched at once: enough to read thousands of slices quickly, few enough to spare the frontend. */
export const SLICE_FETCH_CONCURRENCY = 8;

const GRPC_NOT_FOUND = 5;

/** True when the workflow (or run) does not exist: a child not started yet, a run past retention. */
function isNotFound(err: unknown): boolean {
  return err instanceof WorkflowNotFoundError || (isGrpcServiceError(err) && Number(err.code) === GRPC_NOT_FOUND);
}

async function historyOf(client: Client, workflowId: string, runId: string): Promise<WeftEvent[]> {
  const history = await client.workflow.getHandle(workflowId, runId).fetchHistory();
  return decodeHistory(history.events ?? []);
}

/** The run a history's run continues, if it continued one. */
function continues(events: readonly WeftEvent[]): string | null {
  const started = events[0]?.kind === 'started' ? events[0] : events.find((e) => e.kind === 'started');
  return started?.kind === 'started' ? (started.continuedExecutionRunId ?? null) : null;
}

/**
 * The earlier runs of a task, oldest first, walking back from `events` (a run's history) along
 * `continuedExecutionRunId`. A run the server no longer has (past retention) ends the walk.
 */
export async function readEarlierRuns(client: Client, workflowId: string, events: readonly WeftEvent[]): Promise<HistoryPart[]> {
  const earlier: HistoryPart[] = [];
  const seen = new Set<string>();
  for (let runId = continues(events); runId !== null && !seen.has(runId); ) {
    seen.add(runId);
    let run: WeftEvent[];
    try {
      run = await historyOf(client, workflowId, runId);
    } catch (err) {
      if (isNotFound(err)) break;
      throw err;
    }
    earlier.unshift({ workflowId, runId, events: run });
    runId = continues(run);
  }
  return earlier;
}

/** The slices the histories started (`weftSlice` children), as far as they know them. */
function slicesOf(events: readonly WeftEvent[]): { workflowId: string; runId: string | null }[] {
  const out = new Map<number, { workflowId: string; runId: string | null }>();
  for (const e of events) {
    if (e.kind === 'child-initiated' && e.workflowType === SLICE_TYPE) out.set(e.id, { workflowId: e.workflowId, runId: null });
    else if ((e.kind === 'child-started' || e.kind === 'child-closed') && out.has(e.initiatedId)) {
      const c = out.get(e.initiatedId)!;
      if (e.kind === 'child-closed' && e.status === 'START_FAILED') out.delete(e.initiatedId);
      else c.runId ??= e.runId;
    }
  }
  return [...out.values()];
}

/**
 * The histories of every slice the given histories started, and of the slices those started,
 * `SLICE_FETCH_CONCURRENCY` at a time. A slice initiated but not started yet has no history and
 * is left out; one whose run is not known yet is read at its latest run.
 */
export async function readSlices(client: Client, histories: readonly (readonly WeftEvent[])[]): Promise<HistoryPart[]> {
  const queue = histories.flatMap(slicesOf);
  const seen = new Set<string>();
  const out: HistoryPart[] = [];
  const one = async (c: { workflowId: string; runId: string | null }): Promise<void> => {
    try {
      const runId = c.runId ?? (await client.workflow.getHandle(c.workflowId).describe()).runId;
      const key = `${c.workflowId}\n${runId}`;
      if (seen.has(key)) return;
      seen.add(key);
      const events = await historyOf(client, c.workflowId, runId);
      out.push({ workflowId: c.workflowId, runId, events });
      queue.push(...slicesOf(events));
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
  };
  // A pool: each worker takes the next slice until none is left (a slice read may add its own).
  let active = 0;
  await new Promise<void>((resolve, reject) => {
    let failed = false;
    const next = (): void => {
      if (failed) return;
      while (active < SLICE_FETCH_CONCURRENCY && queue.length > 0) {
        const c = queue.shift()!;
        active++;
        one(c).then(
          () => {
            active--;
            next();
          },
          (err: unknown) => {
            failed = true;
            reject(err instanceof Error ? err : new Error(String(err)));
          },
        );
      }
      if (active === 0 && queue.length === 0) resolve();
    };
    next();
  });
  return out;
}

/**
 * Reads a task's view: the latest run of the workflow ID, every earlier run of it (continue-as-
 * new) and every slice's history (child workflows), joined into one view of the task.
 */
export async function readTaskView(client: Client, workflowId: string, nowMs: number = Date.now()): Promise<TaskView> {
  const description = await client.workflow.getHandle(workflowId).describe();
  const events = await historyOf(client, workflowId, description.runId);
  const earlierRuns = await readEarlierRuns(client, workflowId, events);
  const slices = await readSlices(client, [...earlierRuns.map((r) => r.events), events]);
  return taskView(events, { workflowId, runId: description.runId, nowMs, earlierRuns, slices });
}
