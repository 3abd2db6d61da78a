/**
 * The sub-schema a reference path reaches: `${steps.load.output.orders[0].id}` reads
 * `orders[0].id` of load's output, so validation needs the schema of that position to check
 * that the path exists and that its type fits the consumer.
 */
import type { JsonSchema } from '../json.js';
import type { PathSegment } from '../references.js';
import { coversAllTypes, deref, isSchemaObject, isUnconstrained, propertiesOf, resolveRef, schemaList, schemaTypes, subSchema, type JsonTypeName, type SchemaObject } from './node.js';
import { compilePattern } from './compiled.js';

/** What `schemaAtPath` found. */
export type SchemaAtPath =
  | {
      readonly found: true;
      /** The schema of the values at the path; `true` when anything may be there. */
      readonly schema: JsonSchema;
    }
  | {
      readonly found: false;
      /** Index of the first segment that leads nowhere. */
      readonly failedAt: number;
      /** Keys that do exist at that point (declaration order), for hints; empty for non-objects. */
      readonly available: readonly string[];
      /** Why, e.g. "there is no key 'x'", "it is a string". */
      readonly reason: string;
    };

// Unions nest rarely and shallowly; the limit only guards against `$ref` loops through unions.
const MAX_CANDIDATES = 64;

/**
 * Walks a schema along a path: string segments through `properties`, `patternProperties` and
 * `additionalProperties`; number segments through `prefixItems` and `items`; across `$ref`,
 * `anyOf` / `oneOf` branches (the path exists when it exists in some branch) and `allOf` members.
 *
 * An object schema with `properties` but no `additionalProperties` counts as closed: that is how
 * `z.toJSONSchema` writes a plain `z.object` in input mode, and zod strips unknown keys, so a
 * reference to one could never find a value. Refs inside the returned schema resolve against
 * `root` (the document `schema` belongs to; itself by default).
 */
export function schemaAtPath(schema: JsonSchema, segments: readonly PathSegment[], root: JsonSchema = schema): SchemaAtPath {
  let candidates: JsonSchema[] = [schema];
  for (let i = 0; i < segments.length; i++) {
    const segment = segments[i] as PathSegment;
    const leaves = expand(candidates, root);
    if (leaves === 'any') return { found: true, schema: true };
    const next: JsonSchema[] = [];
    const misses: string[] = [];
    const available: string[] = [];
    for (const leaf of leaves) {
      const step = follow(leaf, segment);
      if (step.kind === 'hit') next.push(step.schema);
      else {
        misses.push(step.reason);
        for (const k of step.available) if (!available.includes(k)) available.push(k);
      }
    }
    if (next.length === 0) {
      const reason = [...new Set(misses)].join('; or ') || 'nothing can be there';
      return { found: false, failedAt: i, available, reason };
    }
    candidates = next;
  }
  const schemaThere: JsonSchema = candidates.length === 1 ? (candidates[0] as JsonSchema) : { anyOf: candidates };
  // Normalize "anything" (`{}`, `z.json()`'s union of every type) to `true`, so callers can tell.
  const d = deref(schemaThere, root);
  if (d === true || (d !== false && (isUnconstrained(d) || coversAllTypes(schemaList(d, 'anyOf') ?? [], root)))) return { found: true, schema: true };
  return { found: true, schema: schemaThere };
}

type Step = { kind: 'hit'; schema: JsonSchema } | { kind: 'miss'; reason: string; available: readonly string[] };

