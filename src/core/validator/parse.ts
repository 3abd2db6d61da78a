/**
 * The first three checks, in order: size (before parsing, so that a huge answer costs nothing
 * more), JSON syntax, then the fragment's zod schema. Schema issues become FRAGMENT_MALFORMED
 * diagnostics whose hints are the schema's own field descriptions, so that the planner is told
 * the expected shape in the words of the tool schema it was shown.
 */
import { z } from 'zod';
import { listChoices, pointer, type Diagnostic } from '../diagnostics.js';
import { fragmentSchema, fragmentStepSchema, FRAGMENT_VERSION, type Fragment, type FragmentStep } from '../fragment.js';
import { isJsonObject, utf8ByteLength, type JsonValue } from '../json.js';
import { findNestingProblem } from '../nesting.js';
import { plainJsonByteLength } from './size.js';

/** What parsing left for the semantic checks. */
export type ParseResult =
  | { readonly kind: 'parsed'; readonly fragment: Fragment }
  /** Nothing further can be checked (too large, not JSON, not an object with a steps array). */
  | { readonly kind: 'rejected'; readonly diagnostics: Diagnostic[] }
  /**
   * The schema failed, but some steps parse on their own: semantic checks still run on them,
   * so that one planning attempt hears about as many problems as possible.
   */
  | {
      readonly kind: 'partial';
      readonly diagnostics: Diagnostic[];
      /** Each element of `steps`, parsed, or null when it fails the step schema. */
      readonly steps: readonly (FragmentStep | null)[];
      readonly unparsedNames: ReadonlySet<string>;
      readonly next: 'done' | 'replan' | null;
    };

/**
 * The fragment schema with `inputs` only required to be an object, derived from the real one.
 * `z.record(z.string(), z.json())` walks every input value through a six-way union and copies
 * it, which is most of the schema's cost on large fragments; the size walk (or `isJsonValue`)
 * answers the same question in one plain walk. When either says no, the real schema runs, so
 * that every issue is still zod's own.
 */
const FAST_FRAGMENT_SCHEMA = fragmentSchema.extend({
  steps: z.array(fragmentStepSchema.extend({ inputs: z.custom<Record<string, JsonValue>>(isJsonObject) })),
});

/** What `z.json()` accepts: finite numbers, strings, booleans, null, arrays and plain objects of those. */
function isJsonValue(value: unknown): boolean {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return true;
    case 'number':
      return Number.isFinite(value);
    case 'object': {
      if (value === null) return true;
      if (Array.isArray(value)) {
        for (const item of value) if (!isJsonValue(item)) return false;
        return true;
      }
      const proto: unknown = Object.getPrototypeOf(value);
      if (proto !== Object.prototype && proto !== null) return false;
      for (const key of Object.keys(value)) if (!isJsonValue((value as Record<string, unknown>)[key])) return false;
      return true;
    }
    case 'bigint':
    case 'function':
    case 'symbol':
    case 'undefined':
      return false;
  }
}

function fastParse(value: unknown, knownJson: boolean): Fragment | null {
  const parsed = FAST_FRAGMENT_SCHEMA.safeParse(value);
  if (!parsed.success) return null;
  if (!knownJson) for (const step of parsed.data.steps) if (!isJsonValue(step.inputs)) return null;
  return parsed.data;
}

const FRAGMENT_SHAPE = `an object with ${Object.keys(fragmentSchema.shape).join(', ')}`;
const STEP_SHAPE = `an object with ${Object.keys(fragmentStepSchema.shape).join(', ')}`;

/**
 * Size, nesting, JSON and schema checks of a raw planner answer (a JSON string or a parsed value).
 * Nesting is checked by an iterative walk before anything that recurses (the size walk, zod,
 * the semantic checks), so that no input can overflow the stack: a value is walked first (with
 * at most `maxBytes` values, since each takes at least one byte of JSON: shared or cyclic values
 * end the walk too), a text right after `JSON.parse` (which does not recurse).
 */
