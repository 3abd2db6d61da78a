/**
 * Planner-controlled regular expressions, matched in linear time. A pattern a planner writes
 * (a `validate` schema's `pattern`, a JSONata `/regex/` in `transform` or `decide`) runs on
 * re2js, the pure-JavaScript port of RE2: no backtracking, so `^(a+)+$` against 40 × `a` + `!`
 * takes microseconds instead of freezing the worker's event loop. The price is RE2's syntax:
 * no backreferences and no lookaround; `linearRegexProblem` says so at validation time, so the
 * planner can rewrite the pattern before anything runs. Pure JS and sandbox-safe: the validator
 * uses it in workflow code.
 */
import { RE2JS } from 're2js';

/** A pattern the linear-time engine cannot run (backreferences, lookaround, bad syntax). */
export class UnsupportedRegexError extends Error {
  override readonly name = 'UnsupportedRegexError';
  constructor(
    readonly source: string,
    readonly reason: string,
  ) {
    super(`The regular expression /${source}/ cannot run on the linear-time engine (RE2 syntax): ${reason}.`);
  }
}

/** What to write instead, for a pattern `linearRegexProblem` refuses. */
export const LINEAR_REGEX_HINT =
  'Write the pattern in RE2 syntax: no backreferences (\\1) and no lookahead or lookbehind ((?=, (?!, (?<=, (?<!); ' +
  'match the parts separately, or check them with a `transform` expression instead.';

// Compiled programs are reused: a handful of patterns per step, matched against many rows.
const CACHE = new Map<string, RE2JS>();
const CACHE_LIMIT = 512;

/**
 * Compiles a JavaScript-syntax pattern with JavaScript flags (`i`, `m`, `s`; `g`, `y`, `u`, `d`
 * change nothing here) for the linear-time engine; throws `UnsupportedRegexError` when it cannot.
 */
export function compileLinear(source: string, flags = ''): RE2JS {
  const key = `${flags}/${source}`;
  const cached = CACHE.get(key);
  if (cached) return cached;
  let bits = 0;
  if (flags.includes('i')) bits |= RE2JS.CASE_INSENSITIVE;
  if (flags.includes('m')) bits |= RE2JS.MULTILINE;
  if (flags.includes('s')) bits |= RE2JS.DOTALL;
  let compiled: RE2JS;
  try {
    compiled = RE2JS.compile(RE2JS.translateRegExp(source), bits);
  } catch (err) {
    const reason = err instanceof Error ? err.message.replace(/^error parsing regexp: /, '') : String(err);
    throw new UnsupportedRegexError(source, reason);
  }
  if (CACHE.size >= CACHE_LIMIT) CACHE.clear();
  CACHE.set(key, compiled);
  return compiled;
}

/** Why the linear-time engine cannot run `source`, or null when it can. */
export function linearRegexProblem(source: string, flags = ''): string | null {
  try {
    compileLinear(source, flags);
    return null;
  } catch (err) {
    return err instanceof UnsupportedRegexError ? err.reason : String(err);
  }
}

/**
 * A `RegExp` stand-in on the linear-time engine, with what JSONata's `RegexEngine` option uses:
 * `new LinearRegExp(regexOrSource, flags)`, `lastIndex`, `exec` (an array of the match and its
 * groups, with `index`) and `test`. `exec` always searches from `lastIndex` and moves it past the
 * match, as a global `RegExp` does.
 * @example jsonata(expr, { RegexEngine: LinearRegExp })
 */
export class LinearRegExp {
  readonly source: string;
  readonly flags: string;
  lastIndex = 0;
  readonly #re: RE2JS;

  constructor(pattern: RegExp | string, flags?: string) {
    this.source = typeof pattern === 'string' ? pattern : pattern.source;
    this.flags = flags ?? (typeof pattern === 'string' ? '' : pattern.flags);
    this.#re = compileLinear(this.source, this.flags);
  }

  exec(input: string): RegExpExecArray | null {
    const from = this.lastIndex;
    if (from > input.length) {
      this.lastIndex = 0;
      return null;
    }
    const m = this.#re.matcher(input);
    if (!m.find(from)) {
      this.lastIndex = 0;
      return null;
    }
    const groups: (string | undefined)[] = [];
    for (let g = 0; g <= m.groupCount(); g++) groups.push(m.group(g) ?? undefined);
    const result = Object.assign(groups, { index: m.start(), input, groups: undefined }) as unknown as RegExpExecArray;
    this.lastIndex = m.end();
    return result;
  }

  test(input: string): boolean {
    return this.#re.test(input);
  }

  toString(): string {
    return `/${this.source}/${this.flags}`;
  }
}

/**
 * Ajv's `code.regExp` option on the linear-time engine: every `pattern` and `patternProperties`
 * a schema holds compiles here, and a pattern it cannot run fails `ajv.compile` with
 * `UnsupportedRegexError`.
 * @example new Ajv({ code: { regExp: linearRegExpForAjv } })
 */
export const linearRegExpForAjv = Object.assign((pattern: string, flags: string) => new LinearRegExp(pattern, flags), {
  code: 'new LinearRegExp',
});
