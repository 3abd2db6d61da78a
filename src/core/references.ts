/**
 * References in step inputs: `${task.input.<path>}` and `${steps.<name>.output.<path>}`.
 *
 * A string that is exactly one reference yields the referenced value with its own type; a
 * reference inside a longer string interpolates as text: strings as they are, everything else
 * as JSON text (`3`, `true`, `null`, `{"a":1}`). Validation rejects interpolating an object or
 * array whose type it can see, so the JSON-text case only happens for untyped producers.
 * `$${` writes a literal `${`, so that any text stays expressible. Only string values are
 * scanned, never object keys. `<path>` is dot keys (`[A-Za-z0-9_-]+`) and `[n]` indexes.
 */
import { isBlobPath, isBlobRef, type BlobPath } from './blob.js';
import { pointerToken } from './diagnostics.js';
import { isJsonObject, type JsonValue } from './json.js';
import { formatPath, parseTemplate, scanReference, type PathSegment, type Reference } from './reference-syntax.js';

export { formatPath, formatReference, parseTemplate, type PathSegment, type Reference, type ReferenceSource, type TemplatePart } from './reference-syntax.js';

/** A well-formed reference found inside a value. */
export interface ReferenceOccurrence {
  /** JSON Pointer of the string holding it, relative to the scanned value (`""` for the value itself). */
  readonly pointer: string;
  /** The same location as keys and array indexes, e.g. `['options', 'urls', 0]`. */
  readonly location: readonly PathSegment[];
  /** True when the string is exactly this reference, so the value keeps its type. */
  readonly exact: boolean;
  readonly reference: Reference;
}

/** A `${` that does not start a valid reference. */
export interface MalformedReferenceOccurrence {
  readonly pointer: string;
  readonly location: readonly PathSegment[];
  /** The offending text, from `${` to the closing `}` or the end of the string. */
  readonly text: string;
  /** Why it is not a reference, in one sentence. */
  readonly reason: string;
  /** A corrected reference when the intent is clear (e.g. `outputs` → `output`), else null. */
  readonly suggestion: string | null;
}

/** Everything `findReferences` found, in document order. */
export interface ReferenceScan {
  readonly references: readonly ReferenceOccurrence[];
  readonly malformed: readonly MalformedReferenceOccurrence[];
  /** Pointers of every string containing `${` (references, malformed ones or escapes): not plain literals. */
  readonly templatePointers: readonly string[];
}

/**
 * Finds every reference in a JSON value, with its JSON Pointer and whether it is exact.
 * @example findReferences({ data: '${steps.load.output.rows}' }).references[0]?.pointer // "/data"
 */
export function findReferences(value: JsonValue): ReferenceScan {
  const scan: Scan = { references: [], malformed: [], templatePointers: [], location: [] };
  visit(scan, value);
  return { references: scan.references, malformed: scan.malformed, templatePointers: scan.templatePointers };
}

interface Scan {
  readonly references: ReferenceOccurrence[];
  readonly malformed: MalformedReferenceOccurrence[];
  readonly templatePointers: string[];
  /** One path stack for the whole walk; pointers and copies are made only where something is found. */
  readonly location: PathSegment[];
}

function visit(scan: Scan, node: JsonValue): void {
  if (typeof node === 'string') {
    // The cheap test first: almost every string holds no `${` at all.
    if (!node.includes('${')) return;
    const at = pointerOf(scan.location);
    scan.templatePointers.push(at);
    // The usual case, a string that is exactly one well-formed `${...}`, skips splitting into parts.
    if (node.startsWith('${') && node.indexOf('}') === node.length - 1) {
      const reference = scanReference(node);
      if (reference) {
        scan.references.push({ pointer: at, location: scan.location.slice(), exact: true, reference });
        return;
      }
    }
    const parts = parseTemplate(node);
    const exact = parts.length === 1;
    for (const part of parts) {
      if (part.kind === 'reference') scan.references.push({ pointer: at, location: scan.location.slice(), exact, reference: part.reference });
      else if (part.kind === 'malformed') {
        scan.malformed.push({ pointer: at, location: scan.location.slice(), text: part.text, reason: part.reason, suggestion: part.suggestion });
      }
    }
  } else if (Array.isArray(node)) {
    for (let i = 0; i < node.length; i++) {
      scan.location.push(i);
      visit(scan, node[i] as JsonValue);
      scan.location.pop();
    }
  } else if (node !== null && typeof node === 'object') {
    for (const key of Object.keys(node)) {
      scan.location.push(key);
      visit(scan, node[key] as JsonValue);
      scan.location.pop();
    }
  }
}

