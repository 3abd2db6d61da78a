/**
 * Slices: a planned sub-DAG or a fan-out with more steps than one history should hold runs in
 * child workflows (`weftSlice`), each a generic weft run of part of the steps — same activities,
 * summaries, records, retries, parking, gates and telemetry as in the task. The task keeps every
 * step's record (operators see steps, not slices), charges the budget before a slice starts,
 * cancels slices with its own cancellation (the wall-time watchdog included) and forwards
 * operator decisions to the slice that holds the step.
 */
import {
  CancellationScope,
  executeChild,
  getExternalWorkflowHandle,
  isCancellation,
  proxyActivities,
  setHandler,
  workflowInfo,
  ParentClosePolicy,
} from '@temporalio/workflow';
import { budgetLine, charge, remaining } from '../src/core/budget.js';
import type { BlobRef, BlobPath } from '../src/core/blob.js';
import { GATE_HANDLER } from '../src/core/gate.js';
import { isJsonObject, jsonByteLength, type JsonValue } from '../src/core/json.js';
import type { CompiledPlan, FailurePolicy } from '../src/core/plan.js';
import { referencedSteps, shareConcurrency, sliceWorkflowId, type SliceSpec } from '../src/core/slices.js';
import type { StepError, StepRecord } from '../src/core/steps.js';
import type { JoinOutputsRequest, StoreValueRequest } from '../activities/types.js';
import {
  budgetQuery,
  sliceGateSignal,
  sliceOperateSignal,
  slicesQuery,
  stepQuery,
  stepsQuery,
  SLICE_WORKFLOW_TYPE,
  type GateDecision,
  type OperateRequest,
  type SliceInput,
  type SliceResult,
  type SliceStep,
  type SliceStepResult,
  type SliceStepsChanged,
} from './definitions.js';
import { describeFailure } from './failures.js';
import { runReadySet } from './ready-set.js';
import { TaskRun } from './run-state.js';
import { executeHandlerStep } from './step-exec.js';

/** Patch ID of running plans larger than one history in slices (child workflows). */
export const SLICES_PATCH = 'weft-12-slices';

/** Bytes of outputs one stored chunk of a slice holds at most (an activity payload stays far below Temporal's 2 MB). */
const CHUNK_BYTES = 256 * 1024;
/** Outputs up to this size also travel inline to the task, so a text can interpolate them. */
const INLINE_OUTPUT_BYTES = 256;
/** Bytes of inline step outputs one slice aims to stay under (each step stores a larger one). */
const SLICE_INLINE_BUDGET_BYTES = 2 * 1024 * 1024;

type SliceActivities = {
  weftStoreValue(request: StoreValueRequest): Promise<BlobRef>;
  weftJoinOutputs(request: JoinOutputsRequest): Promise<BlobRef>;
};

const { weftStoreValue } = proxyActivities<SliceActivities>({
  startToCloseTimeout: '60s',
  retry: { maximumAttempts: 10 },
  summary: 'store the outputs of this slice (the task reads them by reference)',
});

/**
 * A slice: runs its steps by ready-set with the task's failure policy; parked steps and gates wait
 * here, and the task forwards operators' decisions. Returns how each step ended and its outputs,
 * stored in chunks.
 */
