/**
 * A planning step's lifecycle: for each phase, ask the planner (an activity), validate the
 * fragment in workflow code, re-plan with the diagnostics until the attempt limit, fall back or
 * park, then run the accepted fragment. Budgets are checked before every planning call.
 */
import { ActivityFailure, ApplicationFailure, isCancellation, patched, proxyActivities, TimeoutFailure } from '@temporalio/workflow';
import type { FailedCallsDetails } from '../activities/planning.js';
import { charge, exhaust, planningAllowed, remaining, type BudgetDimension, type BudgetExhaustion } from '../src/core/budget.js';
import type { Fragment } from '../src/core/fragment.js';
import { fragmentId as makeFragmentId } from '../src/core/hash.js';
import { jsonByteLength, type JsonValue } from '../src/core/json.js';
import { isBlobRef } from '../src/core/blob.js';
import type { PlanPlanningStep } from '../src/core/plan.js';
import type { PlanningOutput } from '../src/core/planning-output.js';
import { resolveValue } from '../src/core/references.js';
import { outcomeLine } from '../src/core/planning-outcome.js';
import { newestWithin, REQUEST_LIST_BYTES } from '../src/core/planning-request.js';
import { newStepRecord, summaryLine, type StepRecord } from '../src/core/steps.js';
import { viewResult, type ResultView } from '../src/core/summarize.js';
import type { ValidationContext, ValidationResult } from '../src/core/validation.js';
import { validateFragment, validateFragmentUnguarded } from '../src/core/validator/index.js';
import type { FailedAttempt, FailedProviderCall, PlanningRequest, PlanningResult } from '../src/planner/types.js';
import type { PlanningAttemptEvent, PlanningAttemptResult } from '../src/core/telemetry.js';
import type { PlanningAttempt } from './definitions.js';
import { describeFailure, taskFailure } from './failures.js';
import { runFragment } from './fragment-exec.js';
import { joinOutputs } from './slices.js';
import { continueNow, shouldContinue } from './continuation.js';
import { knownSteps } from './known-steps.js';
import type { TaskRun } from './run-state.js';
import { executeHandlerStep, failStep, operatorSkipped, park, stepActivityOptions } from './step-exec.js';
import { fragmentAccepted, llmUsage, planningAttempt, stepEnded } from './telemetry.js';

type PlanActivity = (request: PlanningRequest) => Promise<PlanningResult>;

/** Patch ID of the visible summarize steps before planning calls. */
export const SUMMARIZE_STEPS_PATCH = 'weft-summarize-steps';

/**
 * Patch ID of guarded validation: a nesting limit checked before any recursive pass, and an
 * exception of the validator turned into a rejected attempt (`VALIDATOR_FAILED`) instead of a
 * failed workflow task retried forever. Runs recorded before it validate as they did.
 */
export const VALIDATION_GUARD_PATCH = 'weft-13-validation-guard';

/** Validates a fragment the way this run's history expects (guarded, unless recorded before the guard). */
function validate(raw: unknown, ctx: ValidationContext): ValidationResult {
  return patched(VALIDATION_GUARD_PATCH) ? validateFragment(raw, ctx) : validateFragmentUnguarded(raw, ctx);
}

/**
 * Patch ID of failed-call accounting: provider calls that failed (401, 429, 5xx, timeouts) are
 * charged to the LLM-call budget and recorded on the planning attempt. Only runs with failed
 * calls reach it, and runs recorded before it carried none in their payloads.
 */
export const FAILED_CALLS_PATCH = 'weft-13-failed-call-accounting';

/** The failed provider calls a planning activity's failure carries (its own and earlier tries'). */
function failedCallsOf(err: unknown): readonly FailedProviderCall[] {
  const e = err instanceof ActivityFailure && err.cause ? err.cause : err;
  const details: readonly unknown[] =
    e instanceof ApplicationFailure ? (e.details ?? []) : e instanceof TimeoutFailure ? [e.lastHeartbeatDetails] : [];
  for (const d of details) {
    if (typeof d !== 'object' || d === null) continue;
    const calls = (d as Partial<FailedCallsDetails>).weftFailedCalls ?? (d as { failedCalls?: unknown }).failedCalls;
    if (Array.isArray(calls)) return calls as FailedProviderCall[];
  }
  return [];
}

