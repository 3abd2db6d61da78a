/**
 * `transform`: reshapes JSON with a JSONata expression, within time, depth and size limits.
 *
 * The bounded evaluation (`evaluateJsonata`) is the core; `decide` reuses it for its rules. The
 * limits use JSONata's own guardrails (`timeout`, `stack`, `sequence` options, checked on every
 * evaluation step), because evaluation runs as a chain of microtasks: a timer racing it would
 * never get to run before the evaluation finished.
 */
import jsonata from 'jsonata';
import { z } from 'zod';
import type { Handler } from '../src/handler.js';
import type { JsonValue } from '../src/core/json.js';
import { LinearRegExp } from '../src/core/linear-regex.js';
import { DEFAULT_MAX_DATA_NESTING, findNestingProblem } from '../src/core/nesting.js';
import { declareErrorModes, pointAt } from './failures.js';
// The grammar's modules, not its index: the index loads jsonata-transform.ts, which imports this file.
import { compose } from './grammar/compose.js';
import { transformPrimitive } from './grammar/kinds.js';

/** Bounds for one JSONata evaluation. */
export interface JsonataLimits {
  /** Wall-clock time one evaluation may take, in milliseconds. */
  readonly timeoutMs: number;
  /** Deepest nesting of evaluation steps (bounds non-tail recursion and its memory). */
  readonly maxDepth: number;
  /** Longest sequence the expression may build, result or intermediate (bounds ranges and maps). */
  readonly maxSequence: number;
  /** Largest result, in bytes of compact JSON. */
  readonly maxResultBytes: number;
}

/** The limits `transform` and `decide` use unless the worker configures others. */
export const DEFAULT_JSONATA_LIMITS: JsonataLimits = {
  timeoutMs: 1_000,
  maxDepth: 10_000,
  maxSequence: 1_000_000,
  maxResultBytes: 1_000_000,
};

/** Why a JSONata expression could not produce a result. */
export type JsonataProblemKind = 'syntax' | 'evaluation' | 'timeout' | 'too_large';

/** A JSONata expression failed; `message` says what and where, without advice (callers add it). */
export class JsonataProblem extends Error {
  override readonly name = 'JsonataProblem';
  constructor(
    readonly kind: JsonataProblemKind,
    message: string,
    /**
     * JSONata's error code (e.g. `S0211`), position (1-based, end of the token), token, and the
     * expression around the position with a caret under it, when known.
     */
    readonly info: { readonly code?: string; readonly position?: number; readonly token?: string; readonly excerpt?: string } = {},
  ) {
    super(message);
  }
}

/** The error objects JSONata throws: plain objects, not `Error` instances. */
interface JsonataError {
  code: string;
  message: string;
  position?: number;
  token?: string;
}

function isJsonataError(err: unknown): err is JsonataError {
  return typeof err === 'object' && err !== null && typeof (err as { code?: unknown }).code === 'string';
}

function describeAt(err: JsonataError, withMessage = true): string {
  const where = err.position === undefined ? '' : ` at position ${err.position}`;
  const near = err.token === undefined ? '' : ` near '${err.token}'`;
  // JSONata's messages end with a period; ours continue after them.
  const message = withMessage ? `: ${err.message.replace(/\.\s*$/, '')}` : '';
  return `${where}${near}${message} (${err.code})`;
}

function infoOf(expression: string, err: JsonataError): JsonataProblem['info'] {
  return {
    code: err.code,
    ...(err.position === undefined ? {} : { position: err.position, excerpt: pointAt(expression, err.position - 1) }),
    ...(err.token === undefined ? {} : { token: err.token }),
  };
}

