/**
 * Operator updates (`weft.operate`, `weft.gate`) need a worker to run the workflow's update
 * handler; with none polling, Temporal holds the request until one comes back (minutes, hours).
 * So an update first checks that the task runs and that a worker polled its queue lately, and
 * then waits at most a bounded time; either failure says which task queue needs a worker.
 */
import type { Client } from '@temporalio/client';
import proto from '@temporalio/proto';
import type { WeftConfig } from '../config.js';
import { WeftClientError } from './errors.js';

const { TaskQueueKind, TaskQueueType } = proto.temporal.api.enums.v1;

/** How recently a worker must have polled to count as present: longer than one long poll (about a minute). */
export const POLLER_FRESH_MS = 90_000;

/** The error for an update nobody will run, naming the queue and what to do. */
export function noWorkerForUpdate(workflowId: string, taskQueue: string, config: WeftConfig, why: string): WeftClientError {
  return new WeftClientError(
    'NO_WORKER',
    `no worker polls task queue ${taskQueue} (namespace ${config.namespace}) for task ${workflowId}: ${why}. ` +
      `Start one with \`weft worker\` (WEFT_TASK_QUEUE=${taskQueue}), then repeat the command. Reading the task needs no worker: weft inspect ${workflowId}`,
  );
}

/** When a worker last polled the queue for workflow tasks (epoch ms), or null for never / not lately. */
export async function lastPoll(client: Client, namespace: string, taskQueue: string): Promise<number | null> {
  const res = await client.workflowService.describeTaskQueue({
    namespace,
    taskQueue: { name: taskQueue, kind: TaskQueueKind.TASK_QUEUE_KIND_NORMAL },
    taskQueueType: TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW,
  });
  let latest: number | null = null;
  for (const p of res.pollers ?? []) {
    const t = p.lastAccessTime;
    if (!t) continue;
    const ms = Number(t.seconds ?? 0) * 1000 + Math.floor((t.nanos ?? 0) / 1e6);
    if (latest === null || ms > latest) latest = ms;
  }
  return latest;
}

/**
 * Runs an update with the checks above: the task is running, a worker polled its queue within
 * `POLLER_FRESH_MS`, and the update completes within `timeoutMs`.
 */
export async function boundedUpdate<T>(
  client: Client,
  config: WeftConfig,
  workflowId: string,
  timeoutMs: number,
  send: () => Promise<T>,
  nowMs: () => number = Date.now,
): Promise<T> {
  const description = await client.workflow.getHandle(workflowId).describe();
  if (description.status.name !== 'RUNNING') {
    throw new WeftClientError(
      'TASK_CLOSED',
      `task ${workflowId} has already closed: operator actions (dlq, gate) apply to running tasks only; see what happened with weft inspect ${workflowId}`,
    );
  }
  const queue = description.taskQueue;
  const polled = await lastPoll(client, config.namespace, queue);
  if (polled === null || nowMs() - polled > POLLER_FRESH_MS) {
    const since = polled === null ? 'no worker has polled it' : `the last poll was ${Math.round((nowMs() - polled) / 1000)} s ago`;
    throw noWorkerForUpdate(workflowId, queue, config, since);
  }
  try {
    return await client.connection.withDeadline(nowMs() + timeoutMs, send);
  } catch (err) {
    if (/deadline exceeded|DEADLINE_EXCEEDED|context deadline/i.test(String((err as Error)?.message ?? err)) || (err as { code?: number }).code === 4) {
      throw noWorkerForUpdate(
        workflowId,
        queue,
        config,
        `no answer within ${Math.round(timeoutMs / 1000)} s (the request may still be applied when a worker takes it; check with weft inspect ${workflowId} before repeating)`,
      );
    }
    throw err;
  }
}
