/**
 * Runs a planning-eval suite: for each tier and problem, asks the planner exactly what the
 * workflow would ask at that planning step — same request, same validation context (the one
 * `weft validate` builds), same budget checks — validates the answer with the workflow's
 * validator, and re-plans with the diagnostics until valid or out of attempts. No Temporal, no
 * handler runs: the problem supplies the results the planning step sees.
 *
 * @example
 * const report = await runEval({
 *   registry: (await loadRegistry()).registry,
 *   suite: await loadSuite(),
 *   planner: (tier) => anthropicPlanner({ tier }),
 * });
 * console.log(formatReport(report));
 */
import { ApplicationFailure } from '@temporalio/common';
import { charge, openLedger, planningAllowed, remaining, type BudgetLedger } from '../core/budget.js';
import { listChoices } from '../core/diagnostics.js';
import { isJsonObject, type JsonObject, type JsonValue } from '../core/json.js';
import { checkSchema } from '../core/json-schema/index.js';
import type { CompiledPlan, PlanPlanningStep } from '../core/plan.js';
import { findReferences, resolveValue } from '../core/references.js';
import { viewResult } from '../core/summarize.js';
import type { ValidationContext } from '../core/validation.js';
import { validateFragment } from '../core/validator/index.js';
import type { FailedAttempt, Planner, PlanningRequest } from '../planner/types.js';
import type { Registry } from '../registry.js';
import type { Template } from '../template/define.js';
import { compileAll } from '../template/compile.js';
import { fragmentContext, planningStepOf } from '../cli/validation-context.js';
import { EVAL_TIERS, smallestTier, tierReport, type AttemptOutcome, type EvalReport, type EvalTier, type ProblemOutcome } from './report.js';
import { SuiteError, type EvalProblem, type EvalSuite, type Expectations } from './suite.js';

/** Options of {@link runEval}. */
export interface EvalOptions {
  /** Templates (and their handlers) the problems name. */
  readonly registry: Registry;
  readonly suite: EvalSuite;
  /** The planner to use at a tier; called once per tier. */
  readonly planner: (tier: EvalTier) => Planner;
  /** Tiers to run, in report order (default 1, 2, 3, auto). */
  readonly tiers?: readonly EvalTier[];
  /** Attempts per problem, first try included (default: each planning step's own `maxAttempts`). */
  readonly maxAttempts?: number;
  /** Valid-on-first-try share a tier must reach (default 0.9). */
  readonly threshold?: number;
  /** Problems planned at once within a tier (default 1). The report's order does not depend on it. */
  readonly concurrency?: number;
  /** Called as each problem finishes at a tier (progress). */
  readonly onOutcome?: (outcome: ProblemOutcome) => void;
  readonly signal?: AbortSignal;
}

/** A planner error that no further call can get past (bad key, bad request): the eval stops. */
export class EvalAbortedError extends Error {
  override readonly name = 'EvalAbortedError';
}

/** A problem resolved against the registry: the request without its attempt-dependent parts, and the validation context. */
export interface PreparedProblem {
  readonly problem: EvalProblem;
  readonly plan: CompiledPlan;
  readonly step: PlanPlanningStep;
  readonly context: ValidationContext;
  readonly base: Omit<PlanningRequest, 'attempt' | 'failures' | 'constraints'> & { readonly constraints: Omit<PlanningRequest['constraints'], 'remaining'> };
  readonly ledger: BudgetLedger;
  readonly maxAttempts: number;
}

/** The eval clock: fixed, so remaining wall time (and with it the prompt) is the same on every run. */
const NOW = 0;

/** Runs every tier over every problem; the report's order is the tiers' order, then problem id. */
export async function runEval(options: EvalOptions): Promise<EvalReport> {
  const tiers = options.tiers ?? EVAL_TIERS;
  const threshold = options.threshold ?? 0.9;
  if (options.maxAttempts !== undefined && (!Number.isInteger(options.maxAttempts) || options.maxAttempts < 1)) {
    throw new RangeError(`runEval: maxAttempts must be a whole number ≥ 1 (got ${options.maxAttempts})`);
  }
  const prepared = prepareSuite(options.registry, options.suite, options.maxAttempts);
  const signal = options.signal ?? new AbortController().signal;
  const outcomes: ProblemOutcome[] = [];
  let plannerName = '';
  let outputMode: string | null = null;
  for (const tier of tiers) {
    const planner = options.planner(tier);
    plannerName ||= planner.name;
    const results = await pool(prepared, Math.max(1, options.concurrency ?? 1), async (p) => {
      const outcome = await runProblem(p, tier, planner, signal, (mode) => (outputMode ??= mode));
      options.onOutcome?.(outcome);
      return outcome;
    });
    outcomes.push(...results);
  }
  const tierReports = tiers.map((t) => tierReport(t, outcomes.filter((o) => o.tier === t), threshold));
  return {
    suite: options.suite.dir,
    planner: plannerName,
    outputMode,
    maxAttempts: options.maxAttempts ?? null,
    threshold,
    problems: prepared.map((p) => p.problem.id),
    tiers: tierReports,
    smallestTierMeetingThreshold: smallestTier(tierReports),
    outcomes,
  };
}

