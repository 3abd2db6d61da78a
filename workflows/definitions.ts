/**
 * The generic task workflow's public surface: its input and result, queries and updates.
 * Shared by the workflow, the client and the CLI (importing it pulls in no workflow code).
 */
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { BudgetLedger, BudgetRemaining } from '../src/core/budget.js';
import type { Diagnostic } from '../src/core/diagnostics.js';
import type { Fragment } from '../src/core/fragment.js';
import type { JsonValue } from '../src/core/json.js';
import type { CompiledPlan } from '../src/core/plan.js';
import type { StepError, StepRecord, StepsPage } from '../src/core/steps.js';
import type { FailurePolicy } from '../src/core/plan.js';
import type { BlobRef } from '../src/core/blob.js';
import type { FailedProviderCall, PromptContextRecord } from '../src/planner/types.js';
import type { PlanningUsage } from '../src/planner/usage.js';

/** The workflow type name every template runs as. */
export const TASK_WORKFLOW_TYPE = 'weftTask';

/** The workflow type of a slice: a child workflow running part of a plan too large for one history. */
export const SLICE_WORKFLOW_TYPE = 'weftSlice';

/** Start a task by template name (the worker's registry) or with a compiled plan. */
export type TaskInput =
  | { readonly template: string; readonly input: JsonValue; readonly limits?: RunLimits }
  | { readonly plan: CompiledPlan; readonly input: JsonValue; readonly limits?: RunLimits; readonly carried?: CarriedState };

/**
 * How much one run of a task holds before it continues as new (defaults: `DEFAULT_RUN_LIMITS` in
 * `workflows/continuation.ts`). Tests and operators with unusual tasks may lower them.
 */
export interface RunLimits {
  /** Steps of one planned fragment or fan-out that run in the task's own history; more run in slices (default 500). */
  readonly stepsInline?: number;
  /** Steps one slice (child workflow) runs at most (default 500). */
  readonly stepsPerSlice?: number;
  /** History events of one run after which the task continues as new at its next safe point. */
  readonly eventsPerRun?: number;
  /** History bytes of one run, likewise. */
  readonly bytesPerRun?: number;
}

/**
 * What a task carries into its next run when it continues as new: everything its steps and
 * planning produced so far (outputs by reference when stored), its ledger, and where the planning
 * step it was in had got to.
 */
export interface CarriedState {
  /** Runs before this one (1 in the first continuation). */
  readonly continuations: number;
  readonly records: readonly StepRecord[];
  readonly outputs: Readonly<Record<string, JsonValue>>;
  readonly ledger: BudgetLedger;
  readonly planning: readonly PlanningAttempt[];
  readonly children: Readonly<Record<string, readonly string[]>>;
  readonly blockedBy: Readonly<Record<string, string>>;
  readonly summaries: Readonly<Record<string, { readonly by: string; readonly text: string } | null>>;
  /** Outputs stored by slices, by owning step; the steps that ran in slices. */
  readonly sliceChunks: Readonly<Record<string, readonly BlobRef[]>>;
  readonly slicedSteps: readonly string[];
  readonly validationFailures: number;
  readonly partial: boolean;
  readonly reason: string | null;
  /** The planning step that continues, at the phase after the last one run. */
  readonly resume: PlanningResume | null;
}

/** Where a planning step stood when the task continued as new. */
export interface PlanningResume {
  readonly step: string;
  /** Phases run so far. */
  readonly phase: number;
  readonly planned: readonly string[];
  readonly results: Readonly<Record<string, JsonValue>>;
  readonly partial: boolean;
  readonly reason: string | null;
}

/** One step of a slice: its record as the task made it, and its inputs. */
export interface SliceStep {
  readonly record: StepRecord;
  /** Inputs with references, resolved in the slice (planned steps). */
  readonly inputs?: Readonly<Record<string, JsonValue>>;
  /** Inputs already resolved (a fan-out's partition): never read for references again. */
  readonly resolved?: JsonValue;
}

/** The task a slice works for. */
export interface SliceTask {
  readonly workflowId: string;
  readonly runId: string;
  /** The task's first run, which names its trace across runs continued as new. */
  readonly firstRunId?: string;
}