/** Parses `expression` with the limits attached; throws a `syntax` problem with position and token. */
export function compileJsonata(expression: string, limits: JsonataLimits = DEFAULT_JSONATA_LIMITS): jsonata.Expression {
  let compiled: jsonata.Expression;
  try {
    // Regex literals run on the linear-time engine: `/^(a+)+$/` cannot freeze the worker.
    compiled = jsonata(expression, { timeout: limits.timeoutMs, stack: limits.maxDepth, sequence: limits.maxSequence, RegexEngine: LinearRegExp as unknown as RegExpConstructor });
  } catch (err) {
    if (!isJsonataError(err)) throw err;
    throw new JsonataProblem('syntax', `has a syntax error${describeAt(err)}`, infoOf(expression, err));
  }
  // One native call can allocate more than any step may return, in one blocking go
  // (`$pad("x", 536000000)`: 3.2 s, 1.67 GB): these check the size before allocating.
  compiled.registerFunction('pad', boundedPad(limits.maxResultBytes), '<s-ns?:s>');
  compiled.registerFunction('join', boundedJoin(limits.maxResultBytes), '<a<s>s?:s>');
  return compiled;
}

/** JSONata's `$pad`, refusing before allocation a padding longer than `maxChars`. */
function boundedPad(maxChars: number) {
  return (str: string | undefined, width: number, char?: string): string | undefined => {
    if (str === undefined) return undefined;
    const fill = char === undefined || char.length === 0 ? ' ' : char;
    const target = Math.abs(Math.trunc(width));
    const padLength = target - [...str].length;
    if (!(padLength > 0)) return str;
    if (padLength * fill.length > maxChars) {
      throw new JsonataProblem('too_large', `asked $pad for ${target} characters, over the limit of ${maxChars}`);
    }
    // As JSONata pads: the fill repeated, cut to padLength code points.
    const padding = fill.length === 1 ? fill.repeat(padLength) : Array.from(fill.repeat(padLength)).slice(0, padLength).join('');
    return width > 0 ? str + padding : padding + str;
  };
}

/** JSONata's `$join`, refusing before allocation a result longer than `maxChars`. */
function boundedJoin(maxChars: number) {
  return (strs: string[] | undefined, separator?: string): string | undefined => {
    if (strs === undefined) return undefined;
    const sep = separator ?? '';
    let total = sep.length * Math.max(0, strs.length - 1);
    for (const s of strs) total += s.length;
    if (total > maxChars) throw new JsonataProblem('too_large', `asked $join for ${total} characters, over the limit of ${maxChars}`);
    return strs.join(sep);
  };
}

/**
 * Evaluates a JSONata expression against `input` within `limits` and returns plain JSON
 * (`undefined` becomes `null`). Throws `JsonataProblem` for every expected failure.
 * @example await evaluateJsonata('$sum(items.price)', { items: [{ price: 2 }] }) // 2
 */
export async function evaluateJsonata(
  expression: string,
  input: JsonValue,
  options: { readonly bindings?: Readonly<Record<string, JsonValue>>; readonly limits?: JsonataLimits } = {},
): Promise<JsonValue> {
  const limits = options.limits ?? DEFAULT_JSONATA_LIMITS;
  const compiled = compileJsonata(expression, limits);
  let raw: unknown;
  try {
    raw = await compiled.evaluate(input, options.bindings);
  } catch (err) {
    throw evaluationProblem(expression, err, limits);
  }
  // The copy below recurses: data nested past what any step may carry is refused first.
  // Each value takes at least a byte of JSON, so the walk ends within the size limit even on
  // values shared exponentially often.
  const deep = findNestingProblem(raw, DEFAULT_MAX_DATA_NESTING, limits.maxResultBytes, isJsonataFunction);
  if (deep?.kind === 'too_deep') {
    throw new JsonataProblem('too_large', `built a result nested more than ${DEFAULT_MAX_DATA_NESTING} levels deep`);
  }
  if (deep?.kind === 'too_many') throw new JsonataProblem('too_large', `built a result of more than ${limits.maxResultBytes} values`);
  return toJsonResult(raw, limits.maxResultBytes);
}