/** Charges failed calls to the LLM-call budget (a run recorded before the patch charged none). */
function chargeFailedCalls(run: TaskRun, calls: readonly FailedProviderCall[]): readonly FailedProviderCall[] {
  if (calls.length === 0 || !patched(FAILED_CALLS_PATCH)) return [];
  run.ledger = charge(run.ledger, { llmCalls: calls.length, costUsd: 0 });
  return calls;
}

/**
 * Failure types a planner uses to decline a call that would exceed what remains of the task's
 * budget (it knows its own price and token estimate; the workflow does not).
 */
export const PLANNER_BUDGET_REFUSALS: Readonly<Record<string, BudgetDimension>> = {
  BUDGET_COST: 'cost_usd',
  BUDGET_LLM_CALLS: 'llm_calls',
};

type PhaseOutcome =
  | { readonly kind: 'accepted'; readonly fragment: Fragment; readonly fragmentId: string; readonly reasoning: string }
  | { readonly kind: 'budget'; readonly why: BudgetExhaustion }
  | { readonly kind: 'exhausted'; readonly lastError: string };

/** Results of sliced steps larger than this (bytes of JSON, references included) are joined into one stored value. */
const JOIN_RESULTS_ABOVE_BYTES = 64 * 1024;

/** Runs a planning step to its output. */
export async function runPlanningStep(run: TaskRun, ps: PlanPlanningStep): Promise<JsonValue> {
  const record = run.step(ps.name);
  record.state = 'running';
  record.startedAtMs ??= Date.now();
  run.state = 'planning';
  run.publish();
  // A task continued as new picks its planning step up at the phase after the last one run.
  const resume = run.carried?.resume?.step === ps.name ? run.carried.resume : null;
  const planned: string[] = [...(resume?.planned ?? [])];
  const results: Record<string, JsonValue> = { ...(resume?.results ?? {}) };
  let partial = resume?.partial ?? false;
  let reason: string | null = resume?.reason ?? null;
  let phase = resume?.phase ?? 0;
  let sliced = run.slicedSteps.size > 0;
  while (phase < ps.maxPhases) {
    phase++;
    const outcome = await planPhase(run, ps, record, phase, planned);
    if (outcome.kind === 'budget') {
      run.ledger = exhaust(run.ledger, outcome.why);
      partial = true;
      reason = outcome.why.message;
      break;
    }
    if (outcome.kind === 'exhausted') {
      record.error = { type: 'PLANNING_EXHAUSTED', message: outcome.lastError };
      if (ps.onExhausted === 'fail') throw failStep(run, record);
      const decision = await park(run, record);
      record.error = null;
      if (decision.action === 'retry') {
        record.state = 'running';
        run.publish();
        phase--;
        continue;
      }
      if (decision.action === 'skip') {
        record.state = 'skipped';
        operatorSkipped(run, record);
        record.finishedAtMs = Date.now();
        const output = decision.output ?? { results, steps: planned, phases: phase - 1, partial: true, reason: 'planning skipped by an operator' };
        run.outputs.set(ps.name, output);
        run.publish();
        stepEnded(run, record, 'skipped');
        return output;
      }
      throw failStep(run, record, decision.reason);
    }
    const { fragment, fragmentId, reasoning } = outcome;
    run.ledger = charge(run.ledger, { steps: fragment.steps.length, planningPhases: 1 });
    fragmentAccepted(run, ps.name, fragmentId, fragment);
    const records = fragment.steps.map((s) =>
      newStepRecord({
        name: s.name,
        kind: 'planned',
        handler: s.handler,
        dependencies: s.dependencies,
        provenance: { createdBy: 'planning_step', planningStep: ps.name, fragmentId, planningPhase: phase, planningReasoning: s.reasoning || reasoning },
      }),
    );
    for (const r of records) run.add(r);
    planned.push(...records.map((r) => r.name));
    run.state = 'running';
    run.publish();
    const outcomeOfRun = await runFragment(run, ps, fragment);
    sliced ||= outcomeOfRun.sliced;
    for (const name of outcomeOfRun.terminal) {
      const out = run.outputs.get(name);
      if (out !== undefined) results[name] = out;
    }
    if (outcomeOfRun.stopped) {
      partial = true;
      reason = outcomeOfRun.stopped.message;
      break;
    }
    if (fragment.next === 'done') break;
    const here = { step: ps.name, phase, planned, results, partial, reason };
    if (shouldContinue(run, here)) await continueNow(run, here);
    run.state = 'planning';
    run.publish();
  }
  // The results of thousands of sliced steps are joined in the blob store: the output holds their reference.
  const joined =
    sliced && jsonByteLength(results) > JOIN_RESULTS_ABOVE_BYTES
      ? ((await joinOutputs(run, ps.name, Object.keys(results), 'object', `${ps.name} · join the results of ${Object.keys(results).length} planned steps`)) as unknown as Record<string, JsonValue>)
      : results;
  const output: PlanningOutput = { results: joined, steps: planned, phases: phase, partial, reason };
  if (partial) {
    run.partial = true;
    run.reason ??= reason;
  }
  record.state = 'completed';
  record.finishedAtMs = Date.now();
  run.outputs.set(ps.name, output);
  run.state = 'running';
  run.publish();
  stepEnded(run, record, 'completed');
  return output;
}

