/**
 * `weftTask`: the one generic workflow every template runs as. It pins the compiled plan and
 * handler manifest in history, runs the frame by ready-set (static steps as activities, planning
 * steps through the planner, then convergence and finalization), and answers operators.
 */
import {
  allHandlersFinished,
  condition,
  patched,
  proxyActivities,
  setHandler,
  ApplicationFailure,
} from '@temporalio/workflow';
import { openLedger, remaining, budgetLine } from '../src/core/budget.js';
import { GATE_HANDLER } from '../src/core/gate.js';
import type { JsonValue } from '../src/core/json.js';
import type { CompiledPlan, PlanStep } from '../src/core/plan.js';
import { countByOrigin, newStepRecord, stepsPage, TEMPLATE_PROVENANCE } from '../src/core/steps.js';
import type { LoadedTemplate, LoadTemplateRequest } from '../activities/types.js';
import { checkSchema } from '../src/core/json-schema/check.js';
import { taskInputFor } from '../src/core/task-input.js';
import { attemptsWithin } from '../src/core/planning-query.js';
import {
  budgetQuery,
  gateUpdate,
  operateUpdate,
  planningQuery,
  sliceStepsSignal,
  slicesQuery,
  stateQuery,
  stepQuery,
  stepsPageQuery,
  stepsQuery,
  type GateDecision,
  type OperateRequest,
  type SliceStepsChanged,
  type TaskInput,
  type TaskResult,
} from './definitions.js';
import { runPlanningStep } from './planning.js';
import { taskFailure } from './failures.js';
import { runReadySet } from './ready-set.js';
import { TaskRun } from './run-state.js';
import { executeHandlerStep } from './step-exec.js';
import { validateOperatorSkip } from './operator.js';
import { taskEnded } from './telemetry.js';
import { forwardToSlice, onSliceSteps, runningSlices } from './slices.js';
import { restore } from './continuation.js';

const { weftLoadTemplate } = proxyActivities<{ weftLoadTemplate(req: LoadTemplateRequest): Promise<LoadedTemplate> }>({
  startToCloseTimeout: '30s',
  retry: { maximumAttempts: 5, nonRetryableErrorTypes: ['TEMPLATE_UNKNOWN', 'TASK_INPUT_INVALID'] },
  summary: 'load the template plan and handler manifest (pinned for replay)',
});

/** Runs one task of any template. */
export async function weftTask(start: TaskInput): Promise<TaskResult> {
  // Handlers first: operators and tools may query a task before its plan has loaded.
  const holder: { run: TaskRun | null } = { run: null };
  installHandlers(holder);
  const operatorHistory = patched(OPERATOR_HISTORY_PATCH);
  // The plan is an activity result or workflow input: either way it is in history, so a deploy
  // that changes the template or the catalog never changes this run on replay.
  const { plan, input } = 'plan' in start ? { plan: start.plan, input: checkedInput(start.plan, start.input) } : await weftLoadTemplate({ name: start.template, input: start.input });
  const run = new TaskRun(plan, input, openLedger(plan.budget, plan.steps.length, Date.now()), operatorHistory, null, start.limits ?? {});
  holder.run = run;
  for (const s of plan.steps) {
    run.add(
      newStepRecord({ name: s.name, kind: s.kind, handler: s.kind === 'planning' ? null : s.handler, dependencies: s.dependencies, provenance: TEMPLATE_PROVENANCE }),
    );
  }
  if ('carried' in start && start.carried) restore(run, start.carried);
  run.state = 'running';
  run.publish();
  try {
    const byName = new Map(plan.steps.map((s) => [s.name, s]));
    await runReadySet(plan.steps, plan.steps.length, (name) => runFrameStep(run, byName.get(name)!));
  } catch (err) {
    run.state = 'failed';
    run.publishNow();
    taskEnded(run, 'failed');
    throw err;
  }
  run.state = 'completed';
  run.publishNow();
  taskEnded(run, run.partial || run.ledger.exhausted !== null ? 'partial' : 'completed');
  await condition(allHandlersFinished);
  return result(run);
}

/**
 * Patch ID of what operators read from history and see in the Web UI: step names first in
 * labels, parked steps and gates waiting on labelled timers, planning outcomes in the memo.
 */
export const OPERATOR_HISTORY_PATCH = 'weft-10-operator-history';

/** Patch ID of applying the input schema's defaults to a plan passed directly, as the template path does. */
export const INPUT_DEFAULTS_PATCH = 'weft-10-input-defaults';

/** A plan passed directly: apply its input schema (defaults, then checks) like every other path. */
function checkedInput(plan: CompiledPlan, input: JsonValue): JsonValue {
  if (patched(INPUT_DEFAULTS_PATCH)) {
    const checked = taskInputFor(plan, input);
    if (!checked.ok) throw taskFailure('TASK_INPUT_INVALID', checked.message);
    return checked.input;
  }
  const issues = checkSchema(plan.inputSchema, input);
  if (issues.length > 0) {
    const shown = issues.slice(0, 5).map((i) => `${i.pointer || '(root)'}: ${i.message}`).join('; ');
    throw taskFailure('TASK_INPUT_INVALID', `The task input does not fit template '${plan.name}': ${shown}.`);
  }
  return input;
}

