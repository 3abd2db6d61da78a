/**
 * Runs one handler step — static, convergence, finalization or planned, all the same way — as
 * an activity whose ID is the step name and whose summary carries handler and provenance.
 * A step that exhausts its retries fails the task or parks for an operator.
 */
import { condition, isCancellation, patched, proxyActivities, workflowInfo } from '@temporalio/workflow';
import type { ActivityOptions } from '@temporalio/common';
import { FAN_OUT_HANDLER } from '../src/core/fan-out.js';
import { gateInputSchema, GATE_HANDLER, type GateOutput } from '../src/core/gate.js';
import type { JsonValue } from '../src/core/json.js';
import { isJsonObject, jsonByteLength } from '../src/core/json.js';
import { isBlobRef } from '../src/core/blob.js';
import type { HandlerManifestEntry } from '../src/core/manifest.js';
import { DEFAULT_HEARTBEAT_TIMEOUT_MS, type FailurePolicy } from '../src/core/plan.js';
import { resolveValue } from '../src/core/references.js';
import { GATE_LABEL, PARKED_LABEL } from '../src/core/operator-labels.js';
import { summaryLine, truncate, type StepRecord } from '../src/core/steps.js';
import type { StepActivityRequest } from '../activities/types.js';
import { describeFailure, taskFailure } from './failures.js';
import { runFanOut } from './fan-out.js';
import type { PublishScope, TaskRun } from './run-state.js';
import { stepEnded, stepParked } from './telemetry.js';

type StepActivity = (request: StepActivityRequest) => Promise<JsonValue>;

/** Error types no retry can fix, besides those the handler declares. */
const ALWAYS_NON_RETRYABLE = ['INPUT_INVALID', 'OUTPUT_INVALID', 'HANDLER_NOT_REGISTERED'];

/**
 * Patch `weft-12-heartbeat-timeout`: a handler step's heartbeat timeout is its own setting
 * (`heartbeatTimeoutMs`, default 15 s) rather than `min(timeout, 60 s)`, and none at all for a
 * handler that declares `heartbeats: false`. The planning activity keeps `min(timeout, 60 s)`.
 */
export const HEARTBEAT_TIMEOUT_PATCH = 'weft-12-heartbeat-timeout';

/** The heartbeat timeout of a step's activity; undefined: none. */
function heartbeatTimeoutOf(entry: HandlerManifestEntry | undefined, failure: FailurePolicy): number | undefined {
  const before = Math.min(failure.timeoutMs, 60_000);
  if (entry === undefined || !patched(HEARTBEAT_TIMEOUT_PATCH)) return before;
  if (entry.heartbeats === false) return undefined;
  return Math.min(failure.heartbeatTimeoutMs ?? DEFAULT_HEARTBEAT_TIMEOUT_MS, failure.timeoutMs);
}

/** Activity options for a step: ID = step name, summary = handler and provenance. */
export function stepActivityOptions(run: TaskRun, record: StepRecord, failure: FailurePolicy, summary: string): ActivityOptions {
  const entry = record.handler ? run.plan.catalog[record.handler] : undefined;
  const nonRetryable = new Set(ALWAYS_NON_RETRYABLE);
  for (const m of entry?.errorModes ?? []) if (!m.retryable) nonRetryable.add(m.code);
  const heartbeatTimeout = heartbeatTimeoutOf(entry, failure);
  return {
    activityId: record.name,
    // The Web UI's timeline shows the summary, not the activity ID: the step's name leads.
    summary: run.operatorHistory ? `${record.name} · ${summary}` : summary,
    startToCloseTimeout: failure.timeoutMs,
    ...(heartbeatTimeout === undefined ? {} : { heartbeatTimeout }),
    retry: {
      maximumAttempts: failure.retry.maximumAttempts,
      initialInterval: failure.retry.initialIntervalMs,
      backoffCoefficient: failure.retry.backoffCoefficient,
      maximumInterval: failure.retry.maximumIntervalMs,
      nonRetryableErrorTypes: [...nonRetryable],
    },
  };
}

/** How a step's input reaches it. */
export interface StepInputOptions {
  /**
   * The input, already resolved: a fan-out's children get their partition and the fan-out's
   * resolved `with` inputs, which must not be read for references a second time (item text that
   * looks like `${...}` is data).
   */
  readonly resolved?: JsonValue;
  /** Passed to the activity: store outputs larger than this (fan-out children keep results small). */
  readonly offloadAboveBytes?: number;
}

