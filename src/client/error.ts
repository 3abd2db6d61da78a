/**
 * The weft client's error class and its codes, apart from the translation of Temporal's errors
 * (`errors.ts`), so that code that only reports client errors (the CLI) does not load the
 * Temporal client.
 */

/** Every client error code, with when it is raised. */
export const CLIENT_ERROR_CODES = {
  TEMPORAL_UNREACHABLE: 'the Temporal frontend does not answer at the configured address',
  NAMESPACE_NOT_FOUND: 'the configured namespace does not exist on the server',
  TASK_NOT_FOUND: 'no workflow with that ID in the namespace',
  TASK_EXISTS: 'a workflow with that ID is already running',
  TASK_CLOSED: 'an update was sent to a task that has already closed',
  NOT_A_TASK: 'the workflow is not a weft task (it does not answer weft queries)',
  NO_WORKER: 'no worker answered a query in time',
  REJECTED: 'the workflow rejected an update (its validator said why)',
  TASK_FAILED: 'the task failed, was terminated, cancelled or timed out',
  TEMPORAL_ERROR: 'any other error from Temporal',
} as const;

/** A stable client error code. */
export type ClientErrorCode = keyof typeof CLIENT_ERROR_CODES;

/** An error from the weft client: `message` says what failed and what to do. */
export class WeftClientError extends Error {
  override readonly name = 'WeftClientError';
  constructor(
    readonly code: ClientErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

