/**
 * The state of one task run: step table, outputs, budget ledger, planning records, operator
 * decisions; and how it is published (search attributes, memo, current details). Workflow code.
 */
import { getExternalWorkflowHandle, patched, setCurrentDetails, upsertMemo, upsertSearchAttributes, workflowInfo } from '@temporalio/workflow';
import { budgetLine, type BudgetLedger } from '../src/core/budget.js';
import type { JsonValue } from '../src/core/json.js';
import type { BlobRef } from '../src/core/blob.js';
import type { CompiledPlan } from '../src/core/plan.js';
import { SA } from '../src/core/search-attributes.js';
import { planningOutcome } from '../src/core/planning-outcome.js';
import { countByOrigin, memoRows, type StepRecord } from '../src/core/steps.js';
import { sliceStepsSignal, type CarriedState, type SliceTask, type RunLimits, type GateDecision, type OperateRequest, type PlanningAttempt, type StepDetail, type TaskState } from './definitions.js';
import { renderDetails } from './details.js';

/** The `WeftCreatedBy` value of a task where an operator gave a skipped step's output. */
export const OPERATOR_ORIGIN = 'operator';

/**
 * Patch `weft-12-batched-provenance`: a step starting or completing publishes only the current
 * details (no history event); search attributes and the memo (each upsert a history event) are
 * published at phase boundaries and operator events — a fragment accepted, a fan-out spawned or
 * done, a step parked, skipped, cancelled or failed, the task's end. Before, a step that charged
 * the budget (a priced handler) upserted both on every activation it finished in.
 */
export const BATCHED_PROVENANCE_PATCH = 'weft-12-batched-provenance';

/** What a publish is for: a phase boundary or operator event (all of it), or one step's progress. */
export type PublishScope = 'phase' | 'step';

/** Rows of the provenance table kept in the memo at most (the step query has all). */
const MEMO_MAX_ROWS = 500;

/** Whose slice a run is. */
export interface SliceOf {
  readonly task: SliceTask;
  readonly owner: string;
  readonly index: number;
  readonly name: string;
}

/** Mutable state of one run. Only workflow code touches it. */
export class TaskRun {
  readonly steps = new Map<string, StepRecord>();
  readonly inputs = new Map<string, JsonValue>();
  readonly outputs = new Map<string, JsonValue>();
  readonly planning: PlanningAttempt[] = [];
  readonly operatorDecisions = new Map<string, OperateRequest>();
  readonly gateDecisions = new Map<string, GateDecision>();
  /** LLM summaries of results, by the step whose result was summarized (null: summarizing failed). */
  readonly summaries = new Map<string, { readonly by: string; readonly text: string } | null>();
  /** Steps skipped because a gate upstream did not approve, with that gate. */
  readonly blockedBy = new Map<string, string>();
  /** Children of each fan-out step, in partition order. */
  readonly children = new Map<string, readonly string[]>();
  /** Steps currently waiting at a gate. */
  readonly waitingGates = new Set<string>();
  /** Steps running in a slice (a child workflow), by name: the slice's workflow ID. */
  readonly inSlice = new Map<string, string>();
  /** Outputs stored by the slices of each planning or fan-out step, oldest first. */
  readonly sliceChunks = new Map<string, BlobRef[]>();
  /** Steps that ran in a slice (their outputs are in its chunks). */
  readonly slicedSteps = new Set<string>();
  state: TaskState = 'starting';
  /** What the previous run carried, when this run continues a task as new. */
  carried: CarriedState | null = null;
  validationFailures = 0;
  partial = false;
  reason: string | null = null;
  private published = '';
  private memoPublished = '';
  private flushQueued = false;
  private phaseDue = false;

  constructor(
    readonly plan: CompiledPlan,
    readonly taskInput: JsonValue,
    public ledger: BudgetLedger,
    /**
     * Patch `weft-10-operator-history`: labels start with the step name, parked steps and gates
     * wait on a labelled timer, planning outcomes are kept in the memo, details are escaped —
     * what operator tools read from history with no worker, and what the Web UI shows.
     */
    readonly operatorHistory = false,
    /** Set in a slice: the task it works for and the slice's name. A slice publishes no search attributes. */
    readonly slice: SliceOf | null = null,
    /** How this task cuts large plans and when it continues as new (`TaskInput.limits`). */
    readonly limits: RunLimits = {},
  ) {}

  /** Adds a step record (frame or planned). */
  add(record: StepRecord): void {
    if (this.steps.has(record.name)) throw new Error(`step '${record.name}' exists already`);
    this.steps.set(record.name, record);
  }

  /** The record of a step; throws for unknown names (a bug, not an input error). */
  step(name: string): StepRecord {
    const s = this.steps.get(name);
    if (!s) throw new Error(`unknown step '${name}'`);
    return s;
  }

  /** A step with its input and output (the `weft.step` query); null for unknown names. */
  detail(name: string): StepDetail | null {
    const record = this.steps.get(name);
    if (!record) return null;
    return { record, input: this.inputs.get(name) ?? null, output: this.outputs.get(name) ?? null };
  }

  /** All records in creation order. */
  records(): StepRecord[] {
    return [...this.steps.values()];
  }

  /** Accepted fragment IDs, in order. */
  fragmentIds(): string[] {
    return this.planning.filter((p) => p.accepted && p.fragmentId !== null).map((p) => p.fragmentId as string);
  }