/** One phase: attempts with diagnostics fed back, then the fallback. */
async function planPhase(run: TaskRun, ps: PlanPlanningStep, record: StepRecord, phase: number, planned: readonly string[]): Promise<PhaseOutcome> {
  // Summarize steps arrived after runs were recorded: the patch keeps those histories replaying
  // (they take the old path, with no await before the first planning call).
  if (run.plan.catalog['summarize'] && patched(SUMMARIZE_STEPS_PATCH)) await summarizeSeen(run, ps, phase, [...ps.sees, ...planned]);
  const failures: FailedAttempt[] = [];
  let lastError = `no valid fragment after ${ps.maxAttempts} attempt(s)`;
  for (let attempt = 1; attempt <= ps.maxAttempts; attempt++) {
    const why = planningAllowed(run.ledger, Date.now(), attempt === 1);
    if (why) return { kind: 'budget', why };
    const ctx = validationContext(run, ps, phase);
    const request = planningRequest(run, ps, phase, attempt, ctx, planned, failures);
    record.executions++;
    const startedAtMs = Date.now();
    let result: PlanningResult;
    try {
      result = await proxyActivities<{ weftPlan: PlanActivity }>(
        stepActivityOptions(run, record, ps.failure, summaryLine(record, `phase ${phase}, attempt ${attempt}${previousOutcome(run, ps.name, phase)}`)),
      ).weftPlan(request);
    } catch (err) {
      if (isCancellation(err)) throw err;
      const error = describeFailure(err);
      planningAttempt(attemptEvent(run, ps, phase, attempt, 'failed', [error.type], null, startedAtMs));
      const failedCalls = chargeFailedCalls(run, failedCallsOf(err));
      const budget = PLANNER_BUDGET_REFUSALS[error.type];
      if (budget) {
        // The planner declined a call that would overrun the budget: converge, do not degrade.
        run.planning.push(attemptRecord(ps, phase, attempt, 'planner', null, null, { ok: false, fragment: null, diagnostics: [] }, request, error, failedCalls));
        return { kind: 'budget', why: { dimension: budget, message: `${error.message} Converging with the results so far.` } };
      }
      lastError = `the planner failed: ${error.type}: ${error.message}`;
      run.planning.push(attemptRecord(ps, phase, attempt, 'planner', null, null, { ok: false, fragment: null, diagnostics: [] }, request, error, failedCalls));
      run.publish();
      break; // a provider outage past the activity's retries: fall back or park, do not burn attempts
    }
    run.ledger = charge(run.ledger, { llmCalls: result.llmCalls, costUsd: result.costUsd });
    const failedBefore = chargeFailedCalls(run, result.failedCalls ?? []);
    const validation = validate(result.output, ctx);
    const id = validation.ok ? makeFragmentId(ps.name, phase, validation.fragment) : null;
    run.planning.push(attemptRecord(ps, phase, attempt, 'planner', id, result, validation, request, null, failedBefore));
    planningAttempt(attemptEvent(run, ps, phase, attempt, validation.ok ? 'accepted' : 'rejected', validation.diagnostics.map((d) => d.code), result, startedAtMs));
    if (validation.ok) return { kind: 'accepted', fragment: validation.fragment, fragmentId: id!, reasoning: validation.fragment.reasoning };
    run.validationFailures++;
    failures.push({ attempt, diagnostics: validation.diagnostics, rejected: result.output });
    lastError = `no valid fragment after ${attempt} attempt(s); last diagnostics: ${validation.diagnostics.slice(0, 3).map((d) => d.code).join(', ')}`;
    run.publish();
  }
  if (ps.fallback) {
    const ctx = validationContext(run, ps, phase);
    const validation = validate(ps.fallback, ctx);
    const id = validation.ok ? makeFragmentId(ps.name, phase, validation.fragment) : null;
    run.planning.push(attemptRecord(ps, phase, failures.length + 1, 'fallback', id, null, validation, null, null));
    if (validation.ok) return { kind: 'accepted', fragment: validation.fragment, fragmentId: id!, reasoning: `fallback: ${validation.fragment.reasoning}` };
    run.validationFailures++;
    lastError += `; the template's fallback fragment is invalid too (${validation.diagnostics.map((d) => d.code).join(', ')})`;
  }
  return { kind: 'exhausted', lastError };
}

