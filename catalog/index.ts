/**
 * The built-in catalog: handlers every weft worker offers, plus the pieces they are built from.
 *
 * @example
 * import { builtinHandlers } from './catalog/index.js';
 * import { manifestOf } from './src/handler.js';
 * const manifest = manifestOf(builtinHandlers); // what the planner and the validator see
 */
import type { AnyHandler } from '../src/handler.js';
import { aggregate } from './aggregate.js';
import { decide } from './decide.js';
import { createEmitHandler, emit } from './emit.js';
import { EGRESS_ALLOW_VARIABLE, egressPolicyFromEnv } from './egress.js';
import { createHttpRequestHandler, httpRequest } from './http-request.js';
import { persist } from './persist.js';
import { transform } from './transform.js';
import { validate } from './validate.js';

export { aggregate, aggregateData, aggregateInput, aggregateOutput, parseFieldPath, readField } from './aggregate.js';
export type { AggregateInput, AggregateOutput } from './aggregate.js';
export { createDecideHandler, decide, decideInput, decideOutcome, decideOutput } from './decide.js';
export type { DecideInput, DecideOutput } from './decide.js';
export { createEmitHandler, emit, emitInput, emitOutput } from './emit.js';
export type { EmitInput, EmitOptions, EmitOutput } from './emit.js';
export { fanOut } from './fan-out.js';
export { gate } from './gate.js';
export { createSummarizeHandler, SUMMARIZE_MAX_INPUT_CHARS } from './summarize.js';
export type { SummarizeOptions } from './summarize.js';
export { declareErrorModes, pointAt } from './failures.js';
export type { DeclaredErrorModes, ErrorModeSpec } from './failures.js';
export { ALLOW_LIST_HINT, checkTarget, classifyAddress, compileEgressPolicy, EGRESS_ALLOW_VARIABLE, EgressDenied, egressPolicyFromEnv } from './egress.js';
export type { AddressClass, CheckedTarget, CompiledEgressPolicy, EgressPolicy, ResolveAll, ResolvedAddress } from './egress.js';
export {
  createHttpRequestHandler,
  httpRequest,
  httpRequestInput,
  httpRequestOutput,
  MAX_REDIRECTS,
  RESPONSE_HEADERS,
} from './http-request.js';
export type { HttpRequestInput, HttpRequestOptions, HttpRequestOutput } from './http-request.js';
export {
  compileJsonata,
  createTransformHandler,
  DEFAULT_JSONATA_LIMITS,
  evaluateJsonata,
  JsonataProblem,
  toJsonResult,
  transform,
  transformInput,
  transformOutput,
} from './transform.js';
export type { JsonataLimits, JsonataProblemKind } from './transform.js';
export { COLLECTION_NAME, createPersistHandler, loadCollection, persist, persistInput, persistOutput } from './persist.js';
export type { CollectionState, PersistInput, PersistOptions, PersistOutput } from './persist.js';
export { MAX_REPORTED_ERRORS, validate, validateData, validateInput, validateOutput } from './validate.js';
export type { ValidateInput, ValidateOutput, ValidationError } from './validate.js';

/** The built-in handlers with their default limits, in catalog order. */
export const builtinHandlers: readonly AnyHandler[] = [transform, validate, aggregate, decide, emit, persist, httpRequest];

/**
 * The built-in handlers as a worker configured by its environment runs them: `http_request` and
 * `emit` may reach the internal hosts and ranges `WEFT_EGRESS_ALLOW` lists (nothing internal
 * when unset). Throws, naming the variable, when an entry is not a host name or range.
 */
export function configuredBuiltinHandlers(env: Readonly<Record<string, string | undefined>> = process.env): readonly AnyHandler[] {
  if (!env[EGRESS_ALLOW_VARIABLE]?.trim()) return builtinHandlers;
  const egress = egressPolicyFromEnv(env);
  return builtinHandlers.map((h) => (h === httpRequest ? createHttpRequestHandler({ egress }) : h === emit ? createEmitHandler({ egress }) : h));
}