async function runFrameStep(run: TaskRun, step: PlanStep): Promise<void> {
  // A task continued as new skips what its earlier runs finished.
  const done = run.step(step.name).state;
  if (done === 'completed' || done === 'skipped') return;
  if (step.kind === 'planning') {
    await runPlanningStep(run, step);
    return;
  }
  await executeHandlerStep(run, run.step(step.name), step.inputs, step.failure);
}

function result(run: TaskRun): TaskResult {
  const frame = run.plan.steps;
  const outputs: Record<string, JsonValue> = {};
  for (const s of frame) {
    if (s.kind === 'convergence' || s.kind === 'finalization') outputs[s.name] = run.outputs.get(s.name) ?? null;
  }
  const last = [...frame].reverse().find((s) => s.kind === 'finalization') ?? [...frame].reverse().find((s) => s.kind === 'convergence') ?? frame[frame.length - 1];
  const counts = countByOrigin(run.records());
  return {
    template: run.plan.name,
    version: run.plan.version,
    hash: run.plan.hash,
    result: last ? (run.outputs.get(last.name) ?? null) : null,
    outputs,
    partial: run.partial || run.ledger.exhausted !== null,
    reason: run.reason ?? run.ledger.exhausted?.message ?? null,
    budget: run.ledger,
    steps: { total: run.steps.size, template: counts.template, planned: counts.planned, spawned: counts.spawned },
  };
}

function installHandlers(holder: { run: TaskRun | null }): void {
  const starting = (): never => {
    throw ApplicationFailure.create({ type: 'TASK_STARTING', message: 'The task is still loading its template; try again in a moment.' });
  };
  setHandler(stepsQuery, () => holder.run?.records() ?? []);
  // A query handler records nothing in history: adding one needs no patch.
  setHandler(stepsPageQuery, (from: number) => stepsPage(holder.run?.records() ?? [], from));
  setHandler(slicesQuery, () => runningSlices(holder.run));
  setHandler(sliceStepsSignal, (change: SliceStepsChanged) => {
    if (holder.run) onSliceSteps(holder.run, change);
  });
  setHandler(stateQuery, () => holder.run?.state ?? 'starting');
  setHandler(planningQuery, () => attemptsWithin(holder.run?.planning ?? []));
  setHandler(budgetQuery, () => {
    const run = holder.run ?? starting();
    return { ledger: run.ledger, remaining: remaining(run.ledger, Date.now()), line: budgetLine(run.ledger) };
  });
  setHandler(stepQuery, (name: string) => holder.run?.detail(name) ?? null);
  setHandler(
    operateUpdate,
    async (req: OperateRequest) => {
      const run = holder.run!;
      // A step waiting in a slice gets the decision there; the task's record follows.
      if (!(run.inSlice.has(req.step) && (await forwardToSlice(run, { kind: 'operate', req })))) run.operatorDecisions.set(req.step, req);
      return { step: req.step, state: req.action === 'retry' ? 'retrying' : req.action === 'skip' ? 'skipped' : 'failed' };
    },
    {
      validator: (req: OperateRequest) => {
        const run = holder.run ?? starting();
        const record = run.steps.get(req.step);
        if (!record) throw ApplicationFailure.create({ type: 'STEP_UNKNOWN', message: `No step '${req.step}' in this task.` });
        if (record.state !== 'parked') {
          const parked = run.records().filter((s) => s.state === 'parked').map((s) => s.name);
          throw ApplicationFailure.create({
            type: 'STEP_NOT_PARKED',
            message: `Step '${req.step}' is ${record.state}, not parked. Parked steps: ${parked.join(', ') || '(none)'}.`,
          });
        }
        if (req.action === 'skip') validateOperatorSkip(run, record, req.output);
      },
    },
  );
  setHandler(
    gateUpdate,
    async (req: GateDecision) => {
      const run = holder.run!;
      if (!(run.inSlice.has(req.step) && (await forwardToSlice(run, { kind: 'gate', req })))) run.gateDecisions.set(req.step, req);
      return { step: req.step, outcome: req.decision === 'approve' ? 'approved' : 'rejected' };
    },
    {
      validator: (req: GateDecision) => {
        const run = holder.run ?? starting();
        const record = run.steps.get(req.step);
        if (!record || record.handler !== GATE_HANDLER) {
          throw ApplicationFailure.create({ type: 'GATE_UNKNOWN', message: `No gate step '${req.step}' in this task.` });
        }
        if (!run.waitingGates.has(req.step)) {
          throw ApplicationFailure.create({ type: 'GATE_NOT_WAITING', message: `Gate '${req.step}' is ${record.state}, not waiting for a decision.` });
        }
      },
    },
  );
}

