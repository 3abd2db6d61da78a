/**
 * A small JSON Schema checker for the subset `z.toJSONSchema` emits (draft 2020-12). It runs in
 * the workflow sandbox, where Ajv cannot (Ajv compiles schemas with `new Function`), and it
 * reports every issue with a JSON Pointer, like zod does.
 *
 * Handled: `type` (one or a list; `integer`), `enum`, `const`, `anyOf`, `oneOf`, `allOf`, `not`,
 * numeric bounds, `multipleOf`, string lengths and `pattern`, `items`, `prefixItems`,
 * `minItems` / `maxItems`, `uniqueItems`, `properties`, `required`, `additionalProperties`,
 * `patternProperties`, `propertyNames`, `minProperties` / `maxProperties`, local `$ref`, boolean
 * schemas. Ignored (they accept): `format`, annotations, keywords outside the subset, patterns
 * this engine cannot compile.
 */
import { listChoices, pointerToken } from '../diagnostics.js';
import type { JsonSchema, JsonValue } from '../json.js';
import { compiled, resolveRefCached, type CompiledSchema } from './compiled.js';
import { describeSchema, inEnum, jsonEqual, jsonTypeOf, literal, schemaTypes, typeAccepts } from './node.js';

export { compilePattern } from './compiled.js';

/** One way a value fails a schema. */
export interface SchemaIssue {
  /** JSON Pointer into the checked value (for `required`, the pointer the missing key would have). */
  readonly pointer: string;
  /** The keyword that failed: `type`, `required`, `additionalProperties`, `minimum`, ... */
  readonly keyword: string;
  /** What is wrong, phrased to follow the location: "must be ≤ 100, got 500". */
  readonly message: string;
  /** What would be right: "a number ≤ 100", "one of 'a' | 'b'". */
  readonly expected: string;
  /** The property concerned by `required` / `additionalProperties` / `propertyNames` issues; else null. */
  readonly property: string | null;
}

/** Options of `checkSchema`. */
export interface CheckOptions {
  /**
   * Called for each value position before it is checked; returning true accepts it unchecked.
   * The validator uses it so that reference strings inside a literal input are not checked as
   * literals (their type is checked against the producer's schema instead).
   */
  readonly skip?: (value: JsonValue, pointer: string) => boolean;
}

// Deep enough for any schema zod emits; stops a `$ref` cycle that never consumes the value.
const MAX_DEPTH = 256;

/**
 * Checks a value against a schema and returns every issue (empty when the value is valid).
 * @example checkSchema({ type: 'integer', maximum: 10 }, 12)[0]?.message // "must be ≤ 10, got 12"
 */
export function checkSchema(schema: JsonSchema, value: JsonValue, options: CheckOptions = {}): SchemaIssue[] {
  const out: SchemaIssue[] = [];
  check(schema, value, '', out, { root: schema, skip: options.skip, depth: 0 });
  return out;
}

interface State {
  readonly root: JsonSchema;
  readonly skip: CheckOptions['skip'];
  depth: number;
}

function issue(pointer: string, keyword: string, message: string, expected: string, property: string | null = null): SchemaIssue {
  return { pointer, keyword, message, expected, property };
}

function check(schema: JsonSchema, value: JsonValue, ptr: string, out: SchemaIssue[], st: State): void {
  if (schema === true) return;
  if (schema === false) {
    out.push(issue(ptr, 'false', 'is not allowed here', 'no value'));
    return;
  }
  if (st.skip?.(value, ptr) === true || st.depth > MAX_DEPTH) return;
  st.depth++;
  checkObject(compiled(schema), value, ptr, out, st);
  st.depth--;
}

function checkObject(node: CompiledSchema, value: JsonValue, ptr: string, out: SchemaIssue[], st: State): void {
  if (node.ref !== undefined) {
    const target = resolveRefCached(st.root, node.ref);
    if (target !== undefined) check(target, value, ptr, out, st);
  }
  const types = node.types;
  if (types) {
    const actual = jsonTypeOf(value);
    let accepted = false;
    for (const t of types) if (typeAccepts(t, actual)) accepted = true;
    if (!accepted) {
      const want = types.join(' or ');
      out.push(issue(ptr, 'type', `must be ${want}, got ${actual === 'integer' ? 'number' : actual}`, want));
      return; // Every other keyword would only repeat the type mismatch.
    }
  }
  if (node.hasConst && !jsonEqual(node.constValue, value)) {
    out.push(issue(ptr, 'const', `must be ${literal(node.constValue)}, got ${literal(value)}`, literal(node.constValue)));
  }
  if (node.enumValues && !inEnum(node.enumValues, value)) {
    const want = `one of ${listChoices(node.enumValues.map(literal), 10)}`;
    out.push(issue(ptr, 'enum', `must be ${want}, got ${literal(value)}`, want));
  }
  if (typeof value === 'number') checkNumber(node, value, ptr, out);
  else if (typeof value === 'string') checkString(node, value, ptr, out);
  else if (Array.isArray(value)) checkArray(node, value, ptr, out, st);
  else if (value !== null && typeof value === 'object') checkProperties(node, value, ptr, out, st);
  if (node.allOf) for (const s of node.allOf) check(s, value, ptr, out, st);
  if (node.anyOf) checkUnion(node.anyOf, 'anyOf', value, ptr, out, st);
  if (node.oneOf) checkUnion(node.oneOf, 'oneOf', value, ptr, out, st);
  if (node.not !== undefined) {
    const inner: SchemaIssue[] = [];
    check(node.not, value, ptr, inner, st);
    const what = describeSchema(node.not, st.root);
    if (inner.length === 0) out.push(issue(ptr, 'not', `must not be ${what}`, `anything but ${what}`));
  }
}