/** A planner attempt for telemetry: tokens by type, cost, latency, and the result of validation. */
function attemptEvent(
  run: TaskRun,
  ps: PlanPlanningStep,
  phase: number,
  attempt: number,
  result: PlanningAttemptResult,
  codes: readonly string[],
  planning: PlanningResult | null,
  startedAtMs: number,
): PlanningAttemptEvent {
  return {
    template: run.plan.name,
    planningStep: ps.name,
    phase,
    attempt,
    result,
    codes,
    provider: planning?.planner ?? null,
    model: planning?.model ?? null,
    // `input` is every prompt token, cached or not (GenAI's input_tokens); the cache classes break it down.
    tokens: planning
      ? {
          input: planning.inputTokens,
          output: planning.outputTokens,
          ...(planning.usage ? { cache_read: planning.usage.cacheRead, cache_creation: planning.usage.cacheWrite5m + planning.usage.cacheWrite1h } : {}),
        }
      : {},
    costUsd: planning?.costUsd ?? 0,
    latencyMs: planning?.latencyMs ?? 0,
    startedAtMs,
    finishedAtMs: Date.now(),
  };
}

/**
 * On the next planning call's label, how the attempt before it ended, so the Web UI's timeline
 * shows rejected attempts (each planning activity itself completes: the planner answered).
 */
function previousOutcome(run: TaskRun, step: string, phase: number): string {
  if (!run.operatorHistory) return '';
  const last = run.planning[run.planning.length - 1];
  if (!last || last.planningStep !== step || last.phase !== phase) return '';
  return ` (attempt ${last.attempt} ${outcomeLine(last)})`;
}

/** The validation context at this point of the run. */
function validationContext(run: TaskRun, ps: PlanPlanningStep, phase: number): ValidationContext {
  const r = remaining(run.ledger, Date.now());
  return {
    planningStep: ps.name,
    allowedHandlers: ps.allowedHandlers,
    maxSteps: ps.maxSteps,
    maxDepth: ps.maxDepth,
    maxFragmentBytes: ps.maxFragmentBytes,
    catalog: run.plan.catalog,
    taskInputSchema: run.plan.inputSchema,
    knownSteps: knownSteps(run, ps),
    mutationPolicy: ps.mutations ?? 'require_gate', // plans pinned before the policy existed have none
    // this phase is charged on acceptance, so what may follow it is what remains minus one
    remaining: { steps: r.steps, phases: Math.max(0, Math.min(r.planningPhases - 1, ps.maxPhases - phase)), costUsd: r.costUsd },
  };
}

