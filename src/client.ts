/**
 * The typed client API: start weft tasks, await results, read their step table, budget and
 * planning records, and act on parked steps and gates. Errors come back as `WeftClientError`s whose
 * messages say what to do.
 * @example
 * const weft = await WeftClient.connect();
 * const handle = await weft.start('order-triage', {});
 * console.log(weft.uiUrl(handle.workflowId));
 * const result = await weft.result(handle.workflowId);
 * await weft.close();
 */
import { randomUUID } from 'node:crypto';
import { Client, Connection, type WorkflowExecutionInfo, type WorkflowHandle, type WorkflowHandleWithFirstExecutionRunId } from '@temporalio/client';
import {
  budgetQuery,
  gateUpdate,
  operateUpdate,
  planningQuery,
  stateQuery,
  TASK_WORKFLOW_TYPE,
  type BudgetView,
  type GateDecision,
  type OperateRequest,
  type PlanningAttempt,
  type RunLimits,
  type StepDetail,
  type TaskInput,
  type TaskResult,
  type TaskState,
} from '../workflows/definitions.js';
import { translateError, WeftClientError } from './client/errors.js';
import { readTaskView } from './client/read.js';
import { readStepDetail, readStepTable } from './client/steps.js';
import { boundedUpdate } from './client/updates.js';
import type { TaskView } from './history/task-view.js';
import { tlsOptions } from './client/tls.js';
import { historyUrl, taskUrl, uiBase } from './client/ui.js';
import { loadConfig, type WeftConfig } from './config.js';
import type { JsonValue } from './core/json.js';
import type { CompiledPlan } from './core/plan.js';
import { SA } from './core/search-attributes.js';
import type { StepRecord } from './core/steps.js';
import { traceMemo } from './telemetry/trace-context.js';

export { WeftClientError, CLIENT_ERROR_CODES, type ClientErrorCode } from './client/errors.js';

/** The generic task workflow's signature, for typed handles. */
export type WeftTaskWorkflow = (start: TaskInput) => Promise<TaskResult>;

/** The handle `start` returns. */
export type TaskHandle = WorkflowHandleWithFirstExecutionRunId<WeftTaskWorkflow>;

/** Options of `start` and `startPlan`. */
export interface StartOptions {
  /** Workflow ID; default `<template>-<8 hex>`. */
  readonly workflowId?: string;
  /** How the task cuts plans larger than one history into slices and when it continues as new (defaults suit most tasks). */
  readonly limits?: RunLimits;
}

/** One task as visibility lists it. */
export interface TaskSummary {
  readonly workflowId: string;
  readonly runId: string;
  /** Temporal's execution status: RUNNING, COMPLETED, FAILED, ... */
  readonly status: string;
  /** `WeftTemplate`, when set. */
  readonly template: string | null;
  /** `WeftState`, when set. */
  readonly state: string | null;
  readonly startTime: Date;
  readonly closeTime: Date | null;
}

/** Client settings beyond the environment configuration. */
export interface WeftClientOptions {
  /** How long a query waits for a worker before failing with NO_WORKER (default 10 s). */
  readonly queryTimeoutMs?: number;
  /** How long an operator update waits for a worker before failing with NO_WORKER (default 20 s). */
  readonly updateTimeoutMs?: number;
  /** Environment for `WEFT_UI_URL` (default `process.env`). */
  readonly env?: Readonly<Record<string, string | undefined>>;
}

/**
 * gRPC channel settings of weft's connections. Responses from the server may be as large as a
 * history page, and one page of a task with a few thousand planned steps passes 4 MB: grpc-js
 * refuses larger messages by default. `@temporalio/client` means to allow 128 MB (as the other
 * SDKs do) but sets it under a key grpc-js does not read (`max_receive_message_length`, without
 * `grpc.`), so the 4 MB default stays in force; this sets the key grpc-js reads.
 */
export const CHANNEL_ARGS = { 'grpc.max_receive_message_length': 128 * 1024 * 1024 } as const;

/** The visibility query for tasks with a parked step. */
export const PARKED_QUERY = `WeftState = 'parked' AND ExecutionStatus = 'Running'`;

