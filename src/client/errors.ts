/**
 * Client errors: Temporal's errors translated into messages that say what failed and what to
 * do, with a stable code for callers that branch on them.
 */
import { ApplicationFailure, NamespaceNotFoundError, TemporalFailure, WorkflowNotFoundError } from '@temporalio/common';
import {
  isGrpcServiceError,
  QueryNotRegisteredError,
  ServiceError,
  WorkflowExecutionAlreadyStartedError,
  WorkflowFailedError,
  WorkflowUpdateFailedError,
} from '@temporalio/client';
import type { WeftConfig } from '../config.js';
import { WeftClientError } from './error.js';

export { CLIENT_ERROR_CODES, WeftClientError, type ClientErrorCode } from './error.js';

/** What the translation needs to know to write a useful message. */
export interface ErrorContext {
  readonly config: WeftConfig;
  /** The task the call was about, if any. */
  readonly workflowId?: string;
  /** How long a query may wait for a worker, for the NO_WORKER message. */
  readonly queryTimeoutMs?: number;
}

const GRPC_UNAVAILABLE = 14;
const GRPC_DEADLINE_EXCEEDED = 4;

/** The grpc status code anywhere in the cause chain, if any. */
function grpcCode(err: unknown): number | undefined {
  for (let e: unknown = err, i = 0; e !== undefined && e !== null && i < 8; e = (e as { cause?: unknown }).cause, i++) {
    if (isGrpcServiceError(e)) return e.code;
  }
  return undefined;
}

function chainText(err: unknown): string {
  const parts: string[] = [];
  for (let e: unknown = err, i = 0; e !== undefined && e !== null && i < 8; e = (e as { cause?: unknown }).cause, i++) {
    parts.push(e instanceof Error ? e.message : typeof e === 'string' ? e : JSON.stringify(e));
  }
  return parts.join(' | ');
}

/** True when the error means the server could not be reached at all. */
export function isUnreachable(err: unknown): boolean {
  if (err instanceof WeftClientError) return err.code === 'TEMPORAL_UNREACHABLE';
  const text = chainText(err);
  return (
    grpcCode(err) === GRPC_UNAVAILABLE ||
    /ECONNREFUSED|EHOSTUNREACH|ENOTFOUND|No connection established|Failed to connect|connection refused|transport error|tcp connect error/i.test(text)
  );
}

/** The innermost failure message of a workflow failure chain (the one that says what went wrong). */
export function failureMessage(err: unknown): string {
  const messages: string[] = [];
  for (let e: unknown = err, i = 0; e !== undefined && e !== null && i < 12; e = (e as { cause?: unknown }).cause, i++) {
    if (e instanceof TemporalFailure || e instanceof Error) {
      const m = e.message.trim();
      const type = e instanceof ApplicationFailure && e.type ? `${e.type}: ` : '';
      if (m !== '' && !messages.some((x) => x.endsWith(m))) messages.push(`${type}${m}`);
    }
  }
  return messages.length === 0 ? String(err) : messages[messages.length - 1]!;
}

/** Translates any error of a Temporal call into a `WeftClientError` whose message says what to do. */
export function translateError(err: unknown, ctx: ErrorContext): WeftClientError {
  if (err instanceof WeftClientError) return err;
  const { config } = ctx;
  const id = ctx.workflowId ?? '?';
  if (isUnreachable(err)) {
    return new WeftClientError(
      'TEMPORAL_UNREACHABLE',
      `cannot reach Temporal at ${config.temporalAddress}: start one with \`npx weft dev-server start\`, or set TEMPORAL_ADDRESS to your cluster`,
      { cause: err },
    );
  }
  if (err instanceof NamespaceNotFoundError || /namespace .* (is )?not found/i.test(chainText(err))) {
    return new WeftClientError(
      'NAMESPACE_NOT_FOUND',
      `namespace ${config.namespace} does not exist at ${config.temporalAddress}: create it (temporal operator namespace create ${config.namespace}) or set TEMPORAL_NAMESPACE`,
      { cause: err },
    );
  }
  if (err instanceof WorkflowNotFoundError && /already (completed|closed)/i.test(err.message)) {
    const task = err.workflowId || id;
    return new WeftClientError(
      'TASK_CLOSED',
      `task ${task} has already closed: operator actions (dlq, gate) apply to running tasks only; see what happened with weft inspect ${task}`,
      { cause: err },
    );
  }
  if (err instanceof WorkflowNotFoundError) {
    return new WeftClientError(
      'TASK_NOT_FOUND',
      `no task ${err.workflowId || id} in namespace ${config.namespace}: check the workflow ID, or set TEMPORAL_NAMESPACE if the task runs in another namespace`,
      { cause: err },
    );
  }
  if (err instanceof WorkflowExecutionAlreadyStartedError) {
    return new WeftClientError('TASK_EXISTS', `a task with ID ${err.workflowId} is already running: choose another ID, or omit --id for a fresh one`, {
      cause: err,
    });
  }
  if (err instanceof QueryNotRegisteredError) {
    return new WeftClientError('NOT_A_TASK', `${id} is not a weft task (it does not answer weft queries): ${err.message}`, { cause: err });
  }
  if (err instanceof WorkflowUpdateFailedError) {
    return new WeftClientError('REJECTED', failureMessage(err.cause ?? err), { cause: err });
  }
  if (err instanceof WorkflowFailedError) {
    return new WeftClientError('TASK_FAILED', `task ${id} ${describeFailedStatus(err)}: ${failureMessage(err.cause ?? err)}`, { cause: err });
  }
  if (grpcCode(err) === GRPC_DEADLINE_EXCEEDED || /deadline exceeded|context deadline/i.test(chainText(err))) {
    const within = ctx.queryTimeoutMs === undefined ? '' : ` within ${Math.round(ctx.queryTimeoutMs / 1000)}s`;
    return new WeftClientError(
      'NO_WORKER',
      `no worker answered for task ${id}${within}: start one with \`weft worker\` (task queue ${config.taskQueue}, namespace ${config.namespace})`,
      { cause: err },
    );
  }
  const detail = err instanceof ServiceError ? chainText(err) : failureMessage(err);
  return new WeftClientError('TEMPORAL_ERROR', `Temporal call failed${ctx.workflowId ? ` for task ${id}` : ''}: ${detail}`, { cause: err });
}

function describeFailedStatus(err: WorkflowFailedError): string {
  const cause = err.cause as { name?: string } | undefined;
  switch (cause?.name) {
    case 'TerminatedFailure':
      return 'was terminated';
    case 'CancelledFailure':
      return 'was cancelled';
    case 'TimeoutFailure':
      return 'timed out';
    case undefined:
    default:
      return 'failed';
  }
}