export async function weftSlice(input: SliceInput): Promise<SliceResult> {
  const name = `${input.owner}#${input.index}`;
  const run = new TaskRun(input.plan, input.taskInput, input.ledger, true, { task: input.task, owner: input.owner, index: input.index, name }, input.limits);
  setHandler(sliceOperateSignal, (req: OperateRequest) => void run.operatorDecisions.set(req.step, req));
  setHandler(sliceGateSignal, (d: GateDecision) => void run.gateDecisions.set(d.step, d));
  setHandler(stepsQuery, () => run.records());
  setHandler(stepQuery, (name: string) => run.detail(name));
  setHandler(slicesQuery, () => runningSlices(run));
  setHandler(budgetQuery, () => ({ ledger: run.ledger, remaining: remaining(run.ledger, Date.now()), line: budgetLine(run.ledger) }));
  const byName = new Map<string, SliceStep>();
  for (const s of input.steps) {
    run.add({ ...s.record, state: 'pending', error: null });
    byName.set(s.record.name, s);
  }
  for (const [k, v] of Object.entries(input.outputs)) run.outputs.set(k, v);
  for (const [k, v] of Object.entries(input.blockedBy)) run.blockedBy.set(k, v);
  run.state = 'running';
  run.publish();
  const nodes = input.steps.map((s) => ({ name: s.record.name, dependencies: s.record.dependencies.filter((d) => byName.has(d)) }));
  const failed: { step: string; error: StepError }[] = [];
  const offloadAboveBytes = Math.min(input.offloadAboveBytes ?? Infinity, Math.max(1024, Math.floor(SLICE_INLINE_BUDGET_BYTES / Math.max(1, nodes.length))));
  const work = new CancellationScope();
  try {
    await work.run(() =>
      runReadySet(nodes, input.concurrency, async (stepName) => {
        const s = byName.get(stepName) as SliceStep;
        const record = run.step(stepName);
        try {
          await executeHandlerStep(run, record, s.inputs ?? {}, input.failure, {
            ...(s.resolved !== undefined ? { resolved: s.resolved } : {}),
            offloadAboveBytes,
          });
        } catch (err) {
          if (isCancellation(err)) throw err;
          failed.push({ step: stepName, error: record.error ?? describeFailure(err) });
          if (input.onStepFailure === 'stop') throw err;
        }
      }),
    );
  } catch (err) {
    if (isCancellation(err) && CancellationScope.current().consideredCancelled) {
      markNotRun(run, { type: 'CANCELLED', message: `Not finished: slice ${name} of '${input.owner}' was cancelled.` });
      throw err;
    }
    if (failed.length === 0) throw err;
    // The first failure ends the slice: steps still running are cancelled, the rest never start.
    work.cancel();
    const first = failed[0] as { step: string };
    markNotRun(run, { type: 'SLICE_STOPPED', message: `Not run: step '${first.step}' failed first.` });
  }
  return { ...(await storeOutputs(run, input.steps)), failed };
}

function markNotRun(run: TaskRun, error: StepError): void {
  for (const r of run.records()) {
    if (r.state === 'pending' || r.state === 'running') {
      r.state = 'cancelled';
      r.error = error;
      r.finishedAtMs ??= Date.now();
    }
  }
  run.publish();
}

/** Stores the outputs in chunks and describes each step. */
async function storeOutputs(run: TaskRun, steps: readonly SliceStep[]): Promise<Pick<SliceResult, 'steps' | 'chunks'>> {
  const chunks: Record<string, JsonValue>[] = [];
  let current: Record<string, JsonValue> = {};
  let bytes = 0;
  const results: SliceStepResult[] = [];
  for (const s of steps) {
    const r = run.step(s.record.name);
    const base: SliceStepResult = {
      name: r.name,
      state: r.state,
      executions: r.executions,
      startedAtMs: r.startedAtMs,
      finishedAtMs: r.finishedAtMs,
      error: r.error,
      outputBytes: r.outputBytes,
      operatorAction: r.operatorAction,
    };
    if (!run.outputs.has(r.name) || (r.state !== 'completed' && r.state !== 'skipped')) {
      results.push(base);
      continue;
    }
    const output = run.outputs.get(r.name) ?? null;
    const size = jsonByteLength(output) + r.name.length + 4;
    if (bytes > 0 && bytes + size > CHUNK_BYTES) {
      chunks.push(current);
      current = {};
      bytes = 0;
    }
    current[r.name] = output;
    bytes += size;
    results.push({ ...base, chunk: chunks.length, ...(size <= INLINE_OUTPUT_BYTES ? { output } : {}) });
  }
  if (bytes > 0) chunks.push(current);
  const refs: BlobRef[] = [];
  for (const c of chunks) refs.push(await weftStoreValue({ value: c }));
  return { steps: results, chunks: refs };
}

// ---------------------------------------------------------------------------------------------
// The task's side
// ---------------------------------------------------------------------------------------------

/** How the task runs a set of slices. */
export interface SliceRunOptions {
  /** The planning or fan-out step the steps belong to. */
  readonly owner: StepRecord;
  readonly slices: readonly SliceSpec[];
  /** The steps of one slice, with their inputs. */
  readonly stepsOf: (slice: SliceSpec) => readonly SliceStep[];
  /** Concurrent steps across all slices. */
  readonly concurrency: number;
  readonly failure: FailurePolicy;
  readonly onStepFailure: 'stop' | 'continue';
  readonly offloadAboveBytes?: number;
}

/** Failed steps of all slices; stops early (throwing the first failure's description) when `onStepFailure` is `stop`. */
export interface SlicesOutcome {
  readonly failed: readonly { readonly step: string; readonly error: StepError }[];
}

/** Thrown (inside the slice loop) when a slice reports a failure and failures stop the run. */
class SliceFailed extends Error {}

/**
 * Runs slices as child workflows, by ready-set over the slice DAG with the concurrency shared;
 * updates the task's records and outputs from each slice's result. The estimated cost of a
 * slice's steps is charged before it starts, so no slice can spend what the task does not have.
 */
