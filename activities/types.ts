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
  /**
   * Store outputs larger than this many bytes (default: the worker's threshold, when smaller).
   * A fan-out sets it for its children, so that a thousand results stay small in history.
   */
  readonly offloadAboveBytes?: number;
}

/** What a fan-out asks about items held in the blob store: how many there are. */
export interface CountItemsRequest {
  /** The fan-out step, for messages. */
  readonly step: string;
  /** A stored result or a path into one. */
  readonly items: JsonValue;
}

/** The count, after checking the items are an array. */
export interface CountItemsResult {
  readonly count: number;
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
