/**
 * A deliberately changed `weftTask`: it sleeps before doing anything. Replaying a saved history
 * against it must fail with a determinism error — proof that the replay tests can fail.
 */
import { sleep } from '@temporalio/workflow';
import { weftTask as original } from '../../../workflows/task.js';
import type { TaskInput, TaskResult } from '../../../workflows/definitions.js';

/** The changed workflow, registered under the same type name. */
export async function weftTask(input: TaskInput): Promise<TaskResult> {
  await sleep(1);
  return original(input);
}