function bound(out: SchemaIssue[], ptr: string, keyword: string, value: number, limit: number | undefined, op: string, ok: boolean): void {
  if (limit !== undefined && !ok) out.push(issue(ptr, keyword, `must be ${op} ${limit}, got ${value}`, `a number ${op} ${limit}`));
}

function checkNumber(node: CompiledSchema, value: number, ptr: string, out: SchemaIssue[]): void {
  const { minimum, maximum, exclusiveMinimum, exclusiveMaximum, multipleOf } = node;
  bound(out, ptr, 'minimum', value, minimum, '≥', minimum === undefined || value >= minimum);
  bound(out, ptr, 'maximum', value, maximum, '≤', maximum === undefined || value <= maximum);
  bound(out, ptr, 'exclusiveMinimum', value, exclusiveMinimum, '>', exclusiveMinimum === undefined || value > exclusiveMinimum);
  bound(out, ptr, 'exclusiveMaximum', value, exclusiveMaximum, '<', exclusiveMaximum === undefined || value < exclusiveMaximum);
  // A relative tolerance: 0.3 is a multiple of 0.1 although 0.3 / 0.1 is 2.9999999999999996.
  if (multipleOf !== undefined && multipleOf > 0) {
    const q = value / multipleOf;
    if (Math.abs(q - Math.round(q)) > 1e-9 * Math.max(1, Math.abs(q))) {
      out.push(issue(ptr, 'multipleOf', `must be a multiple of ${multipleOf}, got ${value}`, `a multiple of ${multipleOf}`));
    }
  }
}

/** Length in code points, as JSON Schema counts (an emoji is one character, not two). */
function codePointLength(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0xdc00 || c > 0xdfff) n++;
  }
  return n;
}

function checkString(node: CompiledSchema, value: string, ptr: string, out: SchemaIssue[]): void {
  const { minLength: min, maxLength: max, pattern } = node;
  if (min !== undefined || max !== undefined) {
    const len = codePointLength(value);
    if (min !== undefined && len < min) out.push(issue(ptr, 'minLength', `must have at least ${min} character(s), got ${len}`, `a string of at least ${min} character(s)`));
    if (max !== undefined && len > max) out.push(issue(ptr, 'maxLength', `must have at most ${max} character(s), got ${len}`, `a string of at most ${max} character(s)`));
  }
  if (pattern?.re && !pattern.re.test(value)) {
    out.push(issue(ptr, 'pattern', `must match the pattern /${pattern.source}/`, `a string matching /${pattern.source}/`));
  }
}

function checkArray(node: CompiledSchema, value: readonly JsonValue[], ptr: string, out: SchemaIssue[], st: State): void {
  const { minItems: min, maxItems: max, prefixItems: prefix, items } = node;
  if (min !== undefined && value.length < min) out.push(issue(ptr, 'minItems', `must have at least ${min} item(s), got ${value.length}`, `an array of at least ${min} item(s)`));
  if (max !== undefined && value.length > max) out.push(issue(ptr, 'maxItems', `must have at most ${max} item(s), got ${value.length}`, `an array of at most ${max} item(s)`));
  for (let i = 0; i < value.length; i++) {
    const s = i < prefix.length ? prefix[i] : items;
    if (s === false && i >= prefix.length) {
      out.push(issue(`${ptr}/${i}`, 'items', `is one item too many: at most ${prefix.length} item(s) are allowed`, `at most ${prefix.length} item(s)`));
      break;
    }
    if (s !== undefined) check(s, value[i] as JsonValue, `${ptr}/${i}`, out, st);
  }
  if (node.uniqueItems) {
    for (let i = 1; i < value.length; i++) {
      for (let j = 0; j < i; j++) {
        if (jsonEqual(value[i], value[j])) {
          out.push(issue(`${ptr}/${i}`, 'uniqueItems', `repeats item ${j}; items must be unique`, 'unique items'));
          return;
        }
      }
    }
  }
}

/** `pointerToken` without its two regex replacements for the usual key that needs none. */
function token(key: string): string {
  return key.includes('~') || key.includes('/') ? pointerToken(key) : key;
}

