/**
 * Shared vocabulary of the JSON Schema subset: reading keywords off a schema object, resolving
 * `$ref` against the document root, JSON types of values, deep equality, and short type
 * descriptions for messages ("array of object", "string | null").
 */
import type { JsonSchema, JsonValue } from '../json.js';

/** A schema object (not a boolean schema). */
export type SchemaObject = { readonly [keyword: string]: unknown };

/** The JSON types a schema's `type` keyword can name. */
export type JsonTypeName = 'string' | 'number' | 'integer' | 'boolean' | 'null' | 'array' | 'object';

/** Every JSON type a value can have (`integer` is a kind of `number`). */
export const JSON_TYPES: readonly JsonTypeName[] = ['string', 'number', 'boolean', 'null', 'array', 'object'];

/** True for schema objects (as opposed to `true` / `false` and non-schemas). */
export function isSchemaObject(schema: unknown): schema is SchemaObject {
  return typeof schema === 'object' && schema !== null && !Array.isArray(schema);
}

/** Reads a keyword's value when it is a schema (object or boolean). */
export function subSchema(node: SchemaObject, keyword: string): JsonSchema | undefined {
  const v = node[keyword];
  return typeof v === 'boolean' || isSchemaObject(v) ? v : undefined;
}

/** Reads a keyword's value when it is an array of schemas. */
export function schemaList(node: SchemaObject, keyword: string): readonly JsonSchema[] | undefined {
  const v = node[keyword];
  return Array.isArray(v) ? v.filter((s): s is JsonSchema => typeof s === 'boolean' || isSchemaObject(s)) : undefined;
}

/** Reads a keyword's value when it is a number. */
export function numberKeyword(node: SchemaObject, keyword: string): number | undefined {
  const v = node[keyword];
  return typeof v === 'number' ? v : undefined;
}

/** The names listed by `type`, or undefined when the schema does not restrict the type. */
export function schemaTypes(node: SchemaObject): readonly JsonTypeName[] | undefined {
  const t = node['type'];
  if (typeof t === 'string') return [t as JsonTypeName];
  if (Array.isArray(t)) return t.filter((x): x is JsonTypeName => typeof x === 'string');
  return undefined;
}

/** The `properties` map of a schema, when present. */
export function propertiesOf(node: SchemaObject): Readonly<Record<string, JsonSchema>> | undefined {
  const p = node['properties'];
  return isSchemaObject(p) ? (p as Record<string, JsonSchema>) : undefined;
}

/** The `required` names of a schema. */
export function requiredOf(node: SchemaObject): readonly string[] {
  const r = node['required'];
  return Array.isArray(r) ? r.filter((x): x is string => typeof x === 'string') : [];
}

/**
 * Resolves a local `$ref` (`#`, `#/$defs/x`, any `#/...` JSON Pointer) against the document root.
 * Returns undefined for refs it cannot follow (remote, anchors): callers treat those as "any".
 */
export function resolveRef(root: JsonSchema, ref: string): JsonSchema | undefined {
  if (ref === '#') return root;
  if (!ref.startsWith('#/')) return undefined;
  let node: unknown = root;
  for (const raw of ref.slice(2).split('/')) {
    const token = decodeURIComponent(raw).replace(/~1/g, '/').replace(/~0/g, '~');
    if (!isSchemaObject(node) || !Object.prototype.hasOwnProperty.call(node, token)) return undefined;
    node = node[token];
  }
  return typeof node === 'boolean' || isSchemaObject(node) ? (node) : undefined;
}

/**
 * Follows `$ref` chains that make up a whole schema (`{ "$ref": ... }` with nothing else that
 * constrains), so that callers see the target. Stops after a few hops: a cycle of bare refs
 * constrains nothing.
 */
