/**
 * Frame checks made when a template compiles: names, handlers, dependencies and cycles,
 * convergence wiring, planning bounds, references and literal inputs. Every problem is
 * collected; each says what is wrong, where, and what to do.
 */
import { listChoices } from '../core/diagnostics.js';
import { fragmentSchema, STEP_NAME_PATTERN } from '../core/fragment.js';
import { checkSchema } from '../core/json-schema/check.js';
import { schemaAtPath } from '../core/json-schema/path.js';
import { FAN_OUT_HANDLER, partitionInputOf, perPartitionRefusal, RUNS_IN_WORKFLOW } from '../core/fan-out.js';
import type { JsonSchema, JsonValue } from '../core/json.js';
import type { HandlerManifest } from '../core/manifest.js';
import { PLANNER_EFFORTS, type Budget, type PlannerSettings, type PlanStep } from '../core/plan.js';
import { PLANNING_OUTPUT_SCHEMA } from '../core/planning-output.js';
import { findReferences, formatPath } from '../core/references.js';
import { MAX_PLANNER_OUTPUT_BYTES } from '../core/validation.js';
import { Dag, findCycle, topologicalOrder } from '../core/dag.js';

/** What the frame checks look at. */
export interface FrameCheckInput {
  readonly steps: readonly PlanStep[];
  readonly catalog: HandlerManifest;
  readonly inputSchema: JsonSchema;
  readonly budget: Budget;
}

/** Problems found, and the frame's topological order when there is one. */
export interface FrameCheckResult {
  readonly problems: string[];
  readonly order: string[];
}

