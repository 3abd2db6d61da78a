/**
 * Engine test harness: a time-skipping environment, one workflow bundle per test file, and a
 * helper that runs one task on a fresh task queue with the given template and planner.
 */
import type { BlobStore } from '../../src/blob/store.js';
import type { WorkflowHandle } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { z } from 'zod';
import { fanOut } from '../../catalog/fan-out.js';
import { gate } from '../../catalog/gate.js';
import type { Fragment } from '../../src/core/fragment.js';
import type { JsonValue } from '../../src/core/json.js';
import type { CompiledPlan } from '../../src/core/plan.js';
import type { Planner } from '../../src/planner/types.js';
import { convergenceStep, defineTemplate, planningStep, staticStep, type PlanningStepInput, type Template } from '../../src/template/define.js';
import { bundleWeftWorkflows } from '../../src/worker.js';
import { runTask as runPublicTask, type TaskRunOutcome } from '../../src/testing/run.js';
import type { AnyHandler } from '../../src/handler.js';
import type { weftTask } from '../../workflows/task.js';
import { stepsQuery } from '../../workflows/definitions.js';
import type { RunLimits } from '../../workflows/definitions.js';
import type { StepRecord } from '../../src/core/steps.js';
import { testHandlers } from './test-handlers.js';

/** Builds the workflow bundle once. */
export function bundle(): Promise<WorkflowBundleWithSourceMap> {
  return bundleWeftWorkflows();
}

/** A small template: `seed` (static) → `plan` (planning) → `converge` (convergence). */
export function testTemplate(planning: Partial<Omit<PlanningStepInput, 'kind' | 'name'>> = {}, budget: Template['budget'] = {}): Template {
  return defineTemplate({
    name: 'engine-test',
    version: '1',
    input: z.object({ n: z.number().default(1) }),
    budget: { maxSteps: 50, maxPlanningPhases: 5, maxLlmCalls: 20, maxCostUsd: 5, maxWallTimeMs: 24 * 3600_000, ...budget },
    steps: [
      staticStep('seed', { handler: 'emit_number', inputs: { value: '${task.input.n}' } }),
      planningStep('plan', {
        dependencies: ['seed'],
        problem: 'Add things up starting from ${task.input.n}.',
        allow: { handlers: ['add', 'emit_number', 'flaky', 'tracked', 'gate', 'fan_out', 'make_rows', 'sum_rows', 'batch_echo'] },
        convergence: 'converge',
        ...planning,
      }),
      convergenceStep('converge', {
        handler: 'collect',
        dependencies: ['plan'],
        inputs: { results: '${steps.plan.output.results}', partial: '${steps.plan.output.partial}', reason: '${steps.plan.output.reason}' },
      }),
    ],
  });
}

/** A fragment from steps. */
export function fragment(steps: Fragment['steps'], next: Fragment['next'] = 'done'): Fragment {
  return { fragment_version: '1', goal: 'test goal', reasoning: 'test reasoning', steps, next };
}

/** A fragment step with defaults. */
export function step(name: string, handler: string, inputs: Record<string, JsonValue>, dependencies: string[] = []): Fragment['steps'][number] {
  return { name, handler, reasoning: `why ${name}`, dependencies, inputs };
}

export type { TaskRunOutcome } from '../../src/testing/run.js';

/**
 * Runs one task to its end on a fresh task queue (`runTask` of `src/testing`), with the test
 * handlers (or `handlers`) plus `gate` and `fan_out` where missing, and `{ n: 1 }` as the default input.
 */