/** Typed access to weft tasks over `@temporalio/client`. */
export class WeftClient {
  /** The Web UI base URL (no trailing slash). */
  readonly uiBase: string;
  private readonly queryTimeoutMs: number;
  private readonly updateTimeoutMs: number;

  /** Wraps an existing Temporal client; `connect` is the usual way in. */
  constructor(
    readonly client: Client,
    readonly config: WeftConfig,
    options: WeftClientOptions = {},
  ) {
    this.queryTimeoutMs = options.queryTimeoutMs ?? 10_000;
    this.updateTimeoutMs = options.updateTimeoutMs ?? 20_000;
    this.uiBase = uiBase(config, options.env);
  }

  /**
   * Connects to Temporal as configured (address, namespace, TLS). Fails with TEMPORAL_UNREACHABLE
   * when nothing answers at the address.
   */
  static async connect(config: WeftConfig = loadConfig(), options: WeftClientOptions = {}): Promise<WeftClient> {
    const tls = await tlsOptions(config);
    let connection: Connection;
    try {
      connection = await Connection.connect({ address: config.temporalAddress, ...(tls ? { tls } : {}), connectTimeout: '5s', channelArgs: CHANNEL_ARGS });
    } catch (err) {
      throw translateError(err, { config });
    }
    return new WeftClient(new Client({ connection, namespace: config.namespace }), config, options);
  }

  /** Starts a task of a template the workers have registered. */
  async start(template: string, input: JsonValue = {}, options: StartOptions = {}): Promise<TaskHandle> {
    return this.startTask(template, { template, input, ...(options.limits ? { limits: options.limits } : {}) }, options);
  }

  /** Starts a task with a compiled plan given inline (no worker-side registration needed). */
  async startPlan(plan: CompiledPlan, input: JsonValue = {}, options: StartOptions = {}): Promise<TaskHandle> {
    return this.startTask(plan.name, { plan, input, ...(options.limits ? { limits: options.limits } : {}) }, options);
  }

  private async startTask(template: string, start: TaskInput, options: StartOptions): Promise<TaskHandle> {
    const workflowId = options.workflowId ?? `${template}-${randomUUID().slice(0, 8)}`;
    try {
      return await this.client.workflow.start<WeftTaskWorkflow>(TASK_WORKFLOW_TYPE, {
        args: [start],
        workflowId,
        taskQueue: this.config.taskQueue,
        typedSearchAttributes: [{ key: SA.template, value: template }],
        staticSummary: `weft ${template}`,
        memo: traceMemo(), // the starter's trace, when one is active: the task's spans join it
      });
    } catch (err) {
      throw translateError(err, { config: this.config, workflowId });
    }
  }

  /** A handle on a task (latest run). */
  handle(workflowId: string): WorkflowHandle<WeftTaskWorkflow> {
    return this.client.workflow.getHandle<WeftTaskWorkflow>(workflowId);
  }

  /** Waits for a task's result; a failed task throws TASK_FAILED with the failure's message. */
  async result(workflowId: string): Promise<TaskResult> {
    return this.call(workflowId, () => this.handle(workflowId).result());
  }

  /** The step table with states and provenance (layer 1); steps in running slices as they are now. */
  steps(workflowId: string): Promise<StepRecord[]> {
    return this.query(workflowId, () => readStepTable(this.handle(workflowId), (slice) => this.client.workflow.getHandle(slice)));
  }

  /** The budget ledger, what remains, and the one-line summary. */
  budget(workflowId: string): Promise<BudgetView> {
    return this.query(workflowId, () => this.handle(workflowId).query(budgetQuery));
  }

  /** Every planning attempt, accepted or not (layers 2 and 3). */
  planning(workflowId: string): Promise<PlanningAttempt[]> {
    return this.query(workflowId, () => this.handle(workflowId).query(planningQuery));
  }

  /** One step with its input and output (layer 4), from its slice while one runs it; null when the task has no such step. */
  step(workflowId: string, name: string): Promise<StepDetail | null> {
    return this.query(workflowId, () => readStepDetail(this.handle(workflowId), name, (slice) => this.client.workflow.getHandle(slice)));
  }