function pointerOf(location: readonly PathSegment[]): string {
  let out = '';
  for (const s of location) out += `/${typeof s === 'number' ? s : escapeToken(s)}`;
  return out;
}

/** `pointerToken` without the two regex replacements for the usual key that needs none. */
function escapeToken(key: string): string {
  return key.includes('~') || key.includes('/') ? pointerToken(key) : key;
}

/** Where `lookupPath` stopped, and why. */
export type PathLookup =
  | { readonly found: true; readonly value: JsonValue }
  | { readonly found: false; /** Index of the first segment that could not be followed. */ readonly failedAt: number; readonly reason: string };

/**
 * Follows a path through a JSON value. String segments key objects and number segments index
 * arrays, never the other way round, so that run time agrees with the schema checks made at
 * validation.
 */
export function lookupPath(value: JsonValue, segments: readonly PathSegment[]): PathLookup {
  let current: JsonValue = value;
  for (let i = 0; i < segments.length; i++) {
    const segment = segments[i] as PathSegment;
    if (typeof segment === 'number') {
      if (!Array.isArray(current)) return { found: false, failedAt: i, reason: `it is ${kindOf(current)}, not an array` };
      if (segment >= current.length) return { found: false, failedAt: i, reason: `the array has ${current.length} item(s)` };
      current = current[segment] as JsonValue;
    } else {
      if (!isJsonObject(current)) return { found: false, failedAt: i, reason: `it is ${kindOf(current)}, not an object` };
      // Own keys only: a key such as "constructor" must not reach the prototype.
      if (!Object.prototype.hasOwnProperty.call(current, segment)) return { found: false, failedAt: i, reason: `there is no key '${segment}'` };
      current = current[segment] as JsonValue;
    }
  }
  return { found: true, value: current };
}

/** The value at `segments` inside `value`, or `undefined` when the path does not exist. */
export function getAtPath(value: JsonValue, segments: readonly PathSegment[]): JsonValue | undefined {
  const lookup = lookupPath(value, segments);
  return lookup.found ? lookup.value : undefined;
}

function kindOf(value: JsonValue): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}

/** What references resolve against at run time. */
export interface ReferenceScope {
  readonly taskInput: JsonValue;
  /** Outputs of the steps that have completed, by step name. */
  readonly stepOutputs: Readonly<Record<string, JsonValue>>;
}

/**
 * Thrown by `resolveValue` when a reference cannot be resolved at run time. Validation makes
 * this rare (a producer whose output broke its schema, or a parked step skipped with a different
 * output). Workflow code converts it to a non-retryable `ApplicationFailure` of type `code`.
 */
export class ReferenceResolutionError extends Error {
  /** Stable code, usable as the `ApplicationFailure` type. */
  readonly code = 'REFERENCE_UNRESOLVED';
  override readonly name = 'ReferenceResolutionError';
  constructor(
    message: string,
    /** The reference as written. */
    readonly reference: string,
    /** The step it reads from; null for `task.input`. */
    readonly step: string | null,
    /** The part of the path that was followed before it failed, e.g. `orders[0]`. */
    readonly path: string,
  ) {
    super(message);
  }
}

/**
 * Resolves every reference in a value, deeply, for execution: exact references yield the value,
 * interpolated ones its text. Throws `ReferenceResolutionError` naming the step and path when
 * something is absent.
 * @example resolveValue('${task.input.n}', { taskInput: { n: 2 }, stepOutputs: {} }) // 2
 */
export function resolveValue(value: JsonValue, scope: ReferenceScope): JsonValue {
  if (typeof value === 'string') return value.includes('${') ? resolveString(value, scope) : value;
  if (Array.isArray(value)) return value.map((item) => resolveValue(item, scope));
  if (isJsonObject(value)) {
    const out: Record<string, JsonValue> = {};
    for (const key of Object.keys(value)) {
      const member = value[key] as JsonValue;
      const exact = typeof member === 'string' && member.includes('${') ? exactReference(member) : null;
      if (exact && isAbsentKey(exact, scope)) continue; // an optional field left out: leave the property out too
      out[key] = resolveValue(member, scope);
    }
    return out;
  }
  return value;
}

function exactReference(text: string): Reference | null {
  const parts = parseTemplate(text);
  const only = parts[0];
  return parts.length === 1 && only?.kind === 'reference' ? only.reference : null;
}