/** What a slice runs: part of one planned sub-DAG or fan-out, with everything its steps read. */
export interface SliceInput {
  /** The task (parent) workflow: handlers, operators and messages see its ID, not the slice's. */
  readonly task: SliceTask;
  /** The planning or fan-out step the slice's steps belong to. */
  readonly owner: string;
  readonly index: number;
  /** The task's plan with only the catalog entries the slice uses. */
  readonly plan: CompiledPlan;
  readonly taskInput: JsonValue;
  readonly steps: readonly SliceStep[];
  /** Outputs of steps outside the slice that its steps reference (stored ones by reference). */
  readonly outputs: Readonly<Record<string, JsonValue>>;
  readonly concurrency: number;
  readonly failure: FailurePolicy;
  /** `stop` (a fragment's steps, or a fan-out's fail_fast): the first failure ends the slice; `continue`: record failures and go on. */
  readonly onStepFailure: 'stop' | 'continue';
  /** Passed to each step's activity (fan-out partitions keep their results small). */
  readonly offloadAboveBytes?: number;
  /** The task's ledger when the slice started: its wall-time budget is the task's. */
  readonly ledger: BudgetLedger;
  /** Dependencies outside the slice that a gate blocked: the step, and the gate that did not approve. */
  readonly blockedBy: Readonly<Record<string, string>>;
  /** The task's limits (a fan-out inside a slice cuts its own partitions the same way). */
  readonly limits: RunLimits;
}

/** How each step of a slice ended. */
export interface SliceStepResult {
  readonly name: string;
  readonly state: StepRecord['state'];
  readonly executions: number;
  readonly startedAtMs: number | null;
  readonly finishedAtMs: number | null;
  readonly error: StepError | null;
  readonly outputBytes: number | null;
  readonly operatorAction: string | null;
  /** For a step with an output: the chunk (`SliceResult.chunks`) holding it. */
  readonly chunk?: number;
  /** The output itself when it is small (a text can interpolate it), else absent. */
  readonly output?: JsonValue;
}

/** What a slice returns. */
export interface SliceResult {
  readonly steps: readonly SliceStepResult[];
  /** The outputs of the slice's steps, stored as maps by step name (each a few hundred KB at most). */
  readonly chunks: readonly BlobRef[];
  /** Failed steps, in the order they failed. */
  readonly failed: readonly { readonly step: string; readonly error: StepError }[];
}

/** A slice tells its task about steps an operator must act on (parked, or a gate waiting), and when that ends. */
export interface SliceStepsChanged {
  readonly slice: string;
  readonly records: readonly StepRecord[];
  readonly waitingGates: readonly string[];
}

/** What a finished task returns. */
export interface TaskResult {
  readonly template: string;
  readonly version: string;
  readonly hash: string;
  /** Output of the last frame step (finalization, else convergence). */
  readonly result: JsonValue;
  /** Outputs of convergence and finalization steps, by name. */
  readonly outputs: Readonly<Record<string, JsonValue>>;
  /** True when planning stopped early (budget) and convergence ran on partial results. */
  readonly partial: boolean;
  readonly reason: string | null;
  readonly budget: BudgetLedger;
  /**
   * Step counts: `planned` are all made at run time; `spawned` the part of them fan-outs made
   * (absent from the results of tasks that ran before weft had fan-outs).
   */
  readonly steps: { readonly total: number; readonly template: number; readonly planned: number; readonly spawned?: number };
}

/** The task's overall state, also the `WeftState` search attribute. */
export type TaskState = 'starting' | 'running' | 'planning' | 'parked' | 'completed' | 'failed';

