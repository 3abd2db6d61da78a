/**
 * A fan-out step, in workflow code: partitions its items, adds one child step per partition
 * (`created_by: batch_spawn`, named `parent[i]`) and runs them as ordinary handler steps — same
 * activity, summary, retries and record — a bounded number at once. Its failure strategy decides
 * what a failed partition does: `fail_fast` cancels the rest, `continue` finishes the rest, and
 * both then fail the fan-out (which parks or fails by the step's policy; an operator retry re-runs
 * only the partitions that did not complete); `isolate` records the failure and succeeds.
 */
import { CancellationScope, isCancellation, patched, proxyActivities, workflowInfo } from '@temporalio/workflow';
import { charge, remaining } from '../src/core/budget.js';
import {
  childStepName,
  fanOutSettingsSchema,
  historyRoomProblem,
  itemsAreStored,
  MAX_PARTITIONS,
  MAX_SLICED_PARTITIONS,
  partitionRanges,
  partitionReasoning,
  perPartitionRefusal,
  RUNS_IN_WORKFLOW,
  sliceItems,
  type FanOutFailure,
  type FanOutOutput,
  type FanOutSettings,
  type PartitionRange,
} from '../src/core/fan-out.js';
import { formatIssues } from '../src/core/issues.js';
import { isJsonObject, type JsonValue } from '../src/core/json.js';
import type { FailurePolicy } from '../src/core/plan.js';
import { listChoices } from '../src/core/diagnostics.js';
import { newStepRecord, summaryLine, type StepRecord } from '../src/core/steps.js';
import type { CountItemsRequest, CountItemsResult } from '../activities/types.js';
import { taskFailure } from './failures.js';
import type { TaskRun } from './run-state.js';
import { executeHandlerStep, stepActivityOptions } from './step-exec.js';
import { needsSlices, sliceList, stepsPerSlice, type SliceSpec } from '../src/core/slices.js';
import type { SliceStep } from './definitions.js';
import { joinOutputs, runSlices, SLICES_PATCH } from './slices.js';

/**
 * Bytes of inline results all children together aim to stay under: each child stores a larger
 * output as a blob, so the fan-out's output (every child's result) stays small in history.
 */
const INLINE_RESULTS_BUDGET_BYTES = 256 * 1024;
/** The smallest per-child threshold: below this, a reference would be as big as the value. */
const MIN_CHILD_INLINE_BYTES = 1024;
/** Failed partitions named in a failure message at most. */
const MAX_NAMED_FAILURES = 5;

/** Runs a fan-out step whose inputs are resolved; returns its output or throws its failure. */
export async function runFanOut(run: TaskRun, parent: StepRecord, input: JsonValue, failure: FailurePolicy): Promise<FanOutOutput> {
  const { settings, items } = parseInput(parent, input);
  checkChildHandler(run, parent, settings.handler);
  const count = itemsAreStored(items) ? await countStoredItems(run, parent, items, failure) : (items as JsonValue[]).length;
  const ranges = partitionRanges(count, settings.partition_size);
  // More partitions than one history should hold run in slices (child workflows).
  const sliced = run.children.has(parent.name) ? childrenSliced(run, parent) : needsSlices(ranges.length, run.limits) && patched(SLICES_PATCH);
  const children = spawnChildren(run, parent, settings, ranges, sliced);
  const failed = sliced
    ? await runSlicedChildren(run, parent, settings, items, ranges, children, failure)
    : await runChildren(run, parent, settings, items, ranges, children, failure);
  const completed = children.map((name) => run.step(name).state === 'completed');
  const succeeded = completed.filter(Boolean).length;
  // Thousands of results are joined in the blob store: the output holds their reference.
  const results = sliced
    ? ((await joinOutputs(run, parent.name, children.map((name, i) => (completed[i] ? name : '')), 'array', `${parent.name} · join the results of ${children.length} partitions`)) as unknown as JsonValue[])
    : children.map((name, i) => (completed[i] ? (run.outputs.get(name) ?? null) : null));
  const output: FanOutOutput = { results, items: count, partitions: ranges.length, succeeded, failed };
  if (failed.length > 0 && settings.on_failure !== 'isolate') throw partitionsFailed(run, parent, settings, output, failure);
  return output;
}