/**
 * True when the reference's source exists but its path stops at a key the object does not have:
 * an optional field that was left out. Validation has checked that the path exists in the schema.
 */
function isAbsentKey(ref: Reference, scope: ReferenceScope): boolean {
  let root: JsonValue | undefined;
  if (ref.source.kind === 'task') root = scope.taskInput;
  else if (Object.prototype.hasOwnProperty.call(scope.stepOutputs, ref.source.step)) root = scope.stepOutputs[ref.source.step];
  if (root === undefined || storedAlong(root, ref.path)) return false; // no output yet is an error; a stored result is checked by the activity
  const lookup = lookupPath(root, ref.path);
  if (lookup.found) return false;
  const parent = lookupPath(root, ref.path.slice(0, lookup.failedAt));
  return parent.found && isJsonObject(parent.value) && typeof ref.path[lookup.failedAt] === 'string';
}

function resolveString(input: string, scope: ReferenceScope): JsonValue {
  const parts = parseTemplate(input);
  const only = parts[0];
  if (parts.length === 1 && only?.kind === 'reference') return resolveReference(only.reference, scope);
  let out = '';
  for (const part of parts) {
    if (part.kind === 'text') out += part.text;
    else if (part.kind === 'reference') {
      const v = resolveReference(part.reference, scope);
      if (isBlobRef(v) || isBlobPath(v)) {
        throw new ReferenceResolutionError(
          `Reference ${part.reference.text} reads a stored result (over the inline size limit), which cannot be interpolated into text; use it as a whole value.`,
          part.reference.text,
          part.reference.source.kind === 'step' ? part.reference.source.step : null,
          '',
        );
      }
      out += typeof v === 'string' ? v : JSON.stringify(v);
    } else throw new ReferenceResolutionError(`Malformed reference '${part.text}': ${part.reason}.`, part.text, null, '');
  }
  return out;
}

function resolveReference(ref: Reference, scope: ReferenceScope): JsonValue {
  const { source, path, text } = ref;
  const stepName = source.kind === 'step' ? source.step : null;
  let root: JsonValue;
  if (stepName === null) root = scope.taskInput;
  else if (Object.prototype.hasOwnProperty.call(scope.stepOutputs, stepName)) root = scope.stepOutputs[stepName] as JsonValue;
  else throw new ReferenceResolutionError(`Reference ${text}: step '${stepName}' has no output (it has not completed).`, text, stepName, '');
  const stored = storedAlong(root, path);
  if (stored) return stored;
  const lookup = lookupPath(root, path);
  if (lookup.found) return lookup.value;
  const reached = formatPath(path.slice(0, lookup.failedAt));
  const owner = stepName === null ? 'the task input' : `the output of step '${stepName}'`;
  const where = reached === '' ? owner : `${owner} at '${reached}'`;
  throw new ReferenceResolutionError(
    `Reference ${text} cannot be resolved: in ${where}, ${lookup.reason}.`,
    text,
    stepName,
    reached,
  );
}

/**
 * When the path meets a stored result (a `BlobRef`, or a `BlobPath` such as the outputs of a
 * step that ran in a slice), the rest of the path is the activity's to follow: returns the marker
 * it loads, else null. A marker is never looked into here.
 */
function storedAlong(root: JsonValue, path: readonly PathSegment[]): JsonValue | null {
  let current: JsonValue = root;
  for (let i = 0; i <= path.length; i++) {
    if (isBlobRef(current)) {
      if (i === path.length) return current;
      const marker: BlobPath = { $weft_blob_path: { blob: current.$weft_blob, path: path.slice(i) } };
      return marker as unknown as JsonValue;
    }
    if (isBlobPath(current)) {
      if (i === path.length) return current;
      const { blob, path: at, slice } = current.$weft_blob_path;
      // A slice of items is an array of its own: an index into it moves by the slice's start.
      const rest = path.slice(i);
      const head = rest[0];
      const joined = slice && typeof head === 'number' ? [...at, slice[0] + head, ...rest.slice(1)] : [...at, ...rest];
      const marker: BlobPath = { $weft_blob_path: { blob, path: joined } };
      return marker as unknown as JsonValue;
    }
    if (i === path.length) return null;
    const lookup = lookupPath(current, [path[i] as PathSegment]);
    if (!lookup.found) return null;
    current = lookup.value;
  }
  return null;
}