/** Checks a frame. */
export function checkFrame({ steps, catalog, inputSchema, budget }: FrameCheckInput): FrameCheckResult {
  const problems: string[] = [];
  const names = steps.map((s) => s.name);
  const byName = new Map(steps.map((s) => [s.name, s]));
  const handlerNames = Object.keys(catalog).sort();

  const seen = new Set<string>();
  for (const s of steps) {
    if (!STEP_NAME_PATTERN.test(s.name)) problems.push(`step '${s.name}': the name must match ${STEP_NAME_PATTERN.source}.`);
    if (seen.has(s.name)) problems.push(`step '${s.name}' is defined twice; step names are unique.`);
    seen.add(s.name);
    if (s.kind !== 'planning' && !catalog[s.handler]) {
      problems.push(`step '${s.name}' uses handler '${s.handler}', which is not in the catalog. Use one of: ${listChoices(handlerNames)}.`);
    }
    for (const d of s.dependencies) {
      if (!byName.has(d)) problems.push(`step '${s.name}' depends on '${d}', which is not a step of this template. Steps: ${listChoices(names)}.`);
      if (d === s.name) problems.push(`step '${s.name}' depends on itself.`);
    }
  }
  const nodes = steps.map((s) => ({ name: s.name, dependencies: s.dependencies.filter((d) => byName.has(d)) }));
  const cycle = findCycle(nodes);
  if (cycle) problems.push(`the steps form a cycle: ${cycle.join(' → ')}. Remove one of these dependencies.`);
  const order = cycle ? names : topologicalOrder(nodes);

  const index = cycle ? null : new Dag(nodes).ancestors();
  const ancestors = new Map(names.map((n) => [n, new Set(index ? index.of(n) : [])]));
  const convergenceFeeds = new Map<string, string>();
  for (const s of steps) {
    if (s.kind !== 'planning') continue;
    const where = `planning step '${s.name}'`;
    const conv = byName.get(s.convergence);
    if (!conv) problems.push(`${where} feeds convergence step '${s.convergence}', which does not exist. Add a convergenceStep('${s.convergence}', ...).`);
    else if (conv.kind !== 'convergence') problems.push(`${where} feeds '${s.convergence}', which is a ${conv.kind} step; it must be a convergence step.`);
    else if (!cycle && !ancestors.get(conv.name)?.has(s.name)) {
      problems.push(`convergence step '${conv.name}' must depend on ${where} (add '${s.name}' to its dependencies), or it could run before planning finishes.`);
    }
    if (convergenceFeeds.has(s.convergence)) problems.push(`convergence step '${s.convergence}' is fed by two planning steps ('${convergenceFeeds.get(s.convergence)}' and '${s.name}'); give each its own.`);
    convergenceFeeds.set(s.convergence, s.name);
    for (const x of s.sees) {
      if (!byName.has(x)) problems.push(`${where} sees '${x}', which is not a step of this template.`);
      else if (!cycle && !ancestors.get(s.name)?.has(x)) problems.push(`${where} sees '${x}', which is not upstream of it; add '${x}' to its dependencies.`);
    }
    if (s.allowedHandlers.length === 0) problems.push(`${where} allows no handler; name handlers or categories in 'allow'. Categories: ${listChoices([...new Set(Object.values(catalog).map((e) => e.category))].sort())}.`);
    for (const h of s.allowedHandlers) if (!catalog[h]) problems.push(`${where} allows handler '${h}', which is not in the catalog. Use one of: ${listChoices(handlerNames)}.`);
    for (const [key, value] of Object.entries({ maxSteps: s.maxSteps, maxDepth: s.maxDepth, maxAttempts: s.maxAttempts, maxPhases: s.maxPhases, concurrency: s.concurrency, maxFragmentBytes: s.maxFragmentBytes })) {
      if (!Number.isInteger(value) || value < 1) problems.push(`${where}: ${key} must be a positive integer (got ${value}).`);
    }
    if (s.maxFragmentBytes > MAX_PLANNER_OUTPUT_BYTES) {
      // A larger answer is cut before validation and would be rejected as malformed JSON, not as too large.
      problems.push(
        `${where}: maxFragmentBytes is ${s.maxFragmentBytes}, but the planning activity cuts a planner's answer at ${MAX_PLANNER_OUTPUT_BYTES} bytes (inside Temporal's 2 MB payload limit); ` +
          `set it to at most ${MAX_PLANNER_OUTPUT_BYTES} and let larger plans come in phases (maxPhases).`,
      );
    }
    for (const p of plannerSettingProblems(s.planner)) problems.push(`${where}: ${p}`);
    if (s.fallback) {
      const parsed = fragmentSchema.safeParse(s.fallback);
      if (!parsed.success) problems.push(`${where}: the fallback fragment does not fit the fragment schema: ${parsed.error.issues[0]?.message ?? ''} at /${parsed.error.issues[0]?.path.join('/') ?? ''}.`);
    }
    checkReferences(problems, where, s.problem, ancestors.get(s.name) ?? new Set(), byName, catalog, inputSchema, true);
  }
  for (const s of steps) {
    if (s.kind === 'convergence' && !convergenceFeeds.has(s.name)) {
      problems.push(`convergence step '${s.name}' is not the convergence of any planning step; make it a static step, or name it in a planning step's 'convergence'.`);
    }
    if (s.kind === 'planning') continue;
    const entry = catalog[s.handler];
    const where = `step '${s.name}'`;
    checkReferences(problems, where, s.inputs, cycle ? null : (ancestors.get(s.name) ?? new Set()), byName, catalog, inputSchema, false);
    if (entry) {
      const templated = new Set(findReferences(s.inputs).templatePointers);
      for (const issue of checkSchema(entry.inputSchema, s.inputs, { skip: (_v, pointer) => templated.has(pointer) })) {
        problems.push(`${where}: input ${issue.pointer || '(root)'} ${issue.message}`);
      }
    }
    if (s.handler === FAN_OUT_HANDLER) checkFanOut(problems, where, s.inputs, catalog);
  }
  if (steps.length > budget.maxSteps) problems.push(`the frame has ${steps.length} steps but the budget allows ${budget.maxSteps}; raise budget.maxSteps.`);
  if (steps.some((s) => s.kind === 'planning') && budget.maxPlanningPhases < 1) problems.push('budget.maxPlanningPhases must be at least 1 when the template has a planning step.');
  return { problems, order };
}

/**
 * A template's fan-out must name a handler it can run per partition, and give it (in `with`, plus
 * the partition) the inputs its schema requires. Planned fan-outs get the same checks as diagnostics.
 */
