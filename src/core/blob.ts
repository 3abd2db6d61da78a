/**
 * References to results kept in the blob store instead of inline. A step output over the
 * threshold travels through history as a `BlobRef`; a reference into it travels as a `BlobPath`
 * and is loaded by the activity that needs it. Pure types and guards, sandbox-safe.
 */
import { isJsonObject, type JsonValue } from './json.js';
import type { Shape } from './summarize.js';

/** A stored result: content address, size, shape and a small sample (what the planner sees). */
export interface BlobRef {
  /** `sha256:<hex>` of the canonical JSON. */
  readonly $weft_blob: string;
  readonly bytes: number;
  readonly shape: Shape;
  readonly sample: readonly JsonValue[];
}

/**
 * A path into a stored result, resolved by the activity; with `slice`, items `[start, end)` of
 * the array found there (a fan-out partition of stored items).
 */
export interface BlobPath {
  readonly $weft_blob_path: {
    readonly blob: string;
    readonly path: readonly (string | number)[];
    readonly slice?: readonly [start: number, end: number];
  };
}

/** True for a `BlobRef`. */
export function isBlobRef(value: unknown): value is BlobRef {
  return isJsonObject(value) && typeof (value as Record<string, unknown>)['$weft_blob'] === 'string';
}

/** True for a `BlobPath`. */
export function isBlobPath(value: unknown): value is BlobPath {
  const inner = isJsonObject(value) ? (value as Record<string, unknown>)['$weft_blob_path'] : undefined;
  return isJsonObject(inner) && typeof (inner as Record<string, unknown>)['blob'] === 'string';
}

/**
 * Step outputs larger than this (bytes of JSON) are stored as blobs by default. Well under
 * Temporal's 512 KB payload warning, because an inline output is copied into the scheduled input of
 * every step that references it.
 */
export const DEFAULT_BLOB_THRESHOLD_BYTES = 32 * 1024;
