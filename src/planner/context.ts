/**
 * Context composition: the planning prompt built from a {@link PlanningRequest} within a token
 * budget, in the essay's priority order — problem (always whole), accumulated results
 * (summarized; largest dropped to a one-line reference first), capability schema (tiered; tier 1
 * of every allowed handler always), constraints and remaining budget (always), failure context
 * (newest attempts that fit, diagnostics verbatim), examples (only if they fit). Budget goes to
 * sections in that order; whatever does not fit is recorded in `cut`, never silently dropped.
 * One exception: with `tier: 'auto'` no capability detail was asked for, so tier 2 of the
 * relevant handlers fills what is left after the failure context and the examples (a retry that
 * loses its diagnostics to optional schemas is a wasted call).
 * Pure and deterministic: the same request and options give the same prompt.
 *
 * @example
 * const prompt = composePlanningPrompt(request, { tokenBudget: 8_000, describeHandlersTool: true });
 * // prompt.system, prompt.user → the Messages API; prompt.sections and prompt.cut → the planning record
 */
import { viewResult } from '../core/summarize.js';
import type { HandlerManifestEntry } from '../core/manifest.js';
import { capabilityView, relevantCategories, renderCapability, selectCapabilities, type CapabilityTier } from './capabilities.js';
import { relevanceScores } from './relevance.js';
import { composeExamples, composeFailures, sectionChars, type PlanningExample, type SectionTreatment } from './context-sections.js';
import { constraintsBody, problemBody, resultBlock, resultReference, SECTION_TITLES, systemPrompt } from './prompt-text.js';

export type { PlanningExample, SectionTreatment } from './context-sections.js';
import { CHARS_PER_TOKEN, charsForTokens, estimateTokens } from './tokens.js';
import type { PlanningRequest } from './types.js';

/** The default token budget of a planning prompt (system and user together). */
export const DEFAULT_TOKEN_BUDGET = 12_000;

/** How to compose a planning prompt. */
export interface ComposeOptions {
  /** Upper bound on the estimated tokens of system + user prompt (default 12,000). */
  readonly tokenBudget?: number | undefined;
  /**
   * Capability detail: a fixed tier for every allowed handler (degraded to tier 1, least
   * relevant first, under budget), or `'auto'` (default): tier 1 for every allowed handler and
   * tier 2 for the handlers relevant to the problem (in the categories it points at), most
   * relevant first, with what the budget has left after the failure context and the examples.
   */
  readonly tier?: CapabilityTier | 'auto' | undefined;
  /** Few-shot examples, last in the prompt and only if they fit. */
  readonly examples?: readonly PlanningExample[] | undefined;
  /** Whether the model may call `describe_handlers` before submitting (the system prompt says so). */
  readonly describeHandlersTool?: boolean | undefined;
  /** `'auto'` only: tier 2 candidates are the handlers of these categories (default: relevant handlers of any category). */
  readonly categories?: readonly string[] | undefined;
  /** `'auto'` only: at most this many handlers at tier 2 (default: as the budget allows). */
  readonly maxDetailed?: number | undefined;
  /**
   * Compose for a cached prefix (default false): capability detail and examples get their budget
   * before the failure context, as on a phase's first attempt, so every re-plan of the phase sends
   * the same {@link ComposedPrompt.stable} text and reads it from the prompt cache; the failure
   * context takes what remains.
   */
  readonly stablePrefix?: boolean | undefined;
}

/** A section of the prompt, in composition order. */
export type SectionName = 'problem' | 'results' | 'capabilities' | 'constraints' | 'failures' | 'examples';

/** One section's accounting, for the planning record. */
export interface ComposedSection {
  readonly name: SectionName;
  /** Estimated tokens of the section's text (0 when omitted). */
  readonly tokens: number;
  readonly treatment: SectionTreatment;
  /** Why, in words: what was summarized or cut, or why the section is absent. */
  readonly note: string | null;
}

/** A composed planning prompt and what went into it. */
export interface ComposedPrompt {
  readonly system: string;
  /** All six sections in the essay's order (the user turn when the prompt is not cached). */
  readonly user: string;
  /**
   * The sections that stay the same across re-plans (capabilities, examples), for a cached
   * prefix: `system`, then `stable`, then `task`. `stable` + `task` hold the sections of `user`.
   */
  readonly stable: string;
  /** The task-specific sections (problem, results, constraints, failures), after the cached prefix. */
  readonly task: string;
  /** `estimateTokens(system) + estimateTokens(user)`. */
  readonly estimatedTokens: number;
  /** All six sections, in composition order. */
  readonly sections: readonly ComposedSection[];
  /** Every allowed handler, in request order, with the tier it is shown at. */
  readonly capabilitiesShown: readonly { readonly name: string; readonly tier: CapabilityTier }[];
  /** One line per thing left out or degraded for budget (empty when everything fit). */
  readonly cut: readonly string[];
}

