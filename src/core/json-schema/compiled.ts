/**
 * Schema nodes read once. A fragment of a thousand steps checks the same few handler schemas a
 * thousand times; reading each node's keywords (type lists, required lists, patterns) once and
 * keeping the result beside the node makes every later check a walk over plain fields. The
 * cache is keyed by node identity in a WeakMap, so pinned manifests stay plain data and the
 * cache lives exactly as long as they do. Nothing here is `eval`: sandbox-safe.
 */
import type { JsonSchema } from '../json.js';
import { isSchemaObject, numberKeyword, propertiesOf, requiredOf, resolveRef, schemaList, schemaTypes, subSchema, type JsonTypeName, type SchemaObject } from './node.js';

/** The keywords of one schema object, extracted. */
export interface CompiledSchema {
  readonly ref: string | undefined;
  readonly types: readonly JsonTypeName[] | undefined;
  readonly hasConst: boolean;
  readonly constValue: unknown;
  readonly enumValues: readonly unknown[] | undefined;
  readonly minimum: number | undefined;
  readonly maximum: number | undefined;
  readonly exclusiveMinimum: number | undefined;
  readonly exclusiveMaximum: number | undefined;
  readonly multipleOf: number | undefined;
  readonly minLength: number | undefined;
  readonly maxLength: number | undefined;
  /** The pattern's source and its compiled form (null when this engine cannot compile it). */
  readonly pattern: { readonly source: string; readonly re: RegExp | null } | undefined;
  readonly prefixItems: readonly JsonSchema[];
  readonly items: JsonSchema | undefined;
  readonly minItems: number | undefined;
  readonly maxItems: number | undefined;
  readonly uniqueItems: boolean;
  readonly properties: Readonly<Record<string, JsonSchema>> | undefined;
  readonly required: readonly string[];
  readonly patternProperties: readonly { readonly re: RegExp | null; readonly schema: JsonSchema }[];
  readonly additionalProperties: JsonSchema | undefined;
  readonly propertyNames: JsonSchema | undefined;
  readonly minProperties: number | undefined;
  readonly maxProperties: number | undefined;
  readonly allOf: readonly JsonSchema[] | undefined;
  readonly anyOf: readonly JsonSchema[] | undefined;
  readonly oneOf: readonly JsonSchema[] | undefined;
  readonly not: JsonSchema | undefined;
}

const NODES = new WeakMap<SchemaObject, CompiledSchema>();
const REFS = new WeakMap<SchemaObject, Map<string, JsonSchema | undefined>>();
// Schema patterns come from pinned manifests: a handful per run, compiled once per process.
const PATTERNS = new Map<string, RegExp | null>();
const PATTERN_LIMIT = 1024;

/** The compiled form of a `pattern` keyword, or null when this engine cannot compile it. */
export function compilePattern(source: string): RegExp | null {
  const cached = PATTERNS.get(source);
  if (cached !== undefined) return cached;
  let re: RegExp | null = null;
  for (const flags of ['u', '']) {
    try {
      re = new RegExp(source, flags);
      break;
    } catch {
      // JSON Schema patterns are ECMA-262 with the `u` flag; older patterns may need none.
    }
  }
  if (PATTERNS.size < PATTERN_LIMIT) PATTERNS.set(source, re);
  return re;
}

/** A schema object's keywords, extracted on first use. */
export function compiled(node: SchemaObject): CompiledSchema {
  let c = NODES.get(node);
  if (!c) {
    c = compile(node);
    NODES.set(node, c);
  }
  return c;
}

/** `resolveRef`, cached per document root (refs are resolved on every visit otherwise). */
export function resolveRefCached(root: JsonSchema, ref: string): JsonSchema | undefined {
  if (!isSchemaObject(root)) return resolveRef(root, ref);
  let perRoot = REFS.get(root);
  if (!perRoot) {
    perRoot = new Map<string, JsonSchema | undefined>();
    REFS.set(root, perRoot);
  }
  if (perRoot.has(ref)) return perRoot.get(ref);
  const target = resolveRef(root, ref);
  perRoot.set(ref, target);
  return target;
}

function compile(node: SchemaObject): CompiledSchema {
  const ref = node['$ref'];
  const en = node['enum'];
  const pattern = node['pattern'];
  const patterns = node['patternProperties'];
  return {
    ref: typeof ref === 'string' ? ref : undefined,
    types: schemaTypes(node),
    hasConst: 'const' in node,
    constValue: node['const'],
    enumValues: Array.isArray(en) ? en : undefined,
    minimum: numberKeyword(node, 'minimum'),
    maximum: numberKeyword(node, 'maximum'),
    exclusiveMinimum: numberKeyword(node, 'exclusiveMinimum'),
    exclusiveMaximum: numberKeyword(node, 'exclusiveMaximum'),
    multipleOf: numberKeyword(node, 'multipleOf'),
    minLength: numberKeyword(node, 'minLength'),
    maxLength: numberKeyword(node, 'maxLength'),
    pattern: typeof pattern === 'string' ? { source: pattern, re: compilePattern(pattern) } : undefined,
    prefixItems: schemaList(node, 'prefixItems') ?? [],
    items: subSchema(node, 'items'),
    minItems: numberKeyword(node, 'minItems'),
    maxItems: numberKeyword(node, 'maxItems'),
    uniqueItems: node['uniqueItems'] === true,
    properties: propertiesOf(node),
    required: requiredOf(node),
    patternProperties: isSchemaObject(patterns)
      ? Object.entries(patterns)
          .filter((e): e is [string, JsonSchema] => typeof e[1] === 'boolean' || isSchemaObject(e[1]))
          .map(([source, schema]) => ({ re: compilePattern(source), schema }))
      : [],
    additionalProperties: subSchema(node, 'additionalProperties'),
    propertyNames: subSchema(node, 'propertyNames'),
    minProperties: numberKeyword(node, 'minProperties'),
    maxProperties: numberKeyword(node, 'maxProperties'),
    allOf: schemaList(node, 'allOf'),
    anyOf: schemaList(node, 'anyOf'),
    oneOf: schemaList(node, 'oneOf'),
    not: subSchema(node, 'not'),
  };
}