/**
 * Executes a handler step to completion (or skip by an operator) and returns its output.
 * Throws an ApplicationFailure when the step fails the task; rethrows cancellation.
 */
export async function executeHandlerStep(
  run: TaskRun,
  record: StepRecord,
  inputs: Readonly<Record<string, JsonValue>>,
  failure: FailurePolicy,
  options: StepInputOptions = {},
): Promise<JsonValue> {
  const handler = record.handler;
  if (handler === null) throw taskFailure('WEFT_INTERNAL', `step '${record.name}' has no handler`);
  const gate = rejectedGateUpstream(run, record);
  if (gate && patched(GATE_BLOCKS_PATCH)) {
    // A gate that did not approve stops what depends on it: the step is skipped, not run.
    record.state = 'skipped';
    record.error = { type: 'GATE_REJECTED', message: `Not run: gate '${gate}' did not approve.` };
    run.blockedBy.set(record.name, gate);
    record.finishedAtMs = Date.now();
    run.outputs.set(record.name, null);
    run.publish();
    stepEnded(run, record, 'skipped');
    return null;
  }
  for (;;) {
    record.state = 'running';
    record.startedAtMs ??= Date.now();
    record.executions++;
    // Re-run after an operator's retry: the task is no longer parked, which its search attributes say.
    run.publish(record.executions === 1 ? progressScope(record) : 'phase');
    try {
      const input = options.resolved ?? resolveValue(inputs, { taskInput: run.taskInput, stepOutputs: Object.fromEntries(run.outputs) });
      run.inputs.set(record.name, input);
      const output =
        handler === GATE_HANDLER
          ? await waitAtGate(run, record, input)
          : handler === FAN_OUT_HANDLER
            ? await runFanOut(run, record, input, failure)
            : await proxyActivities<Record<string, StepActivity>>(stepActivityOptions(run, record, failure, summaryLine(record)))[handler]!({
                step: record.name,
                handler,
                input,
                provenance: record.provenance,
                plan: { name: run.plan.name, version: run.plan.version },
                ...(options.offloadAboveBytes === undefined ? {} : { offloadAboveBytes: options.offloadAboveBytes }),
                ...(run.slice ? { task: run.slice.task } : {}),
              });
      complete(run, record, output);
      return output;
    } catch (err) {
      if (isCancellation(err)) {
        record.state = 'cancelled';
        record.finishedAtMs = Date.now();
        run.publish();
        stepEnded(run, record, 'cancelled');
        throw err;
      }
      record.error = describeFailure(err);
      if (failure.onExhausted === 'fail') throw failStep(run, record);
      const decision = await park(run, record);
      if (decision.action === 'retry') continue;
      if (decision.action === 'skip') {
        record.state = 'skipped';
        operatorSkipped(run, record);
        const output = decision.output ?? null;
        run.outputs.set(record.name, output);
        record.outputBytes = jsonByteLength(output);
        record.finishedAtMs = Date.now();
        run.publish();
        stepEnded(run, record, 'skipped');
        return output;
      }
      throw failStep(run, record, decision.reason);
    }
  }
}

/**
 * How a handler step's start and completion are published: as step progress, which only the
 * current details show (patch `weft-12-batched-provenance`); gates and fan-outs are phases.
 */
function progressScope(record: StepRecord): PublishScope {
  return record.handler === GATE_HANDLER || record.handler === FAN_OUT_HANDLER ? 'phase' : 'step';
}

function complete(run: TaskRun, record: StepRecord, output: JsonValue): void {
  run.outputs.set(record.name, output);
  record.state = 'completed';
  record.error = null;
  record.outputBytes = isBlobRef(output) ? output.bytes : jsonByteLength(output);
  record.finishedAtMs = Date.now();
  run.publish(progressScope(record));
  stepEnded(run, record, 'completed');
}

/**
 * An operator's skip makes the result partial and leaves a searchable trace: `operator` joins
 * `WeftCreatedBy` (an output an operator gave), so `WeftCreatedBy = 'operator'` finds the task.
 */
export function operatorSkipped(run: TaskRun, record: StepRecord): void {
  if (!run.operatorHistory) return;
  run.partial = true;
  run.reason ??= `step '${record.name}' was skipped by an operator (${record.operatorAction ?? 'skip'}); its output was given, not computed`;
}