function checkProperties(node: CompiledSchema, value: { readonly [k: string]: JsonValue }, ptr: string, out: SchemaIssue[], st: State): void {
  const { properties: props, additionalProperties: additional, propertyNames: names, minProperties: minP, maxProperties: maxP } = node;
  for (const key of node.required) {
    if (!Object.prototype.hasOwnProperty.call(value, key)) {
      const s = props?.[key];
      const want = s === undefined ? `property '${key}'` : `property '${key}' (${describeSchema(s, st.root)})`;
      out.push(issue(`${ptr}/${token(key)}`, 'required', `is required but missing`, want, key));
    }
  }
  const keys = Object.keys(value);
  if (minP !== undefined && keys.length < minP) out.push(issue(ptr, 'minProperties', `must have at least ${minP} propert(ies), got ${keys.length}`, `an object with at least ${minP} propert(ies)`));
  if (maxP !== undefined && keys.length > maxP) out.push(issue(ptr, 'maxProperties', `must have at most ${maxP} propert(ies), got ${keys.length}`, `an object with at most ${maxP} propert(ies)`));
  for (const key of keys) {
    const child = `${ptr}/${token(key)}`;
    const v = value[key] as JsonValue;
    if (names !== undefined) {
      const nameIssues: SchemaIssue[] = [];
      check(names, key, child, nameIssues, st);
      if (nameIssues.length > 0) {
        const want = describeSchema(names, st.root);
        out.push(issue(child, 'propertyNames', `is not an accepted key: keys must be ${want}`, `a key that is ${want}`, key));
      }
    }
    let matched = false;
    const declared = props !== undefined && Object.prototype.hasOwnProperty.call(props, key) ? props[key] : undefined;
    if (declared !== undefined) {
      matched = true;
      check(declared, v, child, out, st);
    }
    for (const p of node.patternProperties) {
      if (p.re?.test(key) === true) {
        matched = true;
        check(p.schema, v, child, out, st);
      }
    }
    if (matched || additional === undefined) continue;
    if (additional === false) {
      const accepted = props ? Object.keys(props) : [];
      const want = accepted.length > 0 ? `one of the keys ${listChoices(accepted)}` : 'no keys';
      out.push(issue(child, 'additionalProperties', `is not an accepted key (accepted: ${listChoices(accepted)})`, want, key));
    } else check(additional, v, child, out, st);
  }
}

/**
 * `anyOf` / `oneOf`. When no branch passes, the most useful report is the branch the value was
 * evidently meant for: the one branch of its type, or the branch with strictly fewest issues.
 * Otherwise one issue names every accepted shape.
 */
function checkUnion(branches: readonly JsonSchema[], keyword: 'anyOf' | 'oneOf', value: JsonValue, ptr: string, out: SchemaIssue[], st: State): void {
  const results: SchemaIssue[][] = [];
  let passed = 0;
  for (const b of branches) {
    const issues: SchemaIssue[] = [];
    check(b, value, ptr, issues, st);
    if (issues.length === 0) {
      passed++;
      // anyOf needs one pass; oneOf needs to know whether a second branch passes too.
      if (keyword === 'anyOf' || passed > 1) break;
    }
    results.push(issues);
  }
  if (passed === 1 || (passed > 0 && keyword === 'anyOf')) return;
  const want = describeSchema({ [keyword]: branches }, st.root);
  if (passed > 1) {
    out.push(issue(ptr, 'oneOf', `matches more than one of the accepted shapes (${want})`, `exactly one of ${want}`));
    return;
  }
  // A branch whose own discriminating values (type, const, enum of the value or of its direct
  // members) fail is the wrong branch; among the rest, the one with fewest issues explains best.
  const depth = ptr === '' ? 0 : ptr.split('/').length - 1;
  const mismatches = (r: readonly SchemaIssue[]): number =>
    r.filter((i) => (i.keyword === 'type' || i.keyword === 'const' || i.keyword === 'enum') && i.pointer.split('/').length - 1 <= depth + 1).length;
  const wrongType = (r: readonly SchemaIssue[]): number => (r.some((i) => i.keyword === 'type' && i.pointer === ptr) ? 1 : 0);
  const ranked = results.map((r) => ({ r, key: wrongType(r) * 1e12 + mismatches(r) * 1e6 + r.length })).sort((x, y) => x.key - y.key);
  const first = ranked[0];
  const second = ranked[1];
  if (first && (second === undefined || first.key < second.key) && wrongType(first.r) === 0) {
    out.push(...first.r);
    return;
  }
  const actual = jsonTypeOf(value);
  const sameType = branches.every((b) => {
    const d = typeof b === 'object' ? schemaTypes(b) : undefined;
    return d !== undefined && d.some((t) => typeAccepts(t, actual));
  });
  if (sameType) out.push(issue(ptr, keyword, `matches none of the ${branches.length} accepted shapes (${want})`, `one of the ${branches.length} accepted shapes (${want})`));
  else out.push(issue(ptr, keyword, `must be ${want}, got ${literalOrType(value)}`, want));
}

function literalOrType(value: JsonValue): string {
  return value === null || typeof value !== 'object' ? literal(value) : jsonTypeOf(value);
}
