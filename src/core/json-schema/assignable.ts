/**
 * Structural compatibility of two schemas: could every value the producer's schema allows
 * satisfy the consumer's schema? Used to type-check `${steps.x.output...}` references before
 * anything runs.
 *
 * The check is conservative in one direction only: it answers "no" when it is sure some
 * producer value would be rejected, and "yes" whenever it cannot tell, because a false "no"
 * blocks a good plan while a false "yes" only defers the error to run time, where the handler's
 * own zod schema catches it. Deliberately accepted, although not strictly assignable:
 * unconstrained producers (`{}`, `z.json()`, `z.unknown()`), `number` into `integer`, a plain
 * `string` into an `enum`, open records into objects with required keys, and every bound
 * (`minimum`, `maxLength`, `pattern`, ...), which describe values, not types.
 */
import type { JsonSchema, JsonValue } from '../json.js';
import {
  coversAllTypes,
  deref,
  describeSchema,
  inEnum,
  isUnconstrained,
  jsonTypeOf,
  literal,
  propertiesOf,
  requiredOf,
  resolveRef,
  schemaList,
  schemaTypes,
  subSchema,
  typeAccepts,
  type JsonTypeName,
  type SchemaObject,
} from './node.js';

/** The answer of `isAssignable`. */
export type Assignability =
  | { readonly ok: true }
  | {
      readonly ok: false;
      /** Where inside the value the mismatch is, e.g. `orders[*].id`; `""` for the value itself. */
      readonly at: string;
      /** What does not fit, e.g. "string does not fit number". */
      readonly reason: string;
    };

/** Documents the two schemas' `$ref`s resolve against (each schema itself by default). */
export interface AssignableOptions {
  readonly producerRoot?: JsonSchema;
  readonly consumerRoot?: JsonSchema;
}

// Nested schemas zod emits are far shallower; recursion through `$ref` stops here, answering "yes".
const MAX_DEPTH = 24;

/**
 * Whether every value of `producer` could satisfy `consumer` (conservatively: see the module note).
 * @example isAssignable({ type: 'string' }, { type: 'number' }) // { ok: false, at: '', reason: 'string does not fit number' }
 */
export function isAssignable(producer: JsonSchema, consumer: JsonSchema, options: AssignableOptions = {}): Assignability {
  const roots: Roots = { p: options.producerRoot ?? producer, c: options.consumerRoot ?? consumer };
  const failure = assign(producer, consumer, '', 0, roots);
  return failure === null ? { ok: true } : { ok: false, at: failure.at, reason: failure.reason };
}

interface Roots {
  readonly p: JsonSchema;
  readonly c: JsonSchema;
}
interface Failure {
  readonly at: string;
  readonly reason: string;
}

function assign(producer: JsonSchema, consumer: JsonSchema, at: string, depth: number, roots: Roots): Failure | null {
  if (depth > MAX_DEPTH) return null;
  const p = deref(producer, roots.p);
  const c = deref(consumer, roots.c);
  if (c === true || isUnconstrained(c) || p === false) return null;
  // A producer that may be anything, or a `$ref` with extra constraints we do not merge: unsure.
  if (p === true || isUnconstrained(p) || '$ref' in p || schemaList(p, 'allOf')) return null;
  if (c === false) return { at, reason: 'nothing is accepted here' };

  const pBranches = schemaList(p, 'anyOf') ?? schemaList(p, 'oneOf');
  if (pBranches) {
    if (coversAllTypes(pBranches, roots.p)) return null;
    // Every value of every branch must fit: report the first branch that does not ("null does not fit string").
    for (const b of pBranches) {
      const f = assign(b, c, at, depth + 1, roots);
      if (f) return f;
    }
    return null;
  }
  const cBranches = schemaList(c, 'anyOf') ?? schemaList(c, 'oneOf');
  if (cBranches) {
    if (coversAllTypes(cBranches, roots.c)) return null;
    const failures: Failure[] = [];
    for (const b of cBranches) {
      const f = assign(p, b, at, depth + 1, roots);
      if (f === null) return null;
      failures.push(f);
    }
    // The branch of the producer's own type explains best; otherwise name the whole union.
    const deeper = failures.filter((f) => f.at !== at);
    if (deeper.length === 1) return deeper[0] as Failure;
    return { at, reason: `${describeSchema(p, roots.p)} does not fit ${describeSchema(c, roots.c)}` };
  }
  const cRef = c['$ref'];
  const cTarget = typeof cRef === 'string' ? resolveRef(roots.c, cRef) : undefined;
  for (const member of [...(cTarget === undefined ? [] : [cTarget]), ...(schemaList(c, 'allOf') ?? [])]) {
    const f = assign(p, member, at, depth + 1, roots);
    if (f) return f;
  }
  return assignShape(p, c, at, depth, roots);
}