function parseInput(parent: StepRecord, input: JsonValue): { settings: FanOutSettings; items: JsonValue } {
  if (!isJsonObject(input)) throw taskFailure('INPUT_INVALID', `Fan-out '${parent.name}' has inputs that are not an object.`);
  const { items, ...rest } = input;
  const parsed = fanOutSettingsSchema.safeParse(rest);
  if (!parsed.success) {
    throw taskFailure('INPUT_INVALID', `Fan-out '${parent.name}' has invalid inputs: ${formatIssues(parsed.error)}.`);
  }
  if (items === undefined || !(Array.isArray(items) || itemsAreStored(items))) {
    throw taskFailure(
      'INPUT_INVALID',
      `Fan-out '${parent.name}': input 'items' must be an array, but it is ${items === undefined ? 'missing' : items === null ? 'null' : typeof items}. Reference an array, e.g. \${steps.<name>.output.rows}.`,
    );
  }
  return { settings: parsed.data, items };
}

/** The validator checks this for planned steps; a template's own fan-out step is checked here. */
function checkChildHandler(run: TaskRun, parent: StepRecord, handler: string): void {
  const refusal = perPartitionRefusal(handler, Object.keys(run.plan.catalog));
  if (!refusal) return;
  const why = refusal.inWorkflow ? RUNS_IN_WORKFLOW : "is not in this task's catalog";
  throw taskFailure('FAN_OUT_HANDLER_INVALID', `Fan-out '${parent.name}' runs '${handler}' per partition, which ${why}. Use one of: ${listChoices(refusal.usable)}.`);
}

/** Items in the blob store are counted by an activity; they never enter the workflow. */
async function countStoredItems(run: TaskRun, parent: StepRecord, items: JsonValue, failure: FailurePolicy): Promise<number> {
  const { weftCountItems } = proxyActivities<{ weftCountItems(req: CountItemsRequest): Promise<CountItemsResult> }>(
    stepActivityOptions(run, parent, failure, summaryLine(parent, 'count the stored items to partition')),
  );
  return (await weftCountItems({ step: parent.name, items })).count;
}

/**
 * Adds the children on the first execution, charging them to the step budget; a retry of the
 * fan-out (an operator's, after it parked) reuses them, so completed partitions do not run again.
 */
function spawnChildren(run: TaskRun, parent: StepRecord, settings: FanOutSettings, ranges: readonly PartitionRange[], sliced: boolean): readonly string[] {
  const existing = run.children.get(parent.name);
  if (existing) {
    if (existing.length === ranges.length) return existing;
    throw taskFailure(
      'FAN_OUT_ITEMS_CHANGED',
      `Fan-out '${parent.name}' now makes ${ranges.length} partitions, but its first execution made ${existing.length}: its items changed between executions. Skip the step with an output, or fail it.`,
    );
  }
  const n = ranges.length;
  const count = ranges.reduce((a, r) => a + r.end - r.start, 0);
  const minSize = (limit: number): number => Math.ceil(count / Math.max(1, limit));
  const max = sliced ? MAX_SLICED_PARTITIONS : MAX_PARTITIONS;
  if (n > max) {
    throw taskFailure(
      'FAN_OUT_TOO_MANY_PARTITIONS',
      `Fan-out '${parent.name}' would make ${n} partitions of ${settings.partition_size}; at most ${max} are allowed. Set partition_size to at least ${minSize(max)}.`,
    );
  }
  if (!sliced) {
    const info = workflowInfo();
    const crowded = historyRoomProblem(n, { events: info.historyLength, bytes: info.historySize }, count);
    if (crowded) throw taskFailure('FAN_OUT_TOO_MANY_PARTITIONS', `Fan-out '${parent.name}': ${crowded}.`);
  }
  const left = remaining(run.ledger, Date.now()).steps;
  if (n > left) {
    throw taskFailure(
      'FAN_OUT_TOO_MANY_PARTITIONS',
      `Fan-out '${parent.name}' would add ${n} child steps, but the step budget has ${left} left (${run.ledger.used.steps} of ${run.ledger.limits.maxSteps} used). ` +
        `Set partition_size to at least ${minSize(left)}, or raise the template's maxSteps.`,
    );
  }
  const perChildCost = run.plan.catalog[settings.handler]?.estimatedCostUsd ?? 0;
  run.ledger = charge(run.ledger, { steps: n, costUsd: perChildCost * n });
  const names = ranges.map((range) => {
    const name = childStepName(parent.name, range.index);
    run.add(
      newStepRecord({
        name,
        kind: 'planned',
        handler: settings.handler,
        dependencies: [],
        spawnedBy: parent.name,
        provenance: {
          createdBy: 'batch_spawn',
          planningStep: parent.provenance.planningStep,
          fragmentId: parent.provenance.fragmentId,
          planningPhase: parent.provenance.planningPhase,
          planningReasoning: partitionReasoning(parent.name, range, n),
        },
      }),
    );
    return name;
  });
  run.children.set(parent.name, names);
  run.publish();
  return names;
}