function planningRequest(
  run: TaskRun,
  ps: PlanPlanningStep,
  phase: number,
  attempt: number,
  ctx: ValidationContext,
  planned: readonly string[],
  failures: readonly FailedAttempt[],
): PlanningRequest {
  let problem: JsonValue;
  try {
    problem = resolveValue(ps.problem, { taskInput: run.taskInput, stepOutputs: {} });
  } catch (e) {
    throw taskFailure('REFERENCE_UNRESOLVED', `The problem text of '${ps.name}' cannot be filled in: ${(e as Error).message}`);
  }
  const seen = [...ps.sees, ...planned];
  const results: ResultView[] = [];
  for (const name of seen) {
    const out = run.outputs.get(name);
    if (out === undefined) continue;
    const view = viewResult(name, out, ps.summarization);
    const summary = run.summaries.get(name);
    results.push(summary && view.mode !== 'verbatim' && view.mode !== 'summary' ? { step: name, mode: 'summary', bytes: view.bytes, summarizedBy: summary.by, summary: summary.text, shape: view.shape } : view);
  }
  const available = Object.values(ctx.knownSteps).filter((k) => k.availability === 'complete');
  // The lists grow with the task: each keeps the template's steps and the newest planned ones within
  // a byte budget, so that requests (written to history every phase) stay small. Only the activity's
  // input changes, never a command, so recorded runs replay the same: no patch.
  const ofTemplate = (name: string): boolean => run.steps.get(name)?.provenance.createdBy === 'template';
  const shownResults = newestWithin(results, (r) => ofTemplate(r.step), REQUEST_LIST_BYTES.results);
  const shownAvailable = newestWithin(
    available.map((k) => ({ name: k.name, outputSchema: k.outputSchema })),
    (k) => ofTemplate(k.name),
    REQUEST_LIST_BYTES.availableSteps,
  );
  // A fan-out's children are named `parent[i]`, which no planned step can be: they take no name.
  const taken = run.records().flatMap((r) => (r.spawnedBy === null ? [r.name] : []));
  const shownNames = newestWithin(taken, ofTemplate, REQUEST_LIST_BYTES.reservedNames);
  const omitted = { results: shownResults.omitted, availableSteps: shownAvailable.omitted, reservedNames: shownNames.omitted };
  return {
    taskId: run.workflowId,
    template: { name: run.plan.name, version: run.plan.version },
    planningStep: ps.name,
    phase,
    attempt,
    problem: typeof problem === 'string' ? problem : JSON.stringify(problem),
    taskInput: run.taskInput,
    results: shownResults.kept,
    capabilities: ps.allowedHandlers.map((h) => run.plan.catalog[h]).filter((e) => e !== undefined),
    constraints: {
      maxSteps: ps.maxSteps,
      maxDepth: ps.maxDepth,
      convergence: ps.convergence,
      reservedNames: shownNames.kept,
      availableSteps: shownAvailable.kept,
      phasesAfterThis: ctx.remaining.phases,
      remaining: remaining(run.ledger, Date.now()),
    },
    failures,
    ...(ps.planner ? { planner: ps.planner } : {}),
    ...(omitted.results + omitted.availableSteps + omitted.reservedNames > 0 ? { omitted } : {}),
  };
}