export function runTask(opts: {
  env: TestWorkflowEnvironment;
  workflowBundle: WorkflowBundleWithSourceMap;
  template: Template;
  planner: Planner;
  input?: JsonValue;
  handlers?: readonly AnyHandler[];
  during?: (handle: WorkflowHandle<typeof weftTask>) => Promise<void>;
  workflowId?: string;
  blobStore?: BlobStore;
  /**
   * Start with this compiled plan instead of the template's name (the worker still registers
   * `template`): how a plan that no template compiles to reaches the workflow.
   */
  plan?: CompiledPlan;
  /** Steps whose input and output to query once the task closed (default: all). */
  detailsOf?: (steps: readonly StepRecord[]) => readonly StepRecord[];
  /** Small limits make a test's plan run in slices, or continue as new. */
  limits?: RunLimits;
}): Promise<TaskRunOutcome> {
  const { env, workflowBundle, handlers, input, ...rest } = opts;
  const given = handlers ?? testHandlers;
  // The test template allows gate and fan_out: add them unless the test brought its own.
  const control = [gate, fanOut].filter((h) => !given.some((g) => g.name === h.name));
  let report: NodeJS.Timeout | undefined;
  const during = async (handle: WorkflowHandle<typeof weftTask>): Promise<void> => {
    report = setTimeout(() => void reportHang(env, handle.workflowId), HANG_REPORT_AFTER_MS);
    report.unref();
    if (opts.during) await opts.during(handle);
  };
  return runPublicTask(env, workflowBundle, { ...rest, during, handlers: [...given, ...control], input: input ?? { n: 1 } }).finally(() => clearTimeout(report));
}

/** A task still open after this long (the test timeout is 120 s) gets its histories printed. */
const HANG_REPORT_AFTER_MS = Number(process.env['WEFT_TEST_HANG_REPORT_MS'] ?? 60_000);

/**
 * Prints what a task that has not closed is waiting for — its pending activities and children and
 * the last events of its history and of every child's — so a test that times out says why.
 */
async function reportHang(env: TestWorkflowEnvironment, workflowId: string, depth = 0): Promise<void> {
  try {
    const handle = env.client.workflow.getHandle(workflowId);
    const d = await handle.describe();
    const raw = d.raw;
    const events = (await handle.fetchHistory()).events ?? [];
    const lines = events.slice(-40).map((e) => {
      const attrs = Object.entries(e).find(([k, v]) => k.endsWith('Attributes') && v);
      const detail = attrs ? JSON.stringify(attrs[1], (k, v: unknown) => (k === 'payloads' || k === 'header' || k === 'data' ? '…' : v)).slice(0, 300) : '';
      return `  #${String(e.eventId)} ${String(e.eventType)} ${detail}`;
    });
    const pending = (raw.pendingActivities ?? []).map((a) => `  activity ${a.activityId} ${String(a.state)} attempt ${a.attempt} ${a.lastFailure?.message ?? ''}`);
    const children = (raw.pendingChildren ?? []).map((c) => c.workflowId ?? '');
    console.error(
      [`[hang report] ${workflowId} (${d.status.name}, ${events.length} events, pending workflow task: ${raw.pendingWorkflowTask ? JSON.stringify(raw.pendingWorkflowTask.state) : 'none'})`, ...pending, ...children.map((c) => `  child ${c}`), ...lines].join('\n'),
    );
    if (depth < 2) for (const c of children) await reportHang(env, c, depth + 1);
  } catch (err) {
    console.error(`[hang report] ${workflowId}: ${String(err)}`);
  }
}

/** Polls a condition on a query result (queries do not advance skipped time). */
export async function waitFor<T>(probe: () => Promise<T>, ok: (v: T) => boolean, what: string, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    let v: T | undefined;
    try {
      v = await probe();
    } catch {
      // the workflow may not have run its first task yet
    }
    if (v !== undefined && ok(v)) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; last: ${JSON.stringify(v).slice(0, 500)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/**
 * Waits until step `name` is in `state` (e.g. a gate `running`, a failed step `parked`); returns
 * the step table at that moment.
 */
export function waitForStep(handle: WorkflowHandle<typeof weftTask>, name: string, state: StepRecord['state']): Promise<StepRecord[]> {
  return waitFor(() => handle.query(stepsQuery), (s) => s.some((x) => x.name === name && x.state === state), `${name} ${state}`);
}

/** The failure an update validator rejected with (the client wraps it as the cause). */
export async function updateRejection(update: Promise<unknown>): Promise<{ type: string | undefined; message: string }> {
  try {
    await update;
  } catch (e) {
    const cause = (e as { cause?: { type?: string; message?: string } }).cause;
    return { type: cause?.type, message: cause?.message ?? String(e) };
  }
  throw new Error('the update was accepted, but a rejection was expected');
}