export function parseFragment(raw: unknown, maxBytes: number, maxNesting = Number.POSITIVE_INFINITY): ParseResult {
  if (typeof raw !== 'string' && maxNesting !== Number.POSITIVE_INFINITY) {
    const problem = nestingRejection(raw, maxNesting, maxBytes);
    if (problem) return problem;
  }
  // A value of plain JSON is measured without serializing it; anything else through its JSON.
  const plainBytes = typeof raw === 'string' ? -1 : plainJsonByteLength(raw);
  let bytes = plainBytes;
  if (bytes < 0) {
    let text: string | undefined;
    try {
      text = typeof raw === 'string' ? raw : JSON.stringify(raw);
    } catch (err) {
      return rejected('The fragment cannot be serialized as JSON', describeError(err));
    }
    if (text === undefined) return rejected('The planner returned no fragment', 'nothing (undefined)');
    // UTF-8 needs 1 to 3 bytes per UTF-16 unit: only a length between the bounds needs counting.
    bytes = text.length * 3 <= maxBytes ? text.length : utf8ByteLength(text);
  }
  if (bytes > maxBytes) {
    return {
      kind: 'rejected',
      diagnostics: [
        {
          code: 'FRAGMENT_TOO_LARGE',
          path: '',
          message: `The fragment is ${bytes} bytes of JSON; this planning step accepts at most ${maxBytes}.`,
          hint: 'Plan fewer steps, keep reasoning short, and pass large data by reference (${steps.<name>.output...}) instead of inlining it; plan the rest in a later phase with "next": "replan".',
        },
      ],
    };
  }
  let value: unknown = raw;
  if (typeof raw === 'string') {
    try {
      value = JSON.parse(raw);
    } catch (err) {
      return rejected('The fragment is not valid JSON', describeError(err));
    }
    if (maxNesting !== Number.POSITIVE_INFINITY) {
      const problem = nestingRejection(value, maxNesting, maxBytes);
      if (problem) return problem;
    }
  }
  // JSON.parse output, and a value the size walk found plain, hold only JSON: no need to look again.
  const fast = fastParse(value, typeof raw === 'string' || plainBytes >= 0);
  if (fast) return { kind: 'parsed', fragment: fast };
  const parsed = fragmentSchema.safeParse(value);
  if (parsed.success) return { kind: 'parsed', fragment: parsed.data };
  const diagnostics = parsed.error.issues.flatMap((issue) => schemaDiagnostics(issue, value));
  if (!isJsonObject(value) || !Array.isArray(value['steps'])) return { kind: 'rejected', diagnostics };
  const steps: (FragmentStep | null)[] = [];
  const unparsedNames = new Set<string>();
  for (const element of value['steps'] as unknown[]) {
    const step = fragmentStepSchema.safeParse(element);
    steps.push(step.success ? step.data : null);
    const name = isJsonObject(element) ? element['name'] : undefined;
    if (!step.success && typeof name === 'string') unparsedNames.add(name);
  }
  const next = value['next'] === 'done' || value['next'] === 'replan' ? value['next'] : null;
  return { kind: 'partial', diagnostics, steps, unparsedNames, next };
}

/** FRAGMENT_TOO_DEEP at the first container past `maxNesting`, or FRAGMENT_TOO_LARGE for too many values. */
function nestingRejection(value: unknown, maxNesting: number, maxBytes: number): ParseResult | null {
  const problem = findNestingProblem(value, maxNesting, maxBytes);
  if (!problem) return null;
  if (problem.kind === 'too_many') {
    return {
      kind: 'rejected',
      diagnostics: [
        {
          code: 'FRAGMENT_TOO_LARGE',
          path: '',
          message: `The fragment holds more than ${maxBytes} JSON values; this planning step accepts at most ${maxBytes} bytes of JSON.`,
          hint: 'Plan fewer steps and pass large data by reference (${steps.<name>.output...}) instead of inlining it.',
        },
      ],
    };
  }
  const at = pointer(...problem.path);
  return {
    kind: 'rejected',
    diagnostics: [
      {
        code: 'FRAGMENT_TOO_DEEP',
        path: at,
        message: `The fragment nests arrays and objects more than ${maxNesting} levels deep (level ${problem.depth} at '${at}'), or contains itself; nothing else was checked.`,
        hint: `Keep the fragment within ${maxNesting} levels: flatten nested literals, pass deep data by reference (\${steps.<name>.output...}) instead of inlining it, and return plain JSON.`,
      },
    ],
  };
}

