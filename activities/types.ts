/**
 * Activity request and response shapes shared with workflow code (type-only imports there).
 */
import type { JsonValue } from '../src/core/json.js';
import type { CompiledPlan } from '../src/core/plan.js';
import type { Provenance } from '../src/core/steps.js';
import type { BlobRef } from '../src/core/blob.js';

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
  /**
   * Set for a step that runs in a slice (a child workflow): the task it belongs to. The handler
   * sees the task's IDs and its idempotency key is the task's, as if the step ran in the task.
   */
  readonly task?: { readonly workflowId: string; readonly runId: string };
}

/** Stores a value in the blob store (a slice's outputs) and returns its reference. */
export interface StoreValueRequest {
  readonly value: JsonValue;
}

/** Joins outputs kept by slices into one stored result (a sliced fan-out's `results`, a planning step's). */
export interface JoinOutputsRequest {
  /** Stored outputs of slices (maps by step name, `SliceResult.chunks`); a later chunk's value wins (a retried slice). */
  readonly chunks: readonly BlobRef[];
  /** The outputs wanted, in order. */
  readonly names: readonly string[];
  /** Outputs of the named steps that did not run in a slice. */
  readonly inline?: Readonly<Record<string, JsonValue>>;
  /** `array`: the outputs in order (a fan-out's results); `object`: by name (a planning step's). */
  readonly as: 'array' | 'object';
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
