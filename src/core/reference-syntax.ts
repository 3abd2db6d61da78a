/**
 * The syntax of references: `${task.input.<path>}` and `${steps.<name>.output.<path>}`, where
 * `<path>` is dot keys (`[A-Za-z0-9_-]+`) and `[n]` indexes, possibly empty. Parsing a string
 * into literal text, references and malformed `${...}` pieces (with the reason and, when the
 * intent is clear, the corrected reference), and writing paths and references back.
 * `$${` writes a literal `${`.
 */

/** One step of a reference path: an object key or an array index. */
export type PathSegment = string | number;

/** What a reference reads from. */
export type ReferenceSource = { readonly kind: 'task' } | { readonly kind: 'step'; readonly step: string };

/** A well-formed reference. */
export interface Reference {
  readonly source: ReferenceSource;
  /** Path inside the task input or the step output; empty for the whole value. */
  readonly path: readonly PathSegment[];
  /** The reference as written, `${` to `}`. */
  readonly text: string;
}

/** A piece of a string: literal text, a reference, or a `${` that is not a valid reference. */
export type TemplatePart =
  | { readonly kind: 'text'; readonly text: string }
  | { readonly kind: 'reference'; readonly reference: Reference }
  | { readonly kind: 'malformed'; readonly text: string; readonly reason: string; readonly suggestion: string | null };

const STEP_NAME = /^[A-Za-z0-9_]+$/;
const PATH = /^(?:\.[A-Za-z0-9_-]+|\[(?:0|[1-9][0-9]*)\])*$/;

/** Formats a path the way references write it: `orders[0].id`. */
export function formatPath(segments: readonly PathSegment[]): string {
  let out = '';
  for (const s of segments) out += typeof s === 'number' ? `[${s}]` : out === '' ? s : `.${s}`;
  return out;
}

/** Writes a reference from its parts, e.g. `${steps.load.output.rows[0]}`. */
export function formatReference(source: ReferenceSource, path: readonly PathSegment[]): string {
  const head = source.kind === 'task' ? 'task.input' : `steps.${source.step}.output`;
  const tail = formatPath(path);
  return `\${${head}${tail === '' || tail.startsWith('[') ? tail : `.${tail}`}}`;
}

/** Splits a string into literal text, references and malformed `${...}` pieces. */
export function parseTemplate(input: string): TemplatePart[] {
  const parts: TemplatePart[] = [];
  let text = '';
  let i = 0;
  while (i < input.length) {
    const dollar = input.indexOf('$', i);
    if (dollar < 0) break;
    if (input.startsWith('$${', dollar)) {
      text += `${input.slice(i, dollar)}\${`;
      i = dollar + 3;
      continue;
    }
    if (input[dollar + 1] !== '{') {
      text += input.slice(i, dollar + 1);
      i = dollar + 1;
      continue;
    }
    text += input.slice(i, dollar);
    if (text !== '') parts.push({ kind: 'text', text });
    text = '';
    const close = input.indexOf('}', dollar + 2);
    if (close < 0) {
      const rest = input.slice(dollar);
      parts.push({ kind: 'malformed', text: rest, reason: "it has no closing '}'", suggestion: null });
      return parts;
    }
    parts.push(parseReference(input.slice(dollar, close + 1)));
    i = close + 1;
  }
  text += input.slice(i);
  if (text !== '') parts.push({ kind: 'text', text });
  return parts;
}

/** Parses one `${...}` (braces included): the fast scanner first, the diagnosis only when it fails. */
function parseReference(raw: string): TemplatePart {
  const fast = scanReference(raw);
  return fast ? { kind: 'reference', reference: fast } : diagnose(raw);
}

const TASK_SOURCE: ReferenceSource = { kind: 'task' };

/**
 * Reads a well-formed reference (braces included) character by character (no regex, no intermediate strings):
 * fragments hold thousands of references and this runs for each. Returns null for anything
 * not well-formed; `diagnose` then says why.
 */
