/**
 * The JSON Schema subset weft checks in workflow code (what `z.toJSONSchema` emits): checking a
 * value, finding the sub-schema a reference path reaches, and deciding whether a producer's
 * schema fits a consumer's. Sandbox-safe: no `eval`, no `new Function`, no I/O.
 *
 * @example
 * import { checkSchema, schemaAtPath, isAssignable } from './json-schema/index.js';
 * checkSchema({ type: 'object', required: ['id'] }, {});            // [{ keyword: 'required', pointer: '/id', ... }]
 * schemaAtPath(outputSchema, ['orders', 0, 'id']);                  // { found: true, schema: { type: 'string' } }
 * isAssignable({ type: 'string' }, { type: ['string', 'null'] });  // { ok: true }
 */
export { checkSchema, compilePattern, type CheckOptions, type SchemaIssue } from './check.js';
export { schemaAtPath, type SchemaAtPath } from './path.js';
export { isAssignable, type AssignableOptions, type Assignability } from './assignable.js';
export {
  deref,
  describeSchema,
  isSchemaObject,
  isUnconstrained,
  jsonEqual,
  jsonTypeOf,
  propertiesOf,
  requiredOf,
  type JsonTypeName,
  type SchemaObject,
} from './node.js';