/** Types, constants, object members and array items of two non-union schemas. */
function assignShape(p: SchemaObject, c: SchemaObject, at: string, depth: number, roots: Roots): Failure | null {
  const pConsts = constantsOf(p);
  const pTypes = schemaTypes(p) ?? (pConsts ? [...new Set(pConsts.map((v) => jsonTypeOf(v as JsonValue)))] : undefined);
  const cTypes = schemaTypes(c);
  if (pTypes && cTypes) {
    const misfit = pTypes.filter((t) => !cTypes.some((ct) => typeAccepts(ct, t) || (ct === 'integer' && t === 'number')));
    if (misfit.length > 0) {
      const what = misfit.length === pTypes.length ? describeSchema(p, roots.p) : misfit.join(' | ');
      return { at, reason: `${what} does not fit ${describeSchema(c, roots.c)}` };
    }
  }
  const cConsts = constantsOf(c);
  if (cConsts && pConsts) {
    const outside = pConsts.find((v) => !inEnum(cConsts, v));
    if (outside !== undefined) return { at, reason: `${literal(outside)} is not ${cConsts.map(literal).join(' | ')}` };
  }
  if (admits(pTypes, 'object') && admits(cTypes, 'object')) {
    const f = assignObject(p, c, at, depth, roots);
    if (f) return f;
  }
  if (admits(pTypes, 'array') && admits(cTypes, 'array')) return assignArray(p, c, at, depth, roots);
  return null;
}

function assignObject(p: SchemaObject, c: SchemaObject, at: string, depth: number, roots: Roots): Failure | null {
  const pProps = propertiesOf(p) ?? {};
  const pRequired = new Set(requiredOf(p));
  const pClosed = p['additionalProperties'] === false;
  const cProps = propertiesOf(c) ?? {};
  const cAdditional = subSchema(c, 'additionalProperties');
  for (const key of requiredOf(c)) {
    if (Object.prototype.hasOwnProperty.call(pProps, key)) {
      if (!pRequired.has(key)) return { at: join(at, key), reason: `'${key}' is optional in the producer but required here` };
    } else if (pClosed) {
      return { at: join(at, key), reason: `'${key}' is required here but the producer never has it` };
    }
  }
  for (const key of Object.keys(pProps)) {
    const pSub = pProps[key] as JsonSchema;
    const cSub = Object.prototype.hasOwnProperty.call(cProps, key) ? cProps[key] : c['patternProperties'] === undefined ? cAdditional : undefined;
    if (cSub === false) {
      return { at: join(at, key), reason: `'${key}' is not accepted here (accepted: ${Object.keys(cProps).join(', ') || 'none'})` };
    }
    if (cSub !== undefined) {
      const f = assign(pSub, cSub, join(at, key), depth + 1, roots);
      if (f) return f;
    }
  }
  const pAdditional = subSchema(p, 'additionalProperties');
  if (pAdditional !== undefined && pAdditional !== false && cAdditional !== undefined && cAdditional !== false) {
    return assign(pAdditional, cAdditional, join(at, '*'), depth + 1, roots);
  }
  return null;
}

function assignArray(p: SchemaObject, c: SchemaObject, at: string, depth: number, roots: Roots): Failure | null {
  const pPrefix = schemaList(p, 'prefixItems') ?? [];
  const pItems = subSchema(p, 'items');
  const cPrefix = schemaList(c, 'prefixItems') ?? [];
  const cItems = subSchema(c, 'items');
  const producerAt = (i: number): JsonSchema | undefined => (i < pPrefix.length ? pPrefix[i] : pItems);
  for (let i = 0; i < Math.max(pPrefix.length, cPrefix.length); i++) {
    const ps = producerAt(i);
    const cs = i < cPrefix.length ? cPrefix[i] : cItems;
    if (ps === undefined || ps === false || cs === undefined || cs === false) continue;
    const f = assign(ps, cs, `${at}[${i}]`, depth + 1, roots);
    if (f) return f;
  }
  if (pItems !== undefined && pItems !== false && cItems !== undefined && cItems !== false && cPrefix.length === 0) {
    return assign(pItems, cItems, `${at}[*]`, depth + 1, roots);
  }
  return null;
}

function constantsOf(node: SchemaObject): readonly unknown[] | undefined {
  if ('const' in node) return [node['const']];
  const en = node['enum'];
  return Array.isArray(en) ? en : undefined;
}

function admits(types: readonly JsonTypeName[] | undefined, kind: 'object' | 'array'): boolean {
  return types === undefined || types.includes(kind);
}

function join(at: string, key: string): string {
  return at === '' ? key : `${at}.${key}`;
}