/** Resolves refs and flattens unions into the object schemas a path can go through. */
function expand(candidates: readonly JsonSchema[], root: JsonSchema): SchemaObject[] | 'any' {
  const out: SchemaObject[] = [];
  const queue = [...candidates];
  for (let visited = 0; queue.length > 0; visited++) {
    if (visited > MAX_CANDIDATES) return 'any';
    const s = deref(queue.shift() as JsonSchema, root);
    if (s === true) return 'any';
    if (s === false) continue;
    const branches = [...(schemaList(s, 'anyOf') ?? []), ...(schemaList(s, 'oneOf') ?? []), ...(schemaList(s, 'allOf') ?? [])];
    const ref = s['$ref'];
    if (typeof ref === 'string') {
      const target = resolveRef(root, ref);
      if (target === undefined) return 'any';
      queue.push(target);
    }
    queue.push(...branches);
    // A schema that constrains shape on its own is a candidate; one that is only a union
    // contributes through its branches; one with neither constrains nothing a path can see.
    if (Object.keys(s).some((k) => STRUCTURAL.has(k))) out.push(s);
    else if (branches.length === 0 && typeof ref !== 'string') return 'any';
  }
  return out;
}

const STRUCTURAL = new Set(['type', 'properties', 'additionalProperties', 'patternProperties', 'items', 'prefixItems', 'const', 'enum']);

function follow(node: SchemaObject, segment: PathSegment): Step {
  const types = schemaTypes(node);
  const constValues = constantsOf(node);
  if (typeof segment === 'number') {
    if (!admits(types, constValues, 'array', node)) return { kind: 'miss', reason: `it is ${typeName(types, node)}, not an array`, available: [] };
    const prefix = schemaList(node, 'prefixItems') ?? [];
    if (segment < prefix.length) return { kind: 'hit', schema: prefix[segment] as JsonSchema };
    const items = subSchema(node, 'items');
    if (items === false) return { kind: 'miss', reason: `it has ${prefix.length} item(s)`, available: [] };
    return { kind: 'hit', schema: items ?? true };
  }
  if (!admits(types, constValues, 'object', node)) return { kind: 'miss', reason: `it is ${typeName(types, node)}, not an object`, available: [] };
  const props = propertiesOf(node);
  const keys = props ? Object.keys(props) : [];
  if (props && Object.prototype.hasOwnProperty.call(props, segment)) return { kind: 'hit', schema: props[segment] as JsonSchema };
  const patterns = node['patternProperties'];
  if (isSchemaObject(patterns)) {
    for (const [source, s] of Object.entries(patterns)) {
      if (compilePattern(source)?.test(segment) === true && (typeof s === 'boolean' || isSchemaObject(s))) return { kind: 'hit', schema: s };
    }
  }
  const additional = subSchema(node, 'additionalProperties');
  const names = node['propertyNames'];
  if (isSchemaObject(names) && Array.isArray(names['enum']) && !names['enum'].includes(segment)) {
    const allowed = names['enum'].filter((k): k is string => typeof k === 'string');
    return { kind: 'miss', reason: `there is no key '${segment}'`, available: [...keys, ...allowed] };
  }
  if (additional === false || (additional === undefined && props !== undefined)) {
    return { kind: 'miss', reason: `there is no key '${segment}'`, available: keys };
  }
  return { kind: 'hit', schema: additional ?? true };
}

function constantsOf(node: SchemaObject): readonly unknown[] | undefined {
  if ('const' in node) return [node['const']];
  const en = node['enum'];
  return Array.isArray(en) ? en : undefined;
}

/** Whether values of the schema can be of `kind`; an untyped schema with `properties` or `items` says so. */
function admits(types: readonly JsonTypeName[] | undefined, consts: readonly unknown[] | undefined, kind: 'array' | 'object', node: SchemaObject): boolean {
  if (types) return types.includes(kind);
  if (consts) return consts.some((c) => (kind === 'array' ? Array.isArray(c) : typeof c === 'object' && c !== null && !Array.isArray(c)));
  if (kind === 'array') return !('properties' in node);
  return !('items' in node) && !('prefixItems' in node);
}

function typeName(types: readonly JsonTypeName[] | undefined, node: SchemaObject): string {
  if (types) return types.map((t) => (t === 'null' ? 'null' : t === 'array' || t === 'object' || t === 'integer' ? `an ${t}` : `a ${t}`)).join(' or ');
  if ('const' in node) return `the constant ${JSON.stringify(node['const'])}`;
  if ('items' in node) return 'an array';
  return 'an object';
}
