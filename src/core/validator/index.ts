/**
 * Fragment validation: pure and deterministic, so it runs in workflow code and replays to the
 * same diagnostics. It returns every problem, not the first, ordered by path then code.
 *
 * Order of checks: size (FRAGMENT_TOO_LARGE, before parsing), JSON syntax and the fragment
 * schema (FRAGMENT_MALFORMED), then the semantic checks — names, handlers, inputs,
 * fan-outs' per-partition handlers, dependencies, references, limits and budget, and the mutation policy. When the schema fails, the semantic checks
 * still run on the steps that parse on their own.
 *
 * @example
 * const result = validateFragment(plannerOutput, ctx);
 * if (!result.ok) replanWith(result.diagnostics); // [{ code: 'HANDLER_UNKNOWN', path: '/steps/1/handler', message, hint }]
 */
import type { Diagnostic } from '../diagnostics.js';
import { DEFAULT_MAX_FRAGMENT_NESTING } from '../nesting.js';
import type { ValidationContext, ValidationResult } from '../validation.js';
import { Analysis, stepViews } from './analysis.js';
import { checkDependencies } from './dependencies.js';
import { checkFanOuts } from './fan-out.js';
import { checkHandlers } from './handlers.js';
import { checkInputs } from './inputs.js';
import { checkLimits } from './limits.js';
import { checkMutations } from './mutations.js';
import { checkNames } from './names.js';
import { sortDiagnostics } from './order.js';
import { parseFragment } from './parse.js';
import { checkPatterns } from './patterns.js';
import { checkReferences } from './references.js';

export { comparePointers, sortDiagnostics } from './order.js';
export { closestFirst, editDistance } from './suggest.js';

/**
 * Validates a planner's fragment: `raw` is the JSON text, or the value already parsed (a tool
 * call's input). Never throws: every problem is a diagnostic, and an exception of the validator
 * itself (a weft bug) rejects the fragment with `VALIDATOR_FAILED` instead of escaping.
 */
export function validateFragment(raw: unknown, ctx: ValidationContext): ValidationResult {
  try {
    return validateFragmentUnguarded(raw, { ...ctx, maxNesting: ctx.maxNesting ?? DEFAULT_MAX_FRAGMENT_NESTING });
  } catch (err) {
    return { ok: false, fragment: null, diagnostics: [validatorFailed(err)] };
  }
}

/** The diagnostic for an exception of the validator itself. */
function validatorFailed(err: unknown): Diagnostic {
  const what = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
  return {
    code: 'VALIDATOR_FAILED',
    path: '',
    message: `The validator failed on this fragment (${what.slice(0, 200)}), so it cannot be accepted.`,
    hint: 'Return a simpler fragment: plain JSON, shallow literals, fewer steps. This is a weft bug: report it with the fragment (weft inspect shows it).',
  };
}

/**
 * The checks themselves, without the guard, and with no nesting limit unless `ctx.maxNesting`
 * sets one: what workflows recorded before the guard existed replay through this (a deep
 * fragment may throw here, as it did then).
 */
export function validateFragmentUnguarded(raw: unknown, ctx: ValidationContext): ValidationResult {
  const parsed = parseFragment(raw, ctx.maxFragmentBytes, ctx.maxNesting);
  if (parsed.kind === 'rejected') return { ok: false, fragment: null, diagnostics: sortDiagnostics(parsed.diagnostics) };
  const analysis =
    parsed.kind === 'parsed'
      ? new Analysis(ctx, stepViews(parsed.fragment.steps), parsed.fragment.steps.length, parsed.fragment.next, new Set())
      : new Analysis(ctx, stepViews(parsed.steps), parsed.steps.length, parsed.next, parsed.unparsedNames);
  checkNames(analysis);
  checkHandlers(analysis);
  checkInputs(analysis);
  checkPatterns(analysis);
  checkFanOuts(analysis);
  checkDependencies(analysis);
  checkReferences(analysis);
  checkLimits(analysis);
  checkMutations(analysis);
  if (parsed.kind === 'parsed' && analysis.diagnostics.length === 0) return { ok: true, fragment: parsed.fragment, diagnostics: [] };
  const all = parsed.kind === 'partial' ? [...parsed.diagnostics, ...analysis.diagnostics] : analysis.diagnostics;
  return { ok: false, fragment: parsed.kind === 'parsed' ? parsed.fragment : null, diagnostics: sortDiagnostics(all) };
}