function rejected(what: string, detail: string): ParseResult {
  return {
    kind: 'rejected',
    diagnostics: [
      {
        code: 'FRAGMENT_MALFORMED',
        path: '',
        message: `${what}: ${detail}.`,
        hint: `Return exactly one JSON object: ${FRAGMENT_SHAPE}, and nothing else.`,
      },
    ],
  };
}

function describeError(err: unknown): string {
  return err instanceof Error ? err.message.replace(/\.$/, '') : String(err);
}

/** One zod issue as diagnostics (one per unknown key, so each path points at what to remove). */
function schemaDiagnostics(issue: z.core.$ZodIssue, value: unknown): Diagnostic[] {
  const path = issue.path.map((p) => (typeof p === 'number' ? p : String(p)));
  const where = describeLocation(path, value);
  if (issue.code === 'unrecognized_keys') {
    const allowed = path.length === 0 ? Object.keys(fragmentSchema.shape) : Object.keys(fragmentStepSchema.shape);
    return issue.keys.map((key) => ({
      code: 'FRAGMENT_MALFORMED',
      path: pointer(...path, key),
      message: `${where} has the key '${key}', which the fragment schema does not allow.`,
      hint: `Remove '${key}'; ${path.length === 0 ? 'a fragment' : 'a step'} has exactly: ${listChoices(allowed, allowed.length)}.`,
    }));
  }
  return [{ code: 'FRAGMENT_MALFORMED', path: pointer(...path), message: `${where}: ${issue.message}.`, hint: expectedShape(path, issue) }];
}

/** "Step 2 ('enrich') field 'dependencies'", "Field 'next'", "The fragment". */
function describeLocation(path: readonly (string | number)[], value: unknown): string {
  if (path.length === 0) return 'The fragment';
  if (path[0] === 'steps' && typeof path[1] === 'number') {
    const steps = isJsonObject(value) && Array.isArray(value['steps']) ? value['steps'] : [];
    const element: unknown = steps[path[1]];
    const name = isJsonObject(element) && typeof element['name'] === 'string' ? ` ('${element['name']}')` : '';
    const rest = path.slice(2);
    if (rest.length === 0) return `Step ${path[1]}${name}`;
    return `Step ${path[1]}${name} field '${rest.join('.')}'`;
  }
  return `Field '${path.join('.')}'`;
}

/** The expected shape at a path, from the schema's descriptions. */
function expectedShape(path: readonly (string | number)[], issue: z.core.$ZodIssue): string {
  const [first, index, field] = path;
  if (path.length === 0) return `Return ${FRAGMENT_SHAPE}.`;
  if (first === 'fragment_version') return `Set "fragment_version": "${FRAGMENT_VERSION}".`;
  if (first === 'next') return `Use one of: ${listChoices(fragmentSchema.shape.next.options)}. ${fragmentSchema.shape.next.description ?? ''}`.trim();
  if (first === 'steps' && path.length === 1) return `Give "steps" as an array of steps, each ${STEP_SHAPE}.`;
  if (first === 'steps' && typeof index === 'number' && field === undefined) return `Each step is ${STEP_SHAPE}.`;
  if (first === 'steps' && typeof field === 'string' && field in fragmentStepSchema.shape) {
    const described = fragmentStepSchema.shape[field as keyof typeof fragmentStepSchema.shape].description ?? '';
    if (field === 'inputs' && path.length > 3) return `Each input value must be JSON (string, number, boolean, null, array or object). ${described}`;
    return `Give '${field}' as ${expected(issue, field)}: ${described}`;
  }
  if (typeof first === 'string' && first in fragmentSchema.shape) {
    const described = fragmentSchema.shape[first as keyof typeof fragmentSchema.shape].description ?? '';
    return `Give '${first}' as ${expected(issue, first)}: ${described}`;
  }
  return `Return ${FRAGMENT_SHAPE}.`;
}

function expected(issue: z.core.$ZodIssue, field: string): string {
  if (issue.code === 'invalid_type') return issue.expected === 'array' ? 'an array' : issue.expected === 'object' || issue.expected === 'record' ? 'an object' : `a ${issue.expected}`;
  if (field === 'dependencies') return 'an array of step names';
  if (field === 'inputs') return 'an object';
  return 'a string';
}
