/**
 * weft: LLM-planned workflows inside reviewed templates, on Temporal. This entry point holds what
 * a template author and a service need most: templates, handlers, the registry and the client.
 * The rest has its own entry point: `/catalog` (built-in handlers), `/planner` (Claude and scripted
 * planners), `/worker` (run a worker), `/workflow` (the workflow module a worker bundles),
 * `/testing` (Temporal's time-skipping environment for template tests).
 *
 * @example
 * import { z } from 'zod';
 * import { defineHandler, defineTemplate, staticStep, planningStep, convergenceStep } from '@weftworks/weft';
 *
 * export const greet = defineHandler({
 *   name: 'greet', description: 'Greets someone.', category: 'data',
 *   input: z.object({ who: z.string() }), output: z.object({ text: z.string() }), errorModes: {},
 *   run: async ({ who }) => ({ text: `hello ${who}` }),
 * });
 */
export { defineTemplate, staticStep, planningStep, convergenceStep, finalizationStep, compileTemplate, TemplateError } from './template/index.js';
export { DEFAULT_BUDGET, DEFAULT_PLANNING, DEFAULT_STEP_FAILURE, DEFAULT_PLANNER_FAILURE } from './template/index.js';
export type { Template, TemplateInput, StepInput, HandlerStepInput, PlanningStepInput, FailurePolicyInput } from './template/index.js';
export { defineHandler, manifestEntry, manifestOf, toJsonSchema } from './handler.js';
export type { AnyHandler, Handler, HandlerContext, HandlerDefinition } from './handler.js';
export { declareErrorModes } from '../catalog/failures.js';
export type { DeclaredErrorModes, ErrorModeSpec } from '../catalog/failures.js';
export { defineRegistry, loadRegistry, RegistryError } from './registry.js';
export type { LoadedRegistry, Registry } from './registry.js';
export { WeftClient } from './client.js';
export { WeftClientError, CLIENT_ERROR_CODES } from './client/error.js';
export type { ClientErrorCode } from './client/error.js';
export { ConfigError, loadConfig } from './config.js';
export type { WeftConfig } from './config.js';
export { fragmentSchema, fragmentStepSchema, FRAGMENT_VERSION, STEP_NAME_PATTERN } from './core/fragment.js';
export type { Fragment, FragmentStep } from './core/fragment.js';
export { isJsonObject } from './core/json.js';
export type { JsonObject, JsonPrimitive, JsonSchema, JsonValue } from './core/json.js';
export { listChoices } from './core/diagnostics.js';
export type { CompiledPlan } from './core/plan.js';
export type { Diagnostic } from './core/diagnostics.js';
export type { StepRecord, StepState, Provenance } from './core/steps.js';
export type { BlobStore } from './blob/store.js';
export { localBlobStore } from './blob/store.js';
export { blobStoreFromEnv } from './blob/from-env.js';
export { s3BlobStore, type S3StoreOptions } from './blob/s3.js';