export async function runSlices(run: TaskRun, opts: SliceRunOptions): Promise<SlicesOutcome> {
  const { slices: parallel, perSlice } = shareConcurrency(opts.concurrency, opts.slices.length);
  const byName = new Map(opts.slices.map((s) => [s.name, s]));
  const failed: { step: string; error: StepError }[] = [];
  const info = workflowInfo();
  // A fan-out inside a slice slices too: its slices work for the task, and are named after it.
  const task = run.slice?.task ?? { workflowId: info.workflowId, runId: info.runId, firstRunId: info.firstExecutionRunId };
  // The slice's memo names its task (operator tools, telemetry: its steps' spans join the task's
  // trace, keyed by the task's first run) and carries the starter's trace context.
  const taskRun = task.firstRunId ?? task.runId;
  const trace = info.memo?.['weft_trace'];
  try {
    await runReadySet(opts.slices, parallel, async (sliceName) => {
      const spec = byName.get(sliceName) as SliceSpec;
      const steps = opts.stepsOf(spec).filter((s) => run.step(s.record.name).state !== 'completed');
      if (steps.length === 0) return;
      const cost = steps.reduce((a, s) => a + (s.record.handler ? (run.plan.catalog[s.record.handler]?.estimatedCostUsd ?? 0) : 0), 0);
      if (cost > 0) run.ledger = charge(run.ledger, { costUsd: cost });
      const workflowId = sliceWorkflowId(task.workflowId, spec) + (opts.owner.executions > 1 ? `.${opts.owner.executions}` : '');
      for (const s of steps) run.inSlice.set(s.record.name, workflowId);
      const input: SliceInput = {
        task,
        owner: opts.owner.name,
        index: spec.index,
        plan: planFor(run.plan, steps),
        taskInput: run.taskInput,
        steps,
        outputs: externalOutputs(run, steps),
        concurrency: perSlice,
        failure: opts.failure,
        onStepFailure: opts.onStepFailure,
        ...(opts.offloadAboveBytes === undefined ? {} : { offloadAboveBytes: opts.offloadAboveBytes }),
        ledger: run.ledger,
        blockedBy: externalBlocks(run, steps),
        limits: run.limits,
      };
      run.publish();
      let result: SliceResult;
      try {
        result = await executeChild<typeof weftSlice>(SLICE_WORKFLOW_TYPE, {
          workflowId,
          args: [input],
          memo: { weft_slice: { task: task.workflowId, taskRun, step: opts.owner.name, index: spec.index }, ...(trace === undefined ? {} : { weft_trace: trace }) },
          parentClosePolicy: ParentClosePolicy.TERMINATE,
          staticSummary: `slice ${spec.index + 1} of ${opts.slices.length} of '${opts.owner.name}': ${steps.length} steps (${steps[0]?.record.name} … ${steps[steps.length - 1]?.record.name})`,
        });
      } finally {
        for (const s of steps) run.inSlice.delete(s.record.name);
      }
      applyResult(run, result);
      run.sliceChunks.set(opts.owner.name, [...(run.sliceChunks.get(opts.owner.name) ?? []), ...result.chunks]);
      failed.push(...result.failed);
      if (result.failed.length > 0 && opts.onStepFailure === 'stop') throw new SliceFailed();
    });
  } catch (err) {
    if (!(err instanceof SliceFailed)) throw err;
  }
  return { failed };
}

/** The plan a slice needs: the task's, with the catalog cut to the handlers its steps use. */
function planFor(plan: CompiledPlan, steps: readonly SliceStep[]): CompiledPlan {
  const used = new Set(steps.map((s) => s.record.handler).filter((h): h is string => h !== null));
  // A fan-out inside a slice runs its children's handler there too.
  for (const s of steps) {
    const inputs = s.inputs ?? (isJsonObject(s.resolved) ? s.resolved : {});
    const h = (inputs as Record<string, JsonValue>)['handler'];
    if (typeof h === 'string') used.add(h);
  }
  const catalog = Object.fromEntries(Object.entries(plan.catalog).filter(([name]) => used.has(name)));
  return { ...plan, catalog, steps: [] };
}

/** Outputs of steps outside the slice that its steps reference. */
function externalOutputs(run: TaskRun, steps: readonly SliceStep[]): Record<string, JsonValue> {
  const inside = new Set(steps.map((s) => s.record.name));
  const refs = referencedSteps(steps.flatMap((s) => (s.inputs ? [s.inputs as JsonValue] : [])));
  const deps = steps.flatMap((s) => s.record.dependencies);
  const out: Record<string, JsonValue> = {};
  for (const name of [...refs, ...deps]) {
    if (inside.has(name) || !run.outputs.has(name)) continue;
    out[name] = run.outputs.get(name) ?? null;
  }
  return out;
}