export function scanReference(raw: string): Reference | null {
  const end = raw.length - 1; // index of the closing '}'
  let i = 2;
  let source: ReferenceSource;
  if (raw.startsWith('task.input', i)) {
    source = TASK_SOURCE;
    i += 'task.input'.length;
  } else if (raw.startsWith('steps.', i)) {
    i += 'steps.'.length;
    const start = i;
    while (i < end && isNameChar(raw.charCodeAt(i))) i++;
    if (i === start || !raw.startsWith('.output', i)) return null;
    source = { kind: 'step', step: raw.slice(start, i) };
    i += '.output'.length;
  } else return null;
  const path: PathSegment[] = [];
  while (i < end) {
    const c = raw.charCodeAt(i);
    if (c === 46 /* . */) {
      const start = ++i;
      while (i < end && isKeyChar(raw.charCodeAt(i))) i++;
      if (i === start) return null;
      path.push(raw.slice(start, i));
    } else if (c === 91 /* [ */) {
      const start = ++i;
      while (i < end && isDigit(raw.charCodeAt(i))) i++;
      // No leading zeros: `[01]` is almost surely a typo, and one index has one spelling.
      if (i === start || raw.charCodeAt(i) !== 93 /* ] */ || (i - start > 1 && raw.charCodeAt(start) === 48)) return null;
      path.push(Number(raw.slice(start, i)));
      i++;
    } else return null;
  }
  return { source, path, text: raw };
}

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}
function isNameChar(c: number): boolean {
  return isDigit(c) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95;
}
function isKeyChar(c: number): boolean {
  return isNameChar(c) || c === 45;
}

/** Why a `${...}` is not a reference, with a corrected one when the intent is clear. */
function diagnose(raw: string): TemplatePart {
  const body = raw.slice(2, -1);
  const malformed = (reason: string, suggestion: string | null = null): TemplatePart => ({ kind: 'malformed', text: raw, reason, suggestion });
  let rest: string;
  if (body === 'task.input' || body.startsWith('task.input.') || body.startsWith('task.input[')) {
    rest = body.slice('task.input'.length);
  } else if (body.startsWith('steps.')) {
    const afterSteps = body.slice('steps.'.length);
    const dot = afterSteps.indexOf('.');
    const step = dot < 0 ? afterSteps : afterSteps.slice(0, dot);
    if (!STEP_NAME.test(step)) return malformed(`'${step}' is not a step name`);
    const afterName = dot < 0 ? '' : afterSteps.slice(dot + 1);
    const word = /^[A-Za-z0-9_]*/.exec(afterName)?.[0] ?? '';
    if (word !== 'output') {
      const tail = afterName.slice(word.length);
      const fixed = PATH.test(tail) ? `\${steps.${step}.output${tail}}` : null;
      return malformed(word === '' ? `'steps.${step}' must be followed by '.output'` : `after 'steps.${step}' comes '.output', not '.${word}'`, fixed);
    }
    rest = afterName.slice('output'.length);
  } else {
    return malformed("a reference starts with 'task.input' or 'steps.<name>.output'", guessSource(body));
  }
  return malformed(`'${rest}' is not a path of .keys and [n] indexes`);
}

/** Suggests a fix for the common slips: `step.` for `steps.`, `input.` for `task.input.`. */
function guessSource(body: string): string | null {
  const m = /^(?:step|steps|outputs?)\.([A-Za-z0-9_]+)(?:\.outputs?)?(.*)$/.exec(body);
  if (m && PATH.test(m[2] ?? '')) return `\${steps.${m[1]}.output${m[2]}}`;
  const t = /^(?:task\.inputs|inputs?|task)((?:[.[].*)?)$/.exec(body);
  if (t && PATH.test(t[1] ?? '')) return `\${task.input${t[1]}}`;
  return null;
}