  /** The task's state as the workflow sees it. */
  state(workflowId: string): Promise<TaskState> {
    return this.query(workflowId, () => this.handle(workflowId).query(stateQuery));
  }

  /**
   * Acts on a parked step: retry, skip with an output, or fail. Rejections say why; with no
   * worker on the task's queue it fails fast (NO_WORKER, naming the queue).
   */
  operate(workflowId: string, request: OperateRequest): Promise<{ step: string; state: string }> {
    return this.call(workflowId, () =>
      boundedUpdate(this.client, this.config, workflowId, this.updateTimeoutMs, () => this.handle(workflowId).executeUpdate(operateUpdate, { args: [request] })),
    );
  }

  /** Approves or rejects a waiting gate. Rejections say why; no worker fails fast as for `operate`. */
  gate(workflowId: string, decision: GateDecision): Promise<{ step: string; outcome: string }> {
    return this.call(workflowId, () =>
      boundedUpdate(this.client, this.config, workflowId, this.updateTimeoutMs, () => this.handle(workflowId).executeUpdate(gateUpdate, { args: [decision] })),
    );
  }

  /**
   * A task as its history tells it (steps with states, timing and attempts; planning attempts
   * with outcomes; budget; result): no worker needed, closed tasks too. A task that continued as
   * new or ran steps in slices is read from all its histories, as one task.
   */
  read(workflowId: string): Promise<TaskView> {
    return this.call(workflowId, () => readTaskView(this.client, workflowId));
  }

  /** Visibility summary of one task. */
  async describe(workflowId: string): Promise<TaskSummary> {
    return this.call(workflowId, async () => summary(await this.handle(workflowId).describe()));
  }

  /** Tasks with a parked step (`WeftState = 'parked'`, still running). */
  listParked(limit = 1000): Promise<TaskSummary[]> {
    return this.list(PARKED_QUERY, limit);
  }

  /** Tasks matching a visibility query, newest first, at most `limit`. */
  async list(query: string, limit = 1000): Promise<TaskSummary[]> {
    const out: TaskSummary[] = [];
    try {
      for await (const info of this.client.workflow.list({ query })) {
        out.push(summary(info));
        if (out.length >= limit) break;
      }
    } catch (err) {
      throw translateError(err, { config: this.config });
    }
    return out;
  }

  /** The Web UI page of a task. */
  uiUrl(workflowId: string): string {
    return taskUrl(this.uiBase, this.config.namespace, workflowId);
  }

  /**
   * The Web UI history of one run (a task's, an earlier run's, a slice's), at an event when
   * given: where an `ExecutionView` (`workflowId`, `runId`, `scheduledEventId`) is.
   */
  historyUrl(at: { readonly workflowId: string; readonly runId: string; readonly scheduledEventId?: number }): string {
    return historyUrl(this.uiBase, this.config.namespace, at);
  }

  /** Closes the connection. */
  async close(): Promise<void> {
    await this.client.connection.close();
  }

  private async call<T>(workflowId: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      throw translateError(err, { config: this.config, workflowId });
    }
  }

  /** Runs a query with a deadline: a query waits for a worker, and with none it would wait for ever. */
  private query<T>(workflowId: string, fn: () => Promise<T>): Promise<T> {
    return this.client.connection.withDeadline(Date.now() + this.queryTimeoutMs, fn).catch((err: unknown) => {
      throw translateError(err, { config: this.config, workflowId, queryTimeoutMs: this.queryTimeoutMs });
    });
  }
}

function summary(info: Pick<WorkflowExecutionInfo, 'workflowId' | 'runId' | 'status' | 'typedSearchAttributes' | 'startTime' | 'closeTime'>): TaskSummary {
  return {
    workflowId: info.workflowId,
    runId: info.runId,
    status: info.status.name,
    template: info.typedSearchAttributes.get(SA.template) ?? null,
    state: info.typedSearchAttributes.get(SA.state) ?? null,
    startTime: info.startTime,
    closeTime: info.closeTime ?? null,
  };
}

/** True when `err` is a client error with this code. */
export function isClientError(err: unknown, code?: WeftClientError['code']): err is WeftClientError {
  return err instanceof WeftClientError && (code === undefined || err.code === code);
}