/** Runs the children not yet completed; returns the failed partitions, in partition order. */
async function runChildren(
  run: TaskRun,
  parent: StepRecord,
  settings: FanOutSettings,
  items: JsonValue,
  ranges: readonly PartitionRange[],
  children: readonly string[],
  failure: FailurePolicy,
): Promise<FanOutFailure[]> {
  // A child is run like any step, but its failure is the fan-out's to handle: it never parks alone.
  const childFailure: FailurePolicy = { ...failure, onExhausted: 'fail' };
  const offloadAboveBytes = Math.max(MIN_CHILD_INLINE_BYTES, Math.floor(INLINE_RESULTS_BUDGET_BYTES / Math.max(1, ranges.length)));
  const withInputs = settings.with;
  const failures = new Map<number, FanOutFailure>();
  const stop = new CancellationScope();
  const todo = children.filter((name) => run.step(name).state !== 'completed');
  const indexOf = new Map(children.map((name, i) => [name, i]));
  const stopped: { by: FanOutFailure | null } = { by: null };
  try {
    await stop.run(() =>
      runPool(todo, settings.concurrency, () => stopped.by !== null, async (name) => {
        const i = indexOf.get(name) as number;
        const range = ranges[i] as PartitionRange;
        const record = run.step(name);
        record.error = null;
        const input: JsonValue = { ...withInputs, [settings.partition_input]: sliceItems(items, range) };
        try {
          await executeHandlerStep(run, record, {}, childFailure, { resolved: input, offloadAboveBytes });
        } catch (err) {
          if (isCancellation(err)) throw err;
          const f: FanOutFailure = { partition: i, step: name, start: range.start, end: range.end, error: record.error ?? { type: 'UNKNOWN', message: String(err) } };
          failures.set(i, f);
          if (settings.on_failure === 'fail_fast') {
            stopped.by = f;
            throw err;
          }
        }
      }),
    );
  } catch (err) {
    // Only our own stop is handled here; a cancellation from outside (the wall-time budget) goes on.
    const by = stopped.by;
    if (by === null || CancellationScope.current().consideredCancelled) {
      markNotRun(run, children, { type: 'CANCELLED', message: `Not finished: fan-out '${parent.name}' was cancelled.` });
      throw err;
    }
    stop.cancel();
    markNotRun(run, children, {
      type: 'FAN_OUT_STOPPED',
      message: `Not run: partition ${by.partition} (${by.step}) failed and on_failure is fail_fast.`,
    });
  }
  return [...failures.values()].sort((a, b) => a.partition - b.partition);
}

/** True when the fan-out's first execution ran its children in slices (a retry does the same). */
function childrenSliced(run: TaskRun, parent: StepRecord): boolean {
  return run.sliceChunks.has(parent.name) || (run.children.get(parent.name) ?? []).some((c) => run.slicedSteps.has(c));
}