function attemptRecord(
  ps: PlanPlanningStep,
  phase: number,
  attempt: number,
  source: PlanningAttempt['source'],
  fragmentId: string | null,
  result: PlanningResult | null,
  validation: ValidationResult,
  request: PlanningRequest | null,
  error: PlanningAttempt['error'],
  /** Provider calls that failed in this attempt, already charged (none before the patch). */
  failedCalls: readonly FailedProviderCall[] = [],
): PlanningAttempt {
  const lastFailed = failedCalls[failedCalls.length - 1];
  return {
    planningStep: ps.name,
    phase,
    attempt,
    source,
    accepted: validation.ok,
    fragmentId,
    output: source === 'fallback' ? ps.fallback : (result?.output ?? null),
    fragment: validation.fragment,
    diagnostics: validation.diagnostics,
    capabilities: request ? request.capabilities.map((c) => c.name) : ps.allowedHandlers,
    planner: result?.planner ?? null,
    model: result?.model ?? lastFailed?.model ?? null,
    inputTokens: result?.inputTokens ?? 0,
    outputTokens: result?.outputTokens ?? 0,
    costUsd: result?.costUsd ?? 0,
    latencyMs: result?.latencyMs ?? failedCalls.reduce((sum, c) => sum + c.latencyMs, 0),
    llmCalls: (result?.llmCalls ?? 0) + failedCalls.length,
    ...(failedCalls.length > 0 ? { failedCalls } : {}),
    prompt: result?.prompt ?? null,
    promptRef: result?.promptRef ?? null,
    context: result?.context ?? null,
    error,
    atMs: Date.now(),
    usage: result?.usage ?? null,
    outputMode: result?.outputMode ?? null,
    thinking: result?.thinking ?? null,
  };
}

/**
 * Results of 10–100 KB that the planner will see get an LLM summary first, as visible
 * `summarize` steps (when the pinned catalog has `summarize` and the budget allows). A failed
 * summary does not fail the task: the planner then sees the structured summary.
 */
async function summarizeSeen(run: TaskRun, ps: PlanPlanningStep, phase: number, seen: readonly string[]): Promise<void> {
  const entry = run.plan.catalog['summarize'];
  if (!entry) return;
  for (const name of seen) {
    const out = run.outputs.get(name);
    if (out === undefined || run.summaries.has(name)) continue;
    const bytes = isBlobRef(out) ? out.bytes : jsonByteLength(out);
    if (bytes < ps.summarization.structuredBytes || bytes >= ps.summarization.referenceBytes) continue;
    const left = remaining(run.ledger, Date.now());
    if (left.steps < 1 || left.costUsd < entry.estimatedCostUsd) continue; // the structured summary will do
    const stepName = freeName(run, `summarize_${name}`.slice(0, 63));
    const record = newStepRecord({
      name: stepName,
      kind: 'planned',
      handler: 'summarize',
      dependencies: [name],
      provenance: {
        createdBy: 'planning_step',
        planningStep: ps.name,
        fragmentId: null,
        planningPhase: phase,
        planningReasoning: `summarize the ${Math.round(bytes / 1024)} KB result of '${name}' for the planner`,
      },
    });
    run.add(record);
    run.ledger = charge(run.ledger, { steps: 1 });
    try {
      const summary = await executeHandlerStep(run, record, { data: `\${steps.${name}.output}`, focus: ps.description || `planning step ${ps.name}`, max_words: 200 }, { ...ps.stepFailure, onExhausted: 'fail' });
      const s = summary as { summary?: unknown; cost_usd?: unknown; model?: unknown; input_tokens?: unknown; output_tokens?: unknown };
      run.ledger = charge(run.ledger, { costUsd: typeof s.cost_usd === 'number' ? s.cost_usd : entry.estimatedCostUsd });
      if (typeof s.cost_usd === 'number' && typeof s.model === 'string') {
        // the summarize handler calls Anthropic's Messages API (catalog/summarize.ts)
        const tokens = { input: typeof s.input_tokens === 'number' ? s.input_tokens : 0, output: typeof s.output_tokens === 'number' ? s.output_tokens : 0 };
        llmUsage({ template: run.plan.name, provider: 'anthropic', model: s.model, tokens, costUsd: s.cost_usd });
      }
      run.summaries.set(name, typeof s.summary === 'string' ? { by: stepName, text: s.summary } : null);
    } catch (err) {
      if (isCancellation(err)) throw err;
      run.summaries.set(name, null);
    }
  }
}

/** `base`, or `base_2`, `base_3`, ... — the first name no step has. */
function freeName(run: TaskRun, base: string): string {
  if (!run.steps.has(base)) return base;
  for (let i = 2; ; i++) {
    const name = `${base.slice(0, 63 - String(i).length - 1)}_${i}`;
    if (!run.steps.has(name)) return name;
  }
}