/**
 * Composes the planning prompt for `request` within `options.tokenBudget` (estimated with
 * {@link estimateTokens}). The problem, the constraints and tier 1 of every allowed handler are
 * always sent; if they alone exceed the budget the prompt goes over and `cut` says so.
 */
export function composePlanningPrompt(request: PlanningRequest, options: ComposeOptions = {}): ComposedPrompt {
  const tokenBudget = options.tokenBudget ?? DEFAULT_TOKEN_BUDGET;
  const system = systemPrompt({ describeHandlersTool: options.describeHandlersTool === true });
  const cut: string[] = [];
  // One token of slack: system and user are estimated separately, so two ceilings.
  const budgetChars = charsForTokens(tokenBudget - 1);

  const problem = problemBody(request.problem, viewResult('task.input', request.taskInput));
  const constraints = constraintsBody(request);
  const caps = planCapabilities(request, options);
  const results = request.results.map((view) => ({ view, full: resultBlock(view), ref: resultReference(view), kept: true }));
  const notCarried = request.omitted?.results ? [`(and ${request.omitted.results} results of earlier planned steps, not carried: the newest are shown)`] : [];
  const resultsBody = () => (results.length + notCarried.length === 0 ? '(no results yet)' : [...results.map((r) => (r.kept ? r.full : r.ref)), ...notCarried].join('\n'));

  // The floor: what is always sent, with every result reduced to its reference line.
  for (const r of results) r.kept = false;
  const floor =
    system.length +
    sectionChars(SECTION_TITLES.problem, problem) +
    sectionChars(SECTION_TITLES.results, resultsBody()) +
    sectionChars(SECTION_TITLES.capabilities, caps.body()) +
    sectionChars(SECTION_TITLES.constraints, constraints);
  let free = budgetChars - floor;
  if (free < 0) {
    cut.push(
      `budget: the problem, the constraints, result references and tier 1 of all ${request.capabilities.length} allowed handlers need ` +
        `${Math.ceil(floor / CHARS_PER_TOKEN)} tokens, over the budget of ${tokenBudget}; sent anyway: these are never cut ` +
        '(tier 1 of every allowed handler stays, the planner must know its whole vocabulary)',
    );
  }

  // (2) Results: restore every result, then drop the largest until the rest fit.
  for (const r of results) r.kept = true;
  let resultsExtra = results.reduce((n, r) => n + r.full.length - r.ref.length, 0);
  const bySize = [...results].sort((a, b) => b.full.length - a.full.length);
  for (const r of bySize) {
    if (resultsExtra <= free) break;
    r.kept = false;
    resultsExtra -= r.full.length - r.ref.length;
    cut.push(`results: step ${r.view.step} (${r.view.bytes} bytes) reduced to a reference for budget`);
  }
  free -= Math.max(0, resultsExtra);

  // (3) Capability detail, (5) failure context newest first, (6) examples. With a fixed tier the
  // capability section asks for that tier and ranks as the essay has it; in 'auto' no detail was
  // asked for, so tier 2 fills what the failure context and the examples leave.
  // With a cached prefix, the prefix sections take their share first (as with no failures yet).
  const auto = (options.tier ?? 'auto') === 'auto';
  const stableFirst = options.stablePrefix === true;
  if (!auto) free -= caps.upgrade(Math.max(0, free));
  const late = stableFirst ? null : composeFailures(request, Math.max(0, free), cut);
  free -= late?.chars ?? 0;
  const examples = composeExamples(options.examples ?? [], Math.max(0, free), cut);
  free -= examples.chars;
  if (auto) free -= caps.upgrade(Math.max(0, free));
  const failures = late ?? composeFailures(request, Math.max(0, free), cut);
  if (stableFirst) free -= failures.chars;
  if (caps.degraded.length > 0) {
    cut.push(`capabilities: ${caps.degraded.length} handlers shown at tier 1 instead of tier ${caps.wanted} for budget: ${caps.degraded.join(', ')}`);
  }
  if (caps.partly.length > 0) cut.push(`capabilities: ${caps.partly.length} handlers shown at tier 2 instead of tier 3 for budget: ${caps.partly.join(', ')}`);

  const texts: Record<SectionName, string | null> = {
    problem: `${SECTION_TITLES.problem}\n${problem}`,
    results: `${SECTION_TITLES.results}\n${resultsBody()}`,
    capabilities: `${SECTION_TITLES.capabilities}\n${caps.body()}`,
    constraints: `${SECTION_TITLES.constraints}\n${constraints}`,
    failures: failures.body === null ? null : `${SECTION_TITLES.failures}\n${failures.body}`,
    examples: examples.body === null ? null : `${SECTION_TITLES.examples}\n${examples.body}`,
  };
  const join = (names: readonly SectionName[]) => names.map((n) => texts[n]).filter((t): t is string => t !== null).join('\n\n');
  const user = join(['problem', 'results', 'capabilities', 'constraints', 'failures', 'examples']);
  const dropped = results.filter((r) => !r.kept).length;
  const structured = results.filter((r) => r.kept && r.view.mode !== 'verbatim').length;
  const tokens = (name: SectionName) => estimateTokens(texts[name] ?? '');
  const sections: ComposedSection[] = [
    { name: 'problem', tokens: tokens('problem'), treatment: 'whole', note: request.taskInput !== null && viewResult('task.input', request.taskInput).mode !== 'verbatim' ? 'task input shown as a structured summary' : null },
    {
      name: 'results',
      tokens: tokens('results'),
      treatment: dropped > 0 ? 'cut' : structured > 0 ? 'summarized' : 'whole',
      note: results.length === 0 ? 'no results yet' : `${results.length - dropped - structured} verbatim, ${structured} summarized, ${dropped} reduced to a reference for budget`,
    },
    { name: 'capabilities', tokens: tokens('capabilities'), treatment: caps.degraded.length + caps.partly.length > 0 ? 'summarized' : 'whole', note: caps.note() },
    { name: 'constraints', tokens: tokens('constraints'), treatment: 'whole', note: null },
    { name: 'failures', tokens: tokens('failures'), treatment: failures.treatment, note: failures.note },
    { name: 'examples', tokens: tokens('examples'), treatment: examples.treatment, note: examples.note },
  ];
  return {
    system,
    user,
    stable: join(['capabilities', 'examples']),
    task: join(['problem', 'results', 'constraints', 'failures']),
    estimatedTokens: estimateTokens(system) + estimateTokens(user),
    sections,
    capabilitiesShown: caps.shown(),
    cut,
  };
}