/** Runs the children not yet completed in slices (child workflows); returns the failed partitions. */
async function runSlicedChildren(
  run: TaskRun,
  parent: StepRecord,
  settings: FanOutSettings,
  items: JsonValue,
  ranges: readonly PartitionRange[],
  children: readonly string[],
  failure: FailurePolicy,
): Promise<FanOutFailure[]> {
  const indexOf = new Map(children.map((name, i) => [name, i]));
  const todo = children.filter((name) => run.step(name).state !== 'completed');
  const offloadAboveBytes = Math.max(MIN_CHILD_INLINE_BYTES, Math.floor(INLINE_RESULTS_BUDGET_BYTES / Math.max(1, ranges.length)));
  const stepsOf = (spec: SliceSpec): SliceStep[] =>
    spec.steps.map((name) => {
      const range = ranges[indexOf.get(name) as number] as PartitionRange;
      return { record: run.step(name), resolved: { ...settings.with, [settings.partition_input]: sliceItems(items, range) } };
    });
  let outcome: Awaited<ReturnType<typeof runSlices>>;
  try {
    outcome = await runSlices(run, {
      owner: parent,
      slices: sliceList(todo, parent.name, stepsPerSlice(run.limits)),
      stepsOf,
      concurrency: settings.concurrency,
      // A child is run like any step, but its failure is the fan-out's to handle: it never parks alone.
      failure: { ...failure, onExhausted: 'fail' },
      onStepFailure: settings.on_failure === 'fail_fast' ? 'stop' : 'continue',
      offloadAboveBytes,
    });
  } catch (err) {
    if (isCancellation(err)) markNotRun(run, children, { type: 'CANCELLED', message: `Not finished: fan-out '${parent.name}' was cancelled.` });
    throw err;
  }
  const failures = outcome.failed.map((f): FanOutFailure => {
    const i = indexOf.get(f.step) as number;
    const range = ranges[i] as PartitionRange;
    return { partition: i, step: f.step, start: range.start, end: range.end, error: f.error };
  });
  const first = failures[0];
  if (first && settings.on_failure === 'fail_fast') {
    markNotRun(run, children, { type: 'FAN_OUT_STOPPED', message: `Not run: partition ${first.partition} (${first.step}) failed and on_failure is fail_fast.` });
  }
  return failures.sort((a, b) => a.partition - b.partition);
}

/**
 * Runs `fn` for each name in order, at most `concurrency` at once, until `stopped()`; rejects with
 * the first failure. A fixed set of loops, each awaiting one child at a time: the workflow sandbox
 * records a stack trace for every promise it creates, so racing all running children after each
 * completion (`Promise.race`) would cost a promise per running child per completion.
 */
async function runPool(names: readonly string[], concurrency: number, stopped: () => boolean, fn: (name: string) => Promise<void>): Promise<void> {
  let next = 0;
  const loop = async (): Promise<void> => {
    while (next < names.length && !stopped()) await fn(names[next++] as string);
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, names.length) }, loop));
}

/** Marks children that did not finish as cancelled, with why. */
function markNotRun(run: TaskRun, children: readonly string[], error: { type: string; message: string }): void {
  for (const name of children) {
    const r = run.step(name);
    if (r.state === 'pending' || r.state === 'running') {
      r.state = 'cancelled';
      r.error = error;
      r.finishedAtMs ??= Date.now();
    }
  }
  run.publish();
}

function partitionsFailed(run: TaskRun, parent: StepRecord, settings: FanOutSettings, output: FanOutOutput, failure: FailurePolicy) {
  const named = output.failed
    .slice(0, MAX_NAMED_FAILURES)
    .map((f) => `${f.step} (${f.error.type}: ${f.error.message.replace(/\.+$/, '')})`)
    .join('; ');
  const more = output.failed.length > MAX_NAMED_FAILURES ? `; and ${output.failed.length - MAX_NAMED_FAILURES} more` : '';
  const notRun = settings.on_failure === 'fail_fast' ? `; the rest were stopped (on_failure fail_fast)` : '';
  const next =
    failure.onExhausted === 'park'
      ? `A retry re-runs only the partitions that did not complete (weft dlq retry ${run.workflowId} ${parent.name}).`
      : `With on_failure 'isolate' the other partitions' results would have been kept; a step policy that parks would let an operator re-run only the failed ones.`;
  return taskFailure(
    'FAN_OUT_PARTITIONS_FAILED',
    `${output.failed.length} of ${output.partitions} partitions of fan-out '${parent.name}' failed: ${named}${more}${notRun}. ${next}`,
    { failed: output.failed },
  );
}
