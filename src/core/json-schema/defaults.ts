/**
 * Filling in a schema's `default`s: what zod's `.default()` does on parse, done on the JSON
 * Schema a template's input compiles to, so a plan carries its defaults as plain data and every
 * path that starts a task applies them the same way. Sandbox-safe.
 */
import type { JsonSchema, JsonValue } from '../json.js';
import { isSchemaObject, resolveRef } from './node.js';

// Deep enough for any input schema; stops a `$ref` cycle.
const MAX_DEPTH = 64;

/**
 * The value with every absent object property that has a `default` in the schema filled in,
 * recursively through `properties`, `items`, `allOf` and local `$ref`s. Present values are kept
 * as they are (checking them is `checkSchema`'s job); the input is not modified.
 * @example withDefaults({ type: 'object', properties: { focus: { type: 'string', default: 'all' } } }, {}) // { focus: 'all' }
 */
export function withDefaults(schema: JsonSchema, value: JsonValue): JsonValue {
  return fill(schema, value, schema, 0);
}

function fill(schema: JsonSchema, value: JsonValue, root: JsonSchema, depth: number): JsonValue {
  if (!isSchemaObject(schema) || depth > MAX_DEPTH) return value;
  let out = value;
  const ref = schema['$ref'];
  if (typeof ref === 'string') {
    const target = resolveRef(root, ref);
    if (target !== undefined) out = fill(target, out, root, depth + 1);
  }
  const allOf = schema['allOf'];
  if (Array.isArray(allOf)) for (const s of allOf as JsonSchema[]) out = fill(s, out, root, depth + 1);
  const properties = schema['properties'];
  if (isPlainObject(out) && isPlainObject(properties)) {
    const copy: Record<string, JsonValue> = { ...out };
    for (const [key, sub] of Object.entries(properties as Record<string, JsonSchema>)) {
      const present = Object.prototype.hasOwnProperty.call(copy, key) && copy[key] !== undefined;
      if (!present && isSchemaObject(sub) && Object.prototype.hasOwnProperty.call(sub, 'default')) copy[key] = structuredCopy(sub['default'] as JsonValue);
      if (Object.prototype.hasOwnProperty.call(copy, key) && copy[key] !== undefined) copy[key] = fill(sub, copy[key], root, depth + 1);
    }
    out = copy;
  }
  const items = schema['items'];
  if (Array.isArray(out) && items !== undefined && !Array.isArray(items)) out = out.map((v) => fill(items as JsonSchema, v, root, depth + 1));
  return out;
}

function isPlainObject(v: unknown): v is Record<string, JsonValue> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function structuredCopy(v: JsonValue): JsonValue {
  return v === null || typeof v !== 'object' ? v : (JSON.parse(JSON.stringify(v)) as JsonValue);
}
