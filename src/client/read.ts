/**
 * Reading a task with no worker: its history (decoded) and visibility record, through the
 * frontend alone. Queries need a worker polling the task's queue; these calls never do, so
 * they work on finished tasks and with every worker down.
 */
import type { Client } from '@temporalio/client';
import { decodeHistory } from '../history/events.js';
import { taskView, type TaskView } from '../history/task-view.js';

/** Reads a task's history and builds its view (the latest run of the workflow ID). */
export async function readTaskView(client: Client, workflowId: string, nowMs: number = Date.now()): Promise<TaskView> {
  const handle = client.workflow.getHandle(workflowId);
  const description = await handle.describe();
  const history = await client.workflow.getHandle(workflowId, description.runId).fetchHistory();
  return taskView(decodeHistory(history.events ?? []), { workflowId, runId: description.runId, nowMs });
}