  /**
   * Asks for a publish at the end of this activation: many steps finishing in one workflow task
   * cost one publish, not one each. A microtask, so the order is the same on every replay.
   * `step`: one step's progress, which only the current details show (patch
   * `weft-12-batched-provenance`); any `phase` publish in the same activation publishes all.
   */
  publish(scope: PublishScope = 'phase'): void {
    if (scope === 'phase') this.phaseDue = true;
    if (this.flushQueued) return;
    this.flushQueued = true;
    void Promise.resolve().then(() => {
      this.flushQueued = false;
      const phase = this.phaseDue;
      this.phaseDue = false;
      this.publishNow(phase || !patched(BATCHED_PROVENANCE_PATCH));
    });
  }

  /**
   * Publishes what changed now: search attributes (only when their values changed, each upsert is
   * a history event), the memo (when it changed) and the current details (no event); with
   * `upserts` false, only the current details. Used directly for terminal states, which must be
   * visible before the workflow closes.
   */
  publishNow(upserts = true): void {
    if (this.slice) {
      this.publishSlice(this.slice);
      return;
    }
    if (!upserts) {
      setCurrentDetails(renderDetails(this, this.displayState()));
      return;
    }
    const records = this.records();
    const state = this.displayState();
    const handlers = [...new Set(records.map((s) => s.handler).filter((h): h is string => h !== null))].sort();
    const origins: string[] = records.map((s) => s.provenance.createdBy);
    if (this.operatorHistory && records.some((s) => s.state === 'skipped' && s.operatorAction?.startsWith('skip'))) origins.push(OPERATOR_ORIGIN);
    const createdBy = [...new Set(origins)].sort();
    const attrs = {
      template: this.plan.name,
      state,
      phases: this.ledger.used.planningPhases,
      steps: this.ledger.used.steps,
      failures: this.validationFailures,
      cost: this.ledger.used.costUsd,
      exhausted: this.ledger.exhausted !== null,
      createdBy,
      handlers,
      fragments: this.fragmentIds(),
    };
    const key = JSON.stringify(attrs);
    if (key !== this.published) {
      this.published = key;
      upsertSearchAttributes([
        { key: SA.template, value: attrs.template },
        { key: SA.state, value: attrs.state },
        { key: SA.planningPhases, value: attrs.phases },
        { key: SA.stepsUsed, value: attrs.steps },
        { key: SA.validationFailures, value: attrs.failures },
        { key: SA.costUsd, value: attrs.cost },
        { key: SA.budgetExhausted, value: attrs.exhausted },
        { key: SA.createdBy, value: attrs.createdBy },
        { key: SA.handlers, value: attrs.handlers },
        { key: SA.fragments, value: attrs.fragments },
      ]);
    }
    // A fan-out's children are counted, not listed: their rows would repeat the fan-out's
    // provenance a thousand times and push the memo past the server's size warning.
    const listed = this.children.size === 0 ? records : records.filter((r) => r.spawnedBy === null);
    const memo = {
      weft_template: `${this.plan.name}@${this.plan.version}`,
      weft_template_hash: this.plan.hash,
      weft_budget: { limits: this.ledger.limits, used: this.ledger.used, exhausted: this.ledger.exhausted },
      weft_steps: memoRows(listed.slice(0, MEMO_MAX_ROWS)).map((r) => r.slice(0, 5)),
      weft_steps_omitted: Math.max(0, listed.length - MEMO_MAX_ROWS),
      ...(this.children.size === 0 ? {} : { weft_spawned: Object.fromEntries([...this.children].map(([parent, kids]) => [parent, kids.length])) }),
      ...(this.operatorHistory && this.planning.length > 0 ? { weft_planning: this.planning.map(planningOutcome) } : {}),
    };
    const memoKey = JSON.stringify(memo);
    if (memoKey !== this.memoPublished) {
      this.memoPublished = memoKey;
      upsertMemo(memo);
    }
    setCurrentDetails(renderDetails(this, state));
  }

  /**
   * A slice's publish: its memo says whose slice it is (once), and the task hears of steps that
   * wait for an operator, so that `weft dlq` and the task's update validators see them.
   */
  private publishSlice(slice: SliceOf): void {
    if (this.memoPublished === '') {
      this.memoPublished = slice.name;
      upsertMemo({ weft_slice: { task: slice.task.workflowId, taskRun: slice.task.firstRunId ?? slice.task.runId, step: slice.owner, index: slice.index } });
    }
    const waiting = this.records().filter((r) => r.state === 'parked' || this.waitingGates.has(r.name));
    const key = JSON.stringify([waiting.map((r) => [r.name, r.state, r.executions]), [...this.waitingGates]]);
    if (key !== this.published) {
      this.published = key;
      void getExternalWorkflowHandle(slice.task.workflowId)
        .signal(sliceStepsSignal, { slice: workflowInfo().workflowId, records: waiting, waitingGates: [...this.waitingGates] })
        .catch(() => undefined); // the task has ended: nobody is left to tell
    }
    setCurrentDetails(renderDetails(this, this.state));
  }

  /** The task's state as shown: `parked` while a step waits for an operator. */
  private displayState(): TaskState {
    const parked = this.records().some((s) => s.state === 'parked');
    return parked && this.state !== 'completed' && this.state !== 'failed' ? 'parked' : this.state;
  }

  /** Line used in logs and details: "2 planning phases, 14 steps (4 from the template, 10 planned)". */
  overviewLine(): string {
    const records = this.records();
    const { template, planned, spawned } = countByOrigin(records);
    const phases = this.ledger.used.planningPhases;
    const bySpawn = spawned > 0 ? `, ${spawned} of them spawned by fan-outs` : '';
    return `${phases} planning phase${phases === 1 ? '' : 's'}, ${records.length} steps (${template} from the template, ${planned} planned${bySpawn}); ${budgetLine(this.ledger)}`;
  }

  /** The task's workflow ID, for messages (in a slice, the task's: operators address the task). */
  get workflowId(): string {
    return this.slice?.task.workflowId ?? workflowInfo().workflowId;
  }
}
