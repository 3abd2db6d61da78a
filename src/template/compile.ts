/**
 * Compiles a template against a catalog into a `CompiledPlan`: plain data with a content hash.
 * A template that is itself wrong fails here, at definition time, with every problem listed.
 */
import { createHash } from 'node:crypto';
import { listChoices } from '../core/diagnostics.js';
import { canonicalJson } from '../core/hash.js';
import { FAN_OUT_HANDLER } from '../core/fan-out.js';
import type { HandlerManifest } from '../core/manifest.js';
import type { Budget, CompiledPlan, PlanHandlerStep, PlanPlanningStep, PlanStep } from '../core/plan.js';
import { manifestOf, toJsonSchema, type AnyHandler } from '../handler.js';
import { checkFrame } from './checks.js';
import { DEFAULT_BUDGET, DEFAULT_PLANNER_FAILURE, DEFAULT_PLANNING, DEFAULT_STEP_FAILURE, failurePolicy } from './defaults.js';
import type { StepInput, Template } from './define.js';

/** A template that cannot compile; `problems` lists every reason. */
export class TemplateError extends Error {
  override readonly name = 'TemplateError';
  constructor(
    readonly template: string,
    readonly problems: readonly string[],
  ) {
    super(`Template '${template}' is invalid (${problems.length} problem${problems.length === 1 ? '' : 's'}):\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  }
}

/**
 * Compiles a template against the handlers a worker offers.
 * @throws TemplateError listing every problem (unknown handler, cycle, missing convergence, ...)
 */
export function compileTemplate(template: Template, handlers: readonly AnyHandler[] | HandlerManifest): CompiledPlan {
  const catalog: HandlerManifest = Array.isArray(handlers) ? manifestOf(handlers as readonly AnyHandler[]) : (handlers as HandlerManifest);
  const label = `${template.name}@${template.version}`;
  let inputSchema;
  try {
    inputSchema = toJsonSchema(template.input, 'input');
  } catch (e) {
    throw new TemplateError(label, [`the input schema cannot be shown as JSON Schema: ${(e as Error).message}`]);
  }
  const budget: Budget = { ...DEFAULT_BUDGET, ...(template.budget ?? {}) };
  const steps = template.steps.map((s) => normalize(s, catalog));
  const { problems, order } = checkFrame({ steps, catalog, inputSchema, budget });
  problems.push(...unknownCategories(template, catalog));
  if (problems.length > 0) throw new TemplateError(label, problems);

  const used = new Set<string>();
  for (const s of steps) {
    if (s.kind === 'planning') s.allowedHandlers.forEach((h) => used.add(h));
    else used.add(s.handler);
    // A fan-out runs a second handler, once per partition: the run needs its manifest too.
    const perPartition = s.kind !== 'planning' && s.handler === FAN_OUT_HANDLER ? s.inputs['handler'] : undefined;
    if (typeof perPartition === 'string') used.add(perPartition);
  }
  // The engine summarizes 10–100 KB results for planners with it, when the worker offers it.
  if (catalog['summarize'] && steps.some((s) => s.kind === 'planning')) used.add('summarize');
  const pinned: Record<string, HandlerManifest[string]> = {};
  for (const name of [...used].sort()) pinned[name] = catalog[name]!;

  const byName = new Map(steps.map((s) => [s.name, s]));
  const body = {
    name: template.name,
    version: template.version,
    description: template.description ?? '',
    inputSchema,
    steps: order.map((n) => byName.get(n)!),
    budget,
    catalog: pinned,
  };
  const hash = createHash('sha256').update(canonicalJson(body)).digest('hex');
  return { ...body, hash };
}

/** Allowed categories no handler has: a typo would otherwise just shrink what the planner may use. */
function unknownCategories(template: Template, catalog: HandlerManifest): string[] {
  const known = [...new Set(Object.values(catalog).map((e) => e.category))].sort();
  const out: string[] = [];
  for (const s of template.steps) {
    if (s.kind !== 'planning') continue;
    for (const c of s.allow.categories ?? []) {
      if (!known.includes(c)) out.push(`planning step '${s.name}' allows category '${c}', which no handler has. Categories: ${listChoices(known)}.`);
    }
  }
  return out;
}

/** Fills defaults and resolves allowed categories to handler names. */
function normalize(s: StepInput, catalog: HandlerManifest): PlanStep {
  if (s.kind !== 'planning') {
    const step: PlanHandlerStep = {
      kind: s.kind,
      name: s.name,
      description: s.description ?? '',
      handler: s.handler,
      inputs: s.inputs ?? {},
      dependencies: s.dependencies ?? [],
      failure: failurePolicy(s.failure, DEFAULT_STEP_FAILURE),
    };
    return step;
  }
  const allowed = new Set(s.allow.handlers ?? []);
  for (const category of s.allow.categories ?? []) {
    for (const entry of Object.values(catalog)) if (entry.category === category) allowed.add(entry.name);
  }
  const step: PlanPlanningStep = {
    kind: 'planning',
    name: s.name,
    description: s.description ?? '',
    problem: s.problem,
    sees: s.sees ?? s.dependencies ?? [],
    allowedHandlers: [...allowed].sort(),
    maxSteps: s.maxSteps ?? DEFAULT_PLANNING.maxSteps,
    maxDepth: s.maxDepth ?? DEFAULT_PLANNING.maxDepth,
    maxAttempts: s.maxAttempts ?? DEFAULT_PLANNING.maxAttempts,
    maxPhases: s.maxPhases ?? DEFAULT_PLANNING.maxPhases,
    maxFragmentBytes: s.maxFragmentBytes ?? DEFAULT_PLANNING.maxFragmentBytes,
    concurrency: s.concurrency ?? DEFAULT_PLANNING.concurrency,
    mutations: s.mutations ?? DEFAULT_PLANNING.mutations,
    convergence: s.convergence,
    fallback: s.fallback ?? null,
    onExhausted: s.onExhausted ?? DEFAULT_PLANNING.onExhausted,
    dependencies: s.dependencies ?? [],
    failure: failurePolicy(s.failure, DEFAULT_PLANNER_FAILURE),
    stepFailure: failurePolicy(s.stepFailure, DEFAULT_STEP_FAILURE),
    summarization: { ...DEFAULT_PLANNING.summarization, ...(s.summarization ?? {}) },
    // Only when set: plans compiled before the option existed keep their hash.
    ...(s.planner !== undefined ? { planner: s.planner } : {}),
  };
  return step;
}

/** Compiles templates (failing on the first invalid one with every problem listed); compiled plans pass through. */
export function compileAll(templates: readonly (Template | CompiledPlan)[], handlers: readonly AnyHandler[]): CompiledPlan[] {
  return templates.map((t) => ('hash' in t ? t : compileTemplate(t, handlers)));
}