/** One planning attempt, kept for drill-down (layers 2 and 3). */
export interface PlanningAttempt {
  readonly planningStep: string;
  readonly phase: number;
  readonly attempt: number;
  /** `planner` for a planner call, `fallback` for the template's fallback fragment. */
  readonly source: 'planner' | 'fallback';
  readonly accepted: boolean;
  /** Set when accepted. */
  readonly fragmentId: string | null;
  /** The candidate as returned (untrusted). */
  readonly output: unknown;
  readonly fragment: Fragment | null;
  readonly diagnostics: readonly Diagnostic[];
  /** Handlers whose capabilities were shown. */
  readonly capabilities: readonly string[];
  readonly planner: string | null;
  readonly model: string | null;
  readonly inputTokens: number;
  readonly outputTokens: number;
  readonly costUsd: number;
  readonly latencyMs: number;
  /** Every provider call of this attempt, the failed ones (`failedCalls`) included. */
  readonly llmCalls: number;
  /**
   * Provider calls that failed (401, 429, 5xx, timeouts), oldest first, each with its error, model
   * and latency and no tokens; absent when none failed. Charged to the LLM-call budget.
   */
  readonly failedCalls?: readonly FailedProviderCall[];
  readonly prompt: string | null;
  /** Set instead of `prompt` when the prompt was large (kept in the blob store). */
  readonly promptRef: BlobRef | null;
  /** How the prompt was composed: sections, what was cut or summarized, capabilities and tiers shown. */
  readonly context: PromptContextRecord | null;
  /** Set when the planner call itself failed (provider error after retries). */
  readonly error: { readonly type: string; readonly message: string } | null;
  readonly atMs: number;
  /** Tokens by class and per LLM call (cache reads and writes, thinking); absent in records made before it existed. */
  readonly usage?: PlanningUsage | null;
  /** How the fragment was asked for (`structured`, `strict_tool`, `tool`); null without a planner call. */
  readonly outputMode?: string | null;
  /** The model's thinking text, only when the planner keeps it (`showThinking`). */
  readonly thinking?: string | null;
}

/** Budget as the query returns it. */
export interface BudgetView {
  readonly ledger: BudgetLedger;
  readonly remaining: BudgetRemaining;
  readonly line: string;
}

/** Layer 4: one step's record with its input and output. */
export interface StepDetail {
  readonly record: StepRecord;
  readonly input: JsonValue | null;
  readonly output: JsonValue | null;
}

/** An operator's decision on a parked step. */
export interface OperateRequest {
  readonly step: string;
  readonly action: 'retry' | 'skip' | 'fail';
  /** Required with `skip`: the output downstream steps will see. */
  readonly output?: JsonValue;
  readonly reason?: string;
  readonly by?: string;
}

/** A decision on a waiting gate. */
export interface GateDecision {
  readonly step: string;
  readonly decision: 'approve' | 'reject';
  readonly by?: string;
  readonly comment?: string;
}

/**
 * Step table with states and provenance, whole. Past about 6,000 steps the table is larger than
 * Temporal allows a query result (2 MB): read it by pages with `stepsPageQuery`.
 */
export const stepsQuery = defineQuery<StepRecord[]>('weft.steps');
/** One page of the step table (about 1 MB of records) from the given index: `weft.steps` for any size of task. */
export const stepsPageQuery = defineQuery<StepsPage, [from: number]>('weft.steps.page');
/**
 * The slices running now (their workflow IDs). A running slice's steps are fresher there than in
 * the task's table, which learns how they went when the slice ends: `weft.steps` on each slice
 * answers them as they are (`WeftClient.steps` reads both).
 */
export const slicesQuery = defineQuery<string[]>('weft.slices');
/** Budget ledger and what remains. */
export const budgetQuery = defineQuery<BudgetView>('weft.budget');
/**
 * Every planning attempt, accepted or not. Past 1 MB, the oldest attempts come without their
 * candidate, fragment, prompt, context and thinking (null): history has them (`weft inspect --layer 3`).
 */
export const planningQuery = defineQuery<PlanningAttempt[]>('weft.planning');
/** One step with its input and output (layer 4). */
export const stepQuery = defineQuery<StepDetail | null, [string]>('weft.step');
/** The task state. */
export const stateQuery = defineQuery<TaskState>('weft.state');
/** Act on a parked step: retry, skip with an output, or fail. */
export const operateUpdate = defineUpdate<{ step: string; state: string }, [OperateRequest]>('weft.operate');
/** Approve or reject a waiting gate. */
export const gateUpdate = defineUpdate<{ step: string; outcome: string }, [GateDecision]>('weft.gate');
/** Slice → task: steps that wait for an operator (parked, gates) changed. */
export const sliceStepsSignal = defineSignal<[SliceStepsChanged]>('weft.slice.steps');
/** Task → slice: an operator's decision on a parked step of the slice. */
export const sliceOperateSignal = defineSignal<[OperateRequest]>('weft.slice.operate');
/** Task → slice: a decision on a gate of the slice. */
export const sliceGateSignal = defineSignal<[GateDecision]>('weft.slice.gate');