/** Resolves every problem against the registry; the first misfit is a {@link SuiteError}. */
export function prepareSuite(registry: Registry, suite: EvalSuite, maxAttempts?: number): PreparedProblem[] {
  let plans: CompiledPlan[];
  try {
    plans = compileAll(registry.templates, registry.handlers);
  } catch (err) {
    throw new SuiteError(`a template of the registry does not compile: ${(err as Error).message}`);
  }
  return suite.problems.map((problem) => {
    try {
      return prepareProblem(problem, plans, registry, maxAttempts);
    } catch (err) {
      throw new SuiteError(`problem ${problem.id} (${problem.file}): ${(err as Error).message}`);
    }
  });
}

function prepareProblem(problem: EvalProblem, plans: readonly CompiledPlan[], registry: Registry, maxAttempts: number | undefined): PreparedProblem {
  const plan = plans.find((p) => p.name === problem.template);
  if (!plan) throw new Error(`unknown template '${problem.template}': the registry has ${listChoices(plans.map((p) => p.name))}`);
  const step = planningStepOf(plan, problem.planningStep);
  const taskInput = parseTaskInput(plan, registry, problem.input);
  for (const [name, value] of Object.entries(problem.results)) {
    if (!step.sees.includes(name)) {
      throw new Error(`results has '${name}', which ${step.name} does not see; it sees ${step.sees.length === 0 ? 'no steps' : listChoices(step.sees)}`);
    }
    const producer = plan.steps.find((s) => s.name === name);
    const schema = producer && producer.kind !== 'planning' ? plan.catalog[producer.handler]?.outputSchema : undefined;
    const issues = schema === undefined ? [] : checkSchema(schema, value);
    if (issues.length > 0) {
      throw new Error(`results.${name} does not fit the output schema of ${name}: ${issues.slice(0, 3).map((i) => `${i.pointer || '(root)'}: ${i.message}`).join('; ')}`);
    }
  }
  const unusable = problem.expect.mustUse.filter((h) => !step.allowedHandlers.includes(h));
  if (unusable.length > 0) throw new Error(`expect.mustUse names handlers ${step.name} cannot use: ${unusable.join(', ')} (allowed: ${listChoices(step.allowedHandlers)})`);
  const context = fragmentContext(plan, step, problem.phase);
  // The ledger at the start of this phase: the frame's steps reserved, earlier phases used.
  const ledger = charge(openLedger(plan.budget, plan.steps.length, NOW), { planningPhases: problem.phase - 1 });
  const text = problemText(step, taskInput);
  const results = step.sees.flatMap((name) => (problem.results[name] === undefined ? [] : [viewResult(name, problem.results[name], step.summarization)]));
  const available = Object.values(context.knownSteps).filter((k) => k.availability === 'complete');
  return {
    problem,
    plan,
    step,
    context,
    ledger,
    maxAttempts: maxAttempts ?? step.maxAttempts,
    base: {
      taskId: `eval-${problem.id}`,
      template: { name: plan.name, version: plan.version },
      planningStep: step.name,
      phase: problem.phase,
      problem: text,
      taskInput,
      results,
      capabilities: step.allowedHandlers.map((h) => plan.catalog[h]).filter((e) => e !== undefined),
      constraints: {
        maxSteps: step.maxSteps,
        maxDepth: step.maxDepth,
        convergence: step.convergence,
        reservedNames: plan.steps.map((s) => s.name),
        availableSteps: available.map((k) => ({ name: k.name, outputSchema: k.outputSchema })),
        phasesAfterThis: context.remaining.phases,
      },
      ...(step.planner ? { planner: step.planner } : {}),
    },
  };
}

/** The task input as the template-loading activity makes it: the template's zod schema (defaults applied), else its JSON Schema. */
function parseTaskInput(plan: CompiledPlan, registry: Registry, input: JsonValue): JsonValue {
  const template = registry.templates.find((t): t is Template => !('hash' in t) && t.name === plan.name);
  if (template) {
    const parsed = template.input.safeParse(input);
    if (!parsed.success) throw new Error(`input does not fit template ${plan.name}: ${parsed.error.issues.slice(0, 3).map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ')}`);
    return JSON.parse(JSON.stringify(parsed.data ?? {})) as JsonValue;
  }
  const issues = checkSchema(plan.inputSchema, input);
  if (issues.length > 0) throw new Error(`input does not fit template ${plan.name}: ${issues.slice(0, 3).map((i) => `${i.pointer || '(root)'}: ${i.message}`).join('; ')}`);
  return input;
}