function checkFanOut(problems: string[], where: string, inputs: Readonly<Record<string, JsonValue>>, catalog: HandlerManifest): void {
  const handler = inputs['handler'];
  if (typeof handler !== 'string') return; // the input schema check reports it
  const refusal = perPartitionRefusal(handler, Object.keys(catalog));
  if (refusal) {
    const why = refusal.inWorkflow ? RUNS_IN_WORKFLOW : 'is not in the catalog';
    problems.push(`${where}: fan_out runs '${handler}' per partition, which ${why}; use one of ${listChoices(refusal.usable)}.`);
    return;
  }
  const entry = catalog[handler] as HandlerManifest[string];
  const partitionInput = partitionInputOf(inputs);
  const given = inputs['with'];
  const withInputs = given !== null && typeof given === 'object' && !Array.isArray(given) ? given : {};
  const templated = new Set(findReferences(withInputs).templatePointers);
  const skip = (_v: unknown, pointer: string): boolean => templated.has(pointer) || pointer === `/${partitionInput}`;
  for (const issue of checkSchema(entry.inputSchema, { ...withInputs, [partitionInput]: [] }, { skip })) {
    problems.push(`${where}: for every partition, '${handler}' input ${issue.pointer || '(root)'} ${issue.message} (give it in 'with'; the partition goes to '${partitionInput}')`);
  }
}

function checkReferences(
  problems: string[],
  where: string,
  value: Parameters<typeof findReferences>[0],
  /** The step's ancestors; null when the frame has a cycle, which leaves ancestry undefined (the cycle is reported instead). */
  upstream: ReadonlySet<string> | null,
  byName: ReadonlyMap<string, PlanStep>,
  catalog: HandlerManifest,
  inputSchema: JsonSchema,
  taskOnly: boolean,
): void {
  const scan = findReferences(value);
  for (const m of scan.malformed) problems.push(`${where}: '${m.text}' is not a valid reference: ${m.reason.replace(/\.?$/, '.')}${m.suggestion ? ` Did you mean ${m.suggestion}?` : ''}`);
  for (const { reference } of scan.references) {
    const src = reference.source;
    if (src.kind === 'task') {
      const at = schemaAtPath(inputSchema, reference.path);
      if (!at.found) problems.push(`${where}: ${reference.text} reads '${formatPath(reference.path)}', which the task input schema does not have (${at.reason}). Available: ${listChoices(at.available)}.`);
      continue;
    }
    if (taskOnly) {
      problems.push(`${where}: the problem text may reference only \${task.input...}; step results reach the planner through 'sees'.`);
      continue;
    }
    const producer = byName.get(src.step);
    if (!producer) {
      problems.push(`${where}: ${reference.text} names step '${src.step}', which is not a step of this template.`);
      continue;
    }
    if (upstream && !upstream.has(src.step)) {
      problems.push(`${where}: ${reference.text} reads step '${src.step}', which is not upstream; add '${src.step}' to the dependencies.`);
      continue;
    }
    const schema = producer.kind === 'planning' ? PLANNING_OUTPUT_SCHEMA : catalog[producer.handler]?.outputSchema;
    if (schema === undefined) continue;
    const at = schemaAtPath(schema, reference.path);
    if (!at.found) problems.push(`${where}: ${reference.text} reads '${formatPath(reference.path)}', which the output of '${src.step}' does not have (${at.reason}). Available: ${listChoices(at.available)}.`);
  }
}

/** What is wrong with a planning step's planner settings (empty when nothing). */
function plannerSettingProblems(p: PlannerSettings | undefined): string[] {
  if (p === undefined) return [];
  const out: string[] = [];
  const t = p.thinking;
  if (typeof t === 'object' && (!Number.isInteger(t.budgetTokens) || t.budgetTokens < 1024)) {
    out.push(`planner.thinking.budgetTokens must be an integer of at least 1024 (got ${t.budgetTokens}).`);
  } else if (t !== undefined && typeof t !== 'object' && !['default', 'off', 'adaptive'].includes(t)) {
    out.push(`planner.thinking must be 'default', 'off', 'adaptive' or { budgetTokens } (got ${JSON.stringify(t)}).`);
  }
  if (p.effort !== undefined && !PLANNER_EFFORTS.includes(p.effort)) out.push(`planner.effort must be one of ${PLANNER_EFFORTS.join(', ')} (got ${JSON.stringify(p.effort)}).`);
  return out;
}
