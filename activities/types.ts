/**
 * Activity request and response shapes shared with workflow code (type-only imports there).
 */
import type { JsonValue } from '../src/core/json.js';
import type { CompiledPlan } from '../src/core/plan.js';
import type { Provenance } from '../src/core/steps.js';

/** What the workflow sends to a handler activity. The activity type is the handler name. */
export interface StepActivityRequest {
  readonly step: string;
  readonly handler: string;
  /** Inputs with references resolved. */
  readonly input: JsonValue;
  readonly provenance: Provenance;
  readonly plan: { readonly name: string; readonly version: string };
}

/** What the workflow sends to load a template: its name and the task input to check. */
export interface LoadTemplateRequest {
  readonly name: string;
  readonly input: JsonValue;
}

/** The pinned plan and the task input parsed by the template's input schema (defaults applied). */
export interface LoadedTemplate {
  readonly plan: CompiledPlan;
  readonly input: JsonValue;
}