/** Dependencies outside the slice that a gate blocked (or that are gates which did not approve). */
function externalBlocks(run: TaskRun, steps: readonly SliceStep[]): Record<string, string> {
  const inside = new Set(steps.map((s) => s.record.name));
  const out: Record<string, string> = {};
  for (const s of steps) {
    for (const d of s.record.dependencies) {
      if (inside.has(d)) continue;
      const blocked = run.blockedBy.get(d);
      const out_ = run.outputs.get(d);
      if (blocked !== undefined) out[d] = blocked;
      else if (run.steps.get(d)?.handler === GATE_HANDLER && isJsonObject(out_) && out_['approved'] === false) out[d] = d;
    }
  }
  return out;
}

/** Copies how each step ended into the task's records, and points its output at the slice's chunk. */
function applyResult(run: TaskRun, result: SliceResult): void {
  for (const s of result.steps) {
    const r = run.steps.get(s.name);
    if (!r) continue;
    r.state = s.state;
    r.executions = s.executions;
    r.startedAtMs = s.startedAtMs;
    r.finishedAtMs = s.finishedAtMs;
    r.error = s.error;
    r.outputBytes = s.outputBytes;
    r.operatorAction = s.operatorAction;
    run.waitingGates.delete(s.name);
    if (s.chunk === undefined) continue;
    const chunk = result.chunks[s.chunk] as BlobRef;
    const pointer: BlobPath = { $weft_blob_path: { blob: chunk.$weft_blob, path: [s.name] } };
    run.outputs.set(s.name, s.output !== undefined ? s.output : (pointer as unknown as JsonValue));
    run.slicedSteps.add(s.name);
    if (s.state === 'skipped' && s.error?.type === 'GATE_REJECTED') {
      const gate = /gate '([^']+)'/.exec(s.error.message)?.[1];
      if (gate) run.blockedBy.set(s.name, gate);
    }
  }
  run.publish();
}

/**
 * Stores the outputs of `names` as one value, in order (a fan-out's results, a planning step's),
 * from what the slices of `owner` stored and the inline outputs of the rest: a value of thousands
 * of outputs never passes through the task's history.
 */
export function joinOutputs(run: TaskRun, owner: string, names: readonly string[], as: 'array' | 'object', summary: string): Promise<BlobRef> {
  const { weftJoinOutputs } = proxyActivities<SliceActivities>({ startToCloseTimeout: '120s', retry: { maximumAttempts: 10 }, summary });
  const inline: Record<string, JsonValue> = {};
  for (const n of names) if (!run.slicedSteps.has(n)) inline[n] = run.outputs.get(n) ?? null;
  return weftJoinOutputs({ chunks: run.sliceChunks.get(owner) ?? [], names, inline, as });
}

/**
 * A slice told the task which of its steps wait for an operator: the task's records follow, so
 * its update validators, queries and `WeftState` see them.
 */
export function onSliceSteps(run: TaskRun, change: SliceStepsChanged): void {
  const waiting = new Map(change.records.map((r) => [r.name, r]));
  for (const [name, slice] of run.inSlice) {
    if (slice !== change.slice) continue;
    const r = run.steps.get(name);
    if (!r) continue;
    const now = waiting.get(name);
    if (now) {
      r.state = now.state;
      r.error = now.error;
      r.executions = now.executions;
    } else if (r.state === 'parked' || run.waitingGates.has(name)) r.state = 'running';
    if (change.waitingGates.includes(name)) run.waitingGates.add(name);
    else run.waitingGates.delete(name);
  }
  run.publish();
}

/** The workflow IDs of the slices running now, in the order they started. */
export function runningSlices(run: TaskRun | null): string[] {
  return run ? [...new Set(run.inSlice.values())] : [];
}

/** Forwards an operator's decision on a step that waits in a slice; false when the step is not in one. */
export async function forwardToSlice(run: TaskRun, decision: { readonly kind: 'operate'; readonly req: OperateRequest } | { readonly kind: 'gate'; readonly req: GateDecision }): Promise<boolean> {
  const slice = run.inSlice.get(decision.req.step);
  if (slice === undefined) return false;
  const handle = getExternalWorkflowHandle(slice);
  if (decision.kind === 'operate') await handle.signal(sliceOperateSignal, decision.req);
  else await handle.signal(sliceGateSignal, decision.req);
  const r = run.steps.get(decision.req.step);
  if (r && r.state === 'parked') r.state = 'running';
  run.waitingGates.delete(decision.req.step);
  run.publish();
  return true;
}
