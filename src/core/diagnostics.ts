/**
 * Validation diagnostics: stable codes, JSON Pointer paths, messages that say what failed and
 * where, hints that say what to do. Dashboards and tests group by `code`.
 */

/** Every diagnostic code weft emits, with when it is emitted. */
export const DIAGNOSTIC_CODES = {
  FRAGMENT_MALFORMED: 'not JSON, or fails the fragment schema',
  FRAGMENT_TOO_LARGE: 'over the byte limit, before parsing',
  FRAGMENT_TOO_DEEP: 'nested deeper than the nesting limit, before any recursive check',
  VALIDATOR_FAILED: 'the validator itself failed on this fragment (a weft bug): rejected, never accepted',
  STEP_NAME_INVALID: 'step name does not match ^[a-z][a-z0-9_]{0,62}$',
  STEP_NAME_DUPLICATE: 'step name used twice in the fragment',
  STEP_NAME_RESERVED: 'step name collides with a frame step or a step of an earlier phase',
  HANDLER_UNKNOWN: 'handler is not in the catalog',
  HANDLER_NOT_ALLOWED: 'handler is in the catalog but not allowed for this planning step',
  INPUT_INVALID: "literal input fails the handler's input schema",
  INPUT_MISSING: 'required input absent',
  INPUT_UNKNOWN: 'input the handler does not take',
  PATTERN_UNSUPPORTED: 'a regular expression in an input the linear-time regex engine (RE2 syntax) cannot run',
  DEPENDENCY_UNKNOWN: 'dependency names no known step',
  DEPENDENCY_CYCLE: 'dependencies form a cycle',
  DEPENDENCY_FORBIDDEN: 'depends on the convergence step or anything after it, or on a step not complete at planning time',
  REFERENCE_MALFORMED: 'reference syntax is wrong',
  REFERENCE_UNKNOWN_STEP: 'reference names no known step',
  REFERENCE_NOT_UPSTREAM: 'referenced step is not an ancestor through dependencies',
  REFERENCE_PATH_UNKNOWN: "path is absent from the producer's output schema",
  REFERENCE_TYPE_MISMATCH: "producer type does not fit the consumer's input schema",
  LIMIT_STEPS: "over the planning step's max steps",
  LIMIT_DEPTH: "over the planning step's max depth",
  BUDGET_STEPS: 'over the remaining step budget of the task',
  BUDGET_COST: 'over the remaining cost budget of the task',
  BUDGET_PHASES: 'asks for another phase when no planning phase remains',
  MUTATION_POLICY: "a mutating handler the template's policy does not allow here",
} as const;

/** A stable diagnostic code. */
export type DiagnosticCode = keyof typeof DIAGNOSTIC_CODES;

/** One problem found in a fragment. */
export interface Diagnostic {
  /** Stable identifier, e.g. `HANDLER_NOT_ALLOWED`. */
  readonly code: DiagnosticCode;
  /** JSON Pointer into the fragment (RFC 6901), e.g. `/steps/2/handler`; `""` for the whole fragment. */
  readonly path: string;
  /** What failed and where, in one or two sentences. */
  readonly message: string;
  /** What to do, naming the valid choices. */
  readonly hint: string;
}

/**
 * Formats a list of valid choices for a hint: at most `max` names, then "and N more".
 * @example listChoices(['a', 'b']) // "a, b"
 */
export function listChoices(choices: readonly string[], max = 5): string {
  if (choices.length === 0) return '(none)';
  const shown = choices.slice(0, max).join(', ');
  const rest = choices.length - max;
  return rest > 0 ? `${shown} and ${rest} more` : shown;
}

/** Escapes one JSON Pointer reference token (RFC 6901). */
export function pointerToken(token: string | number): string {
  return String(token).replace(/~/g, '~0').replace(/\//g, '~1');
}

/** Builds a JSON Pointer from tokens. */
export function pointer(...tokens: readonly (string | number)[]): string {
  return tokens.map((t) => `/${pointerToken(t)}`).join('');
}
