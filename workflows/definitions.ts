/**
 * The generic task workflow's public surface: its input and result, queries and updates.
 * Shared by the workflow, the client and the CLI (importing it pulls in no workflow code).
 */
import { defineQuery, defineUpdate } from '@temporalio/workflow';
import type { BudgetLedger, BudgetRemaining } from '../src/core/budget.js';
import type { Diagnostic } from '../src/core/diagnostics.js';
import type { Fragment } from '../src/core/fragment.js';
import type { JsonValue } from '../src/core/json.js';
import type { CompiledPlan } from '../src/core/plan.js';
import type { StepRecord } from '../src/core/steps.js';
import type { BlobRef } from '../src/core/blob.js';
import type { FailedProviderCall, PromptContextRecord } from '../src/planner/types.js';
import type { PlanningUsage } from '../src/planner/usage.js';

/** The workflow type name every template runs as. */
export const TASK_WORKFLOW_TYPE = 'weftTask';

/** Start a task by template name (the worker's registry) or with a compiled plan. */
export type TaskInput =
  | { readonly template: string; readonly input: JsonValue }
  | { readonly plan: CompiledPlan; readonly input: JsonValue };

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

/** Step table with states and provenance. */
export const stepsQuery = defineQuery<StepRecord[]>('weft.steps');
/** Budget ledger and what remains. */
export const budgetQuery = defineQuery<BudgetView>('weft.budget');
/** Every planning attempt, accepted or not. */
export const planningQuery = defineQuery<PlanningAttempt[]>('weft.planning');
/** One step with its input and output (layer 4). */
export const stepQuery = defineQuery<StepDetail | null, [string]>('weft.step');
/** The task state. */
export const stateQuery = defineQuery<TaskState>('weft.state');
/** Act on a parked step: retry, skip with an output, or fail. */
export const operateUpdate = defineUpdate<{ step: string; state: string }, [OperateRequest]>('weft.operate');
/** Approve or reject a waiting gate. */
export const gateUpdate = defineUpdate<{ step: string; outcome: string }, [GateDecision]>('weft.gate');