function evaluationProblem(expression: string, err: unknown, limits: JsonataLimits): JsonataProblem {
  if (err instanceof JsonataProblem) return err; // a bounded function refused before allocating
  if (!isJsonataError(err)) {
    // Engine-level failures (e.g. "Invalid string length") are still failures of this expression.
    const message = err instanceof Error ? err.message : String(err);
    return new JsonataProblem('evaluation', `failed while evaluating: ${message}`);
  }
  switch (err.code) {
    case 'D1012':
      return new JsonataProblem('timeout', `ran longer than ${limits.timeoutMs} ms and was stopped`, infoOf(expression, err));
    case 'D2014':
    case 'D2015':
      return new JsonataProblem(
        'too_large',
        `built a sequence longer than ${limits.maxSequence} items${describeAt(err, false)}`,
        infoOf(expression, err),
      );
    case 'D1011':
      return new JsonataProblem(
        'evaluation',
        `nested deeper than ${limits.maxDepth} evaluation steps (unbounded recursion?)${describeAt(err)}`,
        infoOf(expression, err),
      );
    default:
      return new JsonataProblem('evaluation', `failed while evaluating${describeAt(err)}`, infoOf(expression, err));
  }
}

/** A JSONata lambda or native function in a result: not JSON, and `toJsonResult` says so. */
function isJsonataFunction(value: object): boolean {
  return '_jsonata_lambda' in value || '_jsonata_function' in value;
}

/**
 * Copies a JSONata result into plain JSON, counting its compact JSON size as it goes so that an
 * oversized result fails without first being serialized whole. Functions are not JSON: they fail.
 */
