/**
 * Input examples derived from a handler's input JSON Schema (tier 3 of the capability schema):
 * the smallest object that is valid — required properties only, each a placeholder chosen by
 * `const`, `enum`, `format`, `type` and bounds. Derived, never hand-written, so an example cannot
 * drift from the schema it illustrates.
 */
import { isJsonObject, type JsonObject, type JsonSchema, type JsonValue } from '../core/json.js';

/** `$ref` chains and nesting deeper than this end in `null` (recursive schemas such as `z.json()`). */
const MAX_DEPTH = 8;

const FORMAT_EXAMPLES: Readonly<Record<string, string>> = {
  'date-time': '2024-01-31T12:00:00Z',
  date: '2024-01-31',
  time: '12:00:00Z',
  email: 'user@example.com',
  uri: 'https://example.com/',
  url: 'https://example.com/',
  uuid: '00000000-0000-4000-8000-000000000000',
  ipv4: '192.0.2.1',
  ipv6: '2001:db8::1',
  hostname: 'example.com',
};

/**
 * A minimal valid example of a JSON Schema (as produced by `z.toJSONSchema`): required properties
 * only, arrays at their minimum length, numbers at their lower bound, strings as `<name>`
 * placeholders (or a format's canonical example). Unsupported keywords (`pattern`, `not`) are not
 * satisfied; everything `z.toJSONSchema` emits for plain objects, unions and enums is.
 * @example
 * inputExample({ type: 'object', required: ['n'], properties: { n: { type: 'integer', minimum: 1 } } }) // { n: 1 }
 */
export function inputExample(schema: JsonSchema): JsonValue {
  return exampleOf(schema, schema, 'value', 0);
}

function exampleOf(schema: JsonSchema, root: JsonSchema, name: string, depth: number): JsonValue {
  if (typeof schema === 'boolean' || depth > MAX_DEPTH) return null;
  if ('const' in schema) return schema['const'] as JsonValue;
  const enumValues = schema['enum'];
  if (Array.isArray(enumValues) && enumValues.length > 0) return enumValues[0] as JsonValue;
  const ref = schema['$ref'];
  if (typeof ref === 'string') return exampleOf(resolveRef(root, ref), root, name, depth + 1);
  const union = firstSchema(schema['anyOf']) ?? firstSchema(schema['oneOf']);
  if (union !== undefined) return exampleOf(union, root, name, depth + 1);
  const all = schema['allOf'];
  if (Array.isArray(all) && all.length > 0) {
    const parts = all.map((s) => exampleOf(s as JsonSchema, root, name, depth + 1));
    return parts.every(isJsonObject) ? Object.assign({}, ...parts) as JsonObject : (parts[0] ?? null);
  }
  switch (typeOf(schema)) {
    case 'object':
      return objectExample(schema, root, depth);
    case 'array':
      return arrayExample(schema, root, name, depth);
    case 'string':
      return stringExample(schema, name);
    case 'integer':
      return numberExample(schema, true);
    case 'number':
      return numberExample(schema, false);
    case 'boolean':
      return false;
    case 'null':
    case undefined:
      return null;
  }
}

type SchemaObject = { readonly [keyword: string]: unknown };
type SchemaType = 'object' | 'array' | 'string' | 'integer' | 'number' | 'boolean' | 'null';

const TYPES: readonly SchemaType[] = ['object', 'array', 'string', 'integer', 'number', 'boolean', 'null'];

/** The schema's type; for a list of types, the first that is not `null` (a nullable value is shown filled). */
function typeOf(schema: SchemaObject): SchemaType | undefined {
  const t = schema['type'];
  const list = Array.isArray(t) ? t : [t];
  const named = list.filter((x): x is SchemaType => TYPES.includes(x as SchemaType));
  const found = named.find((x) => x !== 'null') ?? named[0];
  if (found !== undefined) return found;
  if (isJsonObject(schema['properties'])) return 'object';
  if (schema['items'] !== undefined) return 'array';
  return undefined;
}

/** The first member of a union that is not `{ type: 'null' }`. */
function firstSchema(members: unknown): JsonSchema | undefined {
  if (!Array.isArray(members) || members.length === 0) return undefined;
  const typed = members as JsonSchema[];
  return typed.find((m) => !(isJsonObject(m) && m['type'] === 'null')) ?? typed[0];
}

function resolveRef(root: JsonSchema, ref: string): JsonSchema {
  if (ref === '#') return root;
  if (!ref.startsWith('#/')) return true;
  let node: unknown = root;
  for (const raw of ref.slice(2).split('/')) {
    const token = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    node = isJsonObject(node) ? node[token] : undefined;
  }
  return node === undefined ? true : (node as JsonSchema);
}

function objectExample(schema: SchemaObject, root: JsonSchema, depth: number): JsonObject {
  const properties = isJsonObject(schema['properties']) ? (schema['properties'] as Readonly<Record<string, JsonSchema>>) : {};
  const required = Array.isArray(schema['required']) ? (schema['required'] as string[]) : [];
  const out: JsonObject = {};
  for (const key of required) out[key] = exampleOf(properties[key] ?? true, root, key, depth + 1);
  return out;
}

function arrayExample(schema: SchemaObject, root: JsonSchema, name: string, depth: number): JsonValue[] {
  const min = typeof schema['minItems'] === 'number' ? schema['minItems'] : 0;
  const prefix = Array.isArray(schema['prefixItems']) ? (schema['prefixItems'] as JsonSchema[]) : [];
  const items = (schema['items'] as JsonSchema | undefined) ?? true;
  const out: JsonValue[] = [];
  for (let i = 0; i < Math.max(min, prefix.length); i++) out.push(exampleOf(prefix[i] ?? items, root, name, depth + 1));
  return out;
}

function stringExample(schema: SchemaObject, name: string): string {
  const format = schema['format'];
  const known = typeof format === 'string' ? FORMAT_EXAMPLES[format] : undefined;
  if (known !== undefined) return known;
  const min = typeof schema['minLength'] === 'number' ? schema['minLength'] : 0;
  const max = typeof schema['maxLength'] === 'number' ? schema['maxLength'] : Infinity;
  return `<${name}>`.padEnd(min, '_').slice(0, max);
}

function numberExample(schema: SchemaObject, integer: boolean): number {
  const num = (k: string) => (typeof schema[k] === 'number' ? schema[k] : undefined);
  const step = integer ? 1 : 0.5;
  const exMin = num('exclusiveMinimum');
  const exMax = num('exclusiveMaximum');
  let value = num('minimum') ?? (exMin !== undefined ? exMin + step : undefined) ?? 0;
  const max = num('maximum') ?? (exMax !== undefined ? exMax - step : undefined);
  if (max !== undefined && value > max) value = max;
  return integer ? Math.ceil(value) : value;
}