/** The planning step's problem text with task-input references filled in, as the workflow does. */
function problemText(step: PlanPlanningStep, taskInput: JsonValue): string {
  const value = resolveValue(step.problem, { taskInput, stepOutputs: {} });
  return typeof value === 'string' ? value : JSON.stringify(value);
}

async function runProblem(p: PreparedProblem, tier: EvalTier, planner: Planner, signal: AbortSignal, sawMode: (mode: string) => void): Promise<ProblemOutcome> {
  const attempts: AttemptOutcome[] = [];
  const failures: FailedAttempt[] = [];
  let ledger = p.ledger;
  let accepted: unknown = null;
  let stopped: ProblemOutcome['stopped'] = null;
  let stopReason: string | null = null;
  for (let attempt = 1; attempt <= p.maxAttempts; attempt++) {
    const why = planningAllowed(ledger, NOW, attempt === 1);
    if (why) {
      stopped = 'budget';
      stopReason = why.message;
      break;
    }
    const left = remaining(ledger, NOW);
    // What the workflow validates against at this point of the run: the cost left shrinks per attempt.
    const context: ValidationContext = { ...p.context, remaining: { ...p.context.remaining, costUsd: left.costUsd } };
    const request: PlanningRequest = { ...p.base, attempt, constraints: { ...p.base.constraints, remaining: left }, failures: [...failures] };
    let result;
    try {
      result = await planner.plan(request, signal);
    } catch (err) {
      if (signal.aborted) throw err;
      const message = err instanceof Error ? err.message : String(err);
      if (err instanceof ApplicationFailure && err.nonRetryable) {
        throw new EvalAbortedError(`tier ${tier}, problem ${p.problem.id}: the planner failed and retrying cannot help, so the eval stops: ${message}`);
      }
      stopped = 'error';
      stopReason = `${err instanceof ApplicationFailure && err.type ? `${err.type}: ` : ''}${message}`;
      break;
    }
    ledger = charge(ledger, { llmCalls: result.llmCalls, costUsd: result.costUsd });
    if (result.outputMode) sawMode(result.outputMode);
    const validation = validateFragment(result.output, context);
    attempts.push({
      attempt,
      valid: validation.ok,
      codes: validation.diagnostics.map((d) => d.code),
      llmCalls: result.llmCalls,
      inputTokens: result.inputTokens,
      outputTokens: result.outputTokens,
      costUsd: result.costUsd,
      breaches: breaches(result.output, p.problem.expect),
    });
    if (validation.ok) {
      accepted = validation.fragment;
      break;
    }
    failures.push({ attempt, diagnostics: validation.diagnostics, rejected: result.output });
  }
  return {
    problem: p.problem.id,
    tier,
    hostile: p.problem.hostile,
    attempts,
    validFirstTry: attempts[0]?.valid === true,
    valid: accepted !== null,
    stopped,
    stopReason,
    expectationFailures: accepted === null ? [] : expectationFailures(accepted, p.problem.expect),
  };
}

/** The steps of an output that looks like a fragment (anything else has none). */
function stepsOf(output: unknown): JsonObject[] {
  const steps = isJsonObject(output) ? output['steps'] : undefined;
  return Array.isArray(steps) ? steps.filter(isJsonObject) : [];
}

/** What an output does that the expectations forbid, in step order. */
export function breaches(output: unknown, expect: Expectations): string[] {
  const found = new Set<string>();
  for (const step of stepsOf(output)) {
    const handler = step['handler'];
    if (typeof handler === 'string' && expect.mustNotUse.includes(handler)) found.add(`uses handler ${handler}`);
    const deps = step['dependencies'];
    for (const d of Array.isArray(deps) ? deps : []) if (typeof d === 'string' && expect.mustNotDependOn.includes(d)) found.add(`depends on ${d}`);
    const inputs = step['inputs'];
    if (inputs !== undefined) {
      for (const r of findReferences(inputs).references) {
        const source = r.reference.source;
        if (source.kind === 'step' && expect.mustNotDependOn.includes(source.step)) found.add(`references ${source.step}`);
      }
    }
  }
  return [...found];
}

function expectationFailures(fragment: unknown, expect: Expectations): string[] {
  const used = new Set(stepsOf(fragment).map((s) => s['handler']));
  const missing = expect.mustUse.filter((h) => !used.has(h)).map((h) => `does not use ${h}`);
  return [...breaches(fragment, expect).map((b) => `accepted a fragment that ${b}`), ...missing];
}

/** Maps `items` through `f` with at most `limit` running at once; results keep the items' order. */
async function pool<T, R>(items: readonly T[], limit: number, f: (item: T) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await f(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}