/** The capability section's state: every handler at tier 1, upgraded in relevance order. */
function planCapabilities(request: PlanningRequest, options: ComposeOptions) {
  const entries = request.capabilities;
  const tierOption = options.tier ?? 'auto';
  const wanted: CapabilityTier = tierOption === 'auto' ? 2 : tierOption;
  const tiers = new Map<string, CapabilityTier>(entries.map((e) => [e.name, 1]));
  const text = new Map<string, string>(entries.map((e) => [e.name, renderCapability(capabilityView(e, 1))]));
  const candidates = upgradeCandidates(entries, request.problem, options);
  const degraded: string[] = [];
  const partly: string[] = [];
  const intro = `Use only these ${entries.length} handlers. Each line: name [category]: what it does; handlers with schemas also show input and output JSON Schema.` +
    (options.describeHandlersTool === true ? ' Call describe_handlers for the schemas of the others.' : '');
  return {
    wanted,
    degraded,
    partly,
    body: () => [intro, ...entries.map((e) => text.get(e.name) ?? '')].join('\n'),
    /** Upgrades candidates while they fit in `free` characters; returns the characters used. */
    upgrade(free: number): number {
      if (wanted === 1) return 0;
      let used = 0;
      let detailed = 0;
      const max = tierOption === 'auto' ? (options.maxDetailed ?? Infinity) : Infinity;
      for (const entry of candidates) {
        const tier1 = text.get(entry.name)?.length ?? 0;
        const fits = ([wanted, 2] as const).find((t) => t > 1 && detailed < max && used + renderCapability(capabilityView(entry, t)).length - tier1 <= free);
        if (fits === undefined) {
          degraded.push(entry.name);
          continue;
        }
        if (fits < wanted) partly.push(entry.name);
        const rendered = renderCapability(capabilityView(entry, fits));
        used += rendered.length - tier1;
        text.set(entry.name, rendered);
        tiers.set(entry.name, fits);
        detailed++;
      }
      return used;
    },
    shown: () => entries.map((e) => ({ name: e.name, tier: tiers.get(e.name) ?? 1 })),
    note(): string {
      const counts = [3, 2, 1].map((t) => [...tiers.values()].filter((x) => x === t).length);
      const mode = tierOption === 'auto' ? `auto (${candidates.length} relevant handlers wanted at tier 2)` : `tier ${tierOption}`;
      const shown = `${entries.length} handlers: ${counts[0]} at tier 3, ${counts[1]} at tier 2, ${counts[2]} at tier 1`;
      return `${mode}; ${shown}${degraded.length > 0 ? `; ${degraded.length} degraded to tier 1 for budget` : ''}`;
    },
  };
}

/** Which handlers may be shown above tier 1, most relevant first (ties keep catalog order). */
function upgradeCandidates(entries: readonly HandlerManifestEntry[], problem: string, options: ComposeOptions): HandlerManifestEntry[] {
  const ranked = selectCapabilities(entries, { relevantTo: problem });
  if ((options.tier ?? 'auto') !== 'auto') return ranked;
  if (options.categories !== undefined) {
    const categories = new Set(options.categories);
    return ranked.filter((e) => categories.has(e.category));
  }
  // Category-based inclusion: when the problem points at categories, only their handlers get schemas.
  const pointed = new Set(relevantCategories(entries, problem));
  const scores = relevanceScores(entries, problem);
  return ranked.filter((e) => (scores.get(e.name) ?? 0) > 0 && (pointed.size === 0 || pointed.has(e.category)));
}