export function deref(schema: JsonSchema, root: JsonSchema): JsonSchema {
  let current = schema;
  for (let hops = 0; hops < 16; hops++) {
    if (!isSchemaObject(current)) return current;
    const ref = current['$ref'];
    if (typeof ref !== 'string' || hasConstraintsBesidesRef(current)) return current;
    const target = resolveRef(root, ref);
    if (target === undefined) return true;
    current = target;
  }
  return true;
}

const ANNOTATIONS = new Set(['$ref', '$defs', 'definitions', '$schema', '$id', '$comment', 'title', 'description', 'default', 'examples', 'deprecated', 'readOnly', 'writeOnly', 'format', 'id']);

function hasConstraintsBesidesRef(node: SchemaObject): boolean {
  for (const key of Object.keys(node)) if (!ANNOTATIONS.has(key)) return true;
  return false;
}

/** True when a schema accepts every value: `true`, `{}`, or only annotations. */
export function isUnconstrained(schema: JsonSchema): boolean {
  if (schema === true) return true;
  if (schema === false) return false;
  return !('$ref' in schema) && !hasConstraintsBesidesRef(schema);
}

/** The JSON type of a value; integers report `integer`. */
export function jsonTypeOf(value: JsonValue): JsonTypeName {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  return typeof value as 'string' | 'boolean' | 'object';
}

/** True when `type` (from a schema) accepts a value whose JSON type is `actual`. */
export function typeAccepts(type: JsonTypeName, actual: JsonTypeName): boolean {
  return type === actual || (type === 'number' && actual === 'integer');
}

/** Deep equality of JSON values (object key order does not matter). */
export function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => jsonEqual(x, b[i]));
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  if (ka.length !== kb.length) return false;
  const bo = b as Record<string, unknown>;
  const ao = a as Record<string, unknown>;
  return ka.every((k) => Object.prototype.hasOwnProperty.call(bo, k) && jsonEqual(ao[k], bo[k]));
}

/** A short, readable description of what a schema accepts: `string`, `array of object`, `'a' | 'b'`. */
export function describeSchema(schema: JsonSchema, root: JsonSchema = schema, depth = 0): string {
  const s = deref(schema, root);
  if (s === true) return 'any value';
  if (s === false) return 'no value';
  if (depth > 3) return 'value';
  if ('const' in s) return literal(s['const']);
  const en = s['enum'];
  if (Array.isArray(en)) return en.map(literal).join(' | ');
  const branches = schemaList(s, 'anyOf') ?? schemaList(s, 'oneOf');
  if (branches) {
    if (coversAllTypes(branches, root)) return 'any JSON value';
    return [...new Set(branches.map((b) => describeSchema(b, root, depth + 1)))].join(' | ');
  }
  const types = schemaTypes(s);
  if (!types) return isSchemaObject(s['properties']) ? 'object' : 'any value';
  return types
    .map((t) => {
      if (t !== 'array') return t;
      const items = subSchema(s, 'items');
      return items === undefined || items === true ? 'array' : `array of ${describeSchema(items, root, depth + 1)}`;
    })
    .join(' | ');
}

/** True when union branches between them admit every JSON type (zod's `z.json()`), i.e. "any". */
export function coversAllTypes(branches: readonly JsonSchema[], root: JsonSchema): boolean {
  const seen = new Set<string>();
  for (const b of branches) {
    const d = deref(b, root);
    if (d === true || (d !== false && isUnconstrained(d))) return true;
    if (d === false) continue;
    for (const t of schemaTypes(d) ?? []) seen.add(t);
  }
  return JSON_TYPES.every((t) => seen.has(t));
}

/** A value as it appears in a message: strings quoted, everything else as JSON. */
export function literal(value: unknown): string {
  return typeof value === 'string' ? `'${value}'` : JSON.stringify(value);
}

/** `jsonEqual` membership in an `enum` list. */
export function inEnum(values: readonly unknown[], value: unknown): boolean {
  for (const v of values) if (jsonEqual(v, value)) return true;
  return false;
}