export function toJsonResult(value: unknown, maxBytes: number): JsonValue {
  let used = 0;
  const path: (string | number)[] = [];
  const where = () => (path.length === 0 ? 'the result' : `result${path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${p}`)).join('')}`);
  const add = (bytes: number) => {
    used += bytes;
    if (used > maxBytes) {
      throw new JsonataProblem('too_large', `produced a result larger than ${maxBytes} bytes of JSON (limit reached at ${where()})`);
    }
  };
  const scalar = <T extends JsonValue>(v: T, bytes: number): T => {
    add(bytes);
    return v;
  };
  const copy = (v: unknown): JsonValue | undefined => {
    if (v === undefined) return undefined;
    if (v === null) return scalar(null, 4);
    if (typeof v === 'boolean') return scalar(v, v ? 4 : 5);
    // JSON has no NaN or Infinity; JSON.stringify writes null, and so do we.
    if (typeof v === 'number') return Number.isFinite(v) ? scalar(v, String(v).length) : scalar(null, 4);
    if (typeof v === 'string') return scalar(v, Buffer.byteLength(JSON.stringify(v)));
    if (typeof v === 'function' || (typeof v === 'object' && ('_jsonata_lambda' in v || '_jsonata_function' in v))) {
      throw new JsonataProblem('evaluation', `returned a function at ${where()}; results must be JSON (call the function, or drop it)`);
    }
    if (Array.isArray(v)) {
      add(2 + Math.max(0, v.length - 1));
      return v.map((item, i) => {
        path.push(i);
        const copied = copy(item);
        const out = copied === undefined ? scalar(null, 4) : copied;
        path.pop();
        return out;
      });
    }
    const out: Record<string, JsonValue> = {};
    add(2);
    for (const [key, item] of Object.entries(v as Record<string, unknown>)) {
      path.push(key);
      const copied = copy(item);
      path.pop();
      if (copied === undefined) continue;
      // The key, its colon, and a comma before every key but the first.
      add(Buffer.byteLength(JSON.stringify(key)) + (Object.keys(out).length > 0 ? 2 : 1));
      out[key] = copied;
    }
    return out;
  };
  const result = copy(value);
  return result === undefined ? scalar(null, 4) : result;
}

/**
 * The message for a failed expression: subject, what failed and where, what to do, and the
 * expression excerpt with a caret on its own lines.
 */
export function jsonataMessage(subject: string, problem: JsonataProblem, advice: string): string {
  const excerpt = problem.info.excerpt === undefined ? '' : `\n${problem.info.excerpt}`;
  return `${subject} ${problem.message}. ${advice}${excerpt}`;
}

const errors = declareErrorModes({
  TRANSFORM_EXPRESSION_INVALID: { retryable: false, description: 'The JSONata expression does not parse.' },
  TRANSFORM_EVALUATION_FAILED: {
    retryable: false,
    description: 'The expression failed on this input (type error, undefined function, too deep, or a non-JSON result).',
  },
  TRANSFORM_TIMEOUT: { retryable: false, description: 'The expression ran past its time limit.' },
  TRANSFORM_RESULT_TOO_LARGE: {
    retryable: false,
    description: 'The result, or a sequence built while evaluating, is over the size limit.',
  },
});

const ADVICE: Record<JsonataProblemKind, string> = {
  syntax: 'Fix the JSONata syntax (https://docs.jsonata.org).',
  evaluation: 'Check the expression against the shape of `data` and the bindings it uses.',
  timeout: 'Look for unbounded recursion or loops, or reduce the data before transforming it.',
  too_large: 'Filter, aggregate or paginate inside the expression so the result stays small.',
};

const CODE: Record<JsonataProblemKind, Parameters<typeof errors.fail>[0]> = {
  syntax: 'TRANSFORM_EXPRESSION_INVALID',
  evaluation: 'TRANSFORM_EVALUATION_FAILED',
  timeout: 'TRANSFORM_TIMEOUT',
  too_large: 'TRANSFORM_RESULT_TOO_LARGE',
};

/** Input of `transform`. */
export const transformInput = z
  .object({
    data: z.json().describe('The document to transform; `$` in the expression.'),
    expression: z
      .string()
      .min(1)
      .max(20_000)
      .meta({ 'x-weft-syntax': 'jsonata' })
      .describe(
        'A JSONata expression (https://docs.jsonata.org), e.g. `orders[status = "paid"].{ "id": id, "total": total }`. ' +
          'Regexes (/.../) use RE2 syntax: no backreferences, no lookaround.',
      ),
    bindings: z
      .record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/), z.json())
      .optional()
      .describe('Extra values the expression reads as `$name`.'),
  })
  .strict();

/** Output of `transform`. */
export const transformOutput = z.object({
  result: z.json().describe('The value of the expression; null when it matches nothing.'),
});

/** The one step of `transform`: evaluates the given expression within `limits`, failing with a declared mode. */
function evaluateExpression(limits: JsonataLimits) {
  return transformPrimitive({
    name: 'evaluate_expression',
    input: transformInput,
    output: transformOutput,
    errorModes: errors.modes,
    async run({ data, expression, bindings }) {
      try {
        const result = await evaluateJsonata(expression, data, { ...(bindings ? { bindings } : {}), limits });
        return { result };
      } catch (err) {
        // Anything else (e.g. a stack overflow copying a very deep result) is still this expression failing.
        const problem = err instanceof JsonataProblem ? err : new JsonataProblem('evaluation', `failed: ${String(err)}`);
        throw errors.fail(CODE[problem.kind], jsonataMessage('Transform expression', problem, ADVICE[problem.kind]), problem.info);
      }
    },
  });
}

/**
 * Creates the `transform` handler with the given limits (the worker chooses them; the planner
 * cannot raise them): a composition of one `transform` primitive.
 */
export function createTransformHandler(
  limits: Partial<JsonataLimits> = {},
): Handler<z.infer<typeof transformInput>, z.infer<typeof transformOutput>> {
  const resolved: JsonataLimits = { ...DEFAULT_JSONATA_LIMITS, ...limits };
  return compose('transform', { description: 'Reshapes, filters or computes JSON with a JSONata expression.', category: 'data' })
    .then(evaluateExpression(resolved))
    .build();
}

/** The `transform` handler with the default limits (1 s, 1 MB). */
export const transform = createTransformHandler();