/** Marks the step failed and returns the task failure to throw. */
export function failStep(run: TaskRun, record: StepRecord, operatorReason?: string): Error {
  record.state = 'failed';
  record.finishedAtMs = Date.now();
  run.publish();
  stepEnded(run, record, 'failed');
  const cause = record.error ? `${record.error.type}: ${record.error.message.replace(/\.+$/, '')}` : 'unknown error';
  const by = operatorReason !== undefined ? ` An operator failed it: ${operatorReason}.` : '';
  return taskFailure(
    'STEP_FAILED',
    `Step '${record.name}' (${record.handler ?? 'planner'}, ${record.provenance.createdBy}) failed: ${cause}.${by}`,
    { step: record.name, error: record.error },
  );
}

/**
 * Parks a step (the dead-letter queue) until an operator decides through the `weft.operate`
 * update; returns the decision. The parked state is visible in `WeftState`.
 */
export async function park(run: TaskRun, record: StepRecord) {
  record.state = 'parked';
  run.operatorDecisions.delete(record.name);
  run.publish();
  stepParked(run, record, 1);
  if (run.operatorHistory) {
    // A labelled timer makes the wait visible where operators land (the Web UI's timeline and
    // pending events) and in history, where `weft dlq list` reads it with no worker running.
    // The error too: for an exhausted planning step it names the last attempt's diagnostic codes.
    const why = record.error ? `${record.error.type}: ${truncate(record.error.message, 160)}` : 'FAILED';
    const summary = `${PARKED_LABEL}${record.name} — ${why}; resolve with weft dlq retry|skip|fail ${run.workflowId} ${record.name}`;
    while (!(await condition(() => run.operatorDecisions.has(record.name), PARKED_TIMER_MS, { summary })));
  } else await condition(() => run.operatorDecisions.has(record.name));
  stepParked(run, record, -1);
  const decision = run.operatorDecisions.get(record.name)!;
  run.operatorDecisions.delete(record.name);
  record.operatorAction = `${decision.action}${decision.by ? ` by ${decision.by}` : ''}${decision.reason ? `: ${decision.reason}` : ''}`;
  return decision;
}

/** A parked step's timer is re-armed each time it fires: a month, so history stays small. */
const PARKED_TIMER_MS = 30 * 24 * 3600_000;

/** Patch ID of skipping the dependents of a gate that did not approve. */
export const GATE_BLOCKS_PATCH = 'weft-gate-blocks-dependents';

/** The gate that blocks this step: a dependency that is a gate which did not approve, or that was itself blocked. */
export function rejectedGateUpstream(run: TaskRun, record: StepRecord): string | null {
  for (const d of record.dependencies) {
    const dep = run.steps.get(d);
    // In a slice, a dependency that ran elsewhere is not in the run: the task said what blocked it.
    if (!dep) {
      const blocked = run.blockedBy.get(d);
      if (blocked !== undefined) return blocked;
      continue;
    }
    const out = run.outputs.get(d);
    if (dep.handler === GATE_HANDLER && isJsonObject(out) && out['approved'] === false) return d;
    const blocked = run.blockedBy.get(d);
    if (blocked !== undefined) return blocked;
  }
  return null;
}

/** A gate step: waits for `weft.gate` or the timeout, in the workflow. */
async function waitAtGate(run: TaskRun, record: StepRecord, raw: JsonValue): Promise<GateOutput> {
  const parsed = gateInputSchema.safeParse(raw);
  if (!parsed.success) {
    throw taskFailure('INPUT_INVALID', `Gate '${record.name}' has invalid inputs: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  }
  const input = parsed.data;
  run.gateDecisions.delete(record.name);
  run.waitingGates.add(record.name);
  run.publish();
  const decided = run.operatorHistory
    ? await condition(() => run.gateDecisions.has(record.name), input.timeout_ms, {
        summary: `${GATE_LABEL}${record.name} waits for a decision (${input.on_timeout} after ${Math.round(input.timeout_ms / 60_000)} min) — weft gate approve|reject ${run.workflowId} ${record.name}`,
      })
    : await condition(() => run.gateDecisions.has(record.name), input.timeout_ms);
  run.waitingGates.delete(record.name);
  if (decided) {
    const d = run.gateDecisions.get(record.name)!;
    const approved = d.decision === 'approve';
    return { outcome: approved ? 'approved' : 'rejected', approved, by: d.by ?? null, comment: d.comment ?? null };
  }
  if (input.on_timeout === 'fail') {
    throw taskFailure('GATE_TIMEOUT', `Gate '${record.name}' got no decision within ${input.timeout_ms} ms (workflow ${workflowInfo().workflowId}).`);
  }
  const approved = input.on_timeout === 'approve';
  return { outcome: 'timed_out', approved, by: null, comment: null };
}
